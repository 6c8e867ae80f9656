// Keeps the endpoints' data path (the edge, behind the EdgePort interface) in step
// with the rollout: the table is rebuilt from the store after every change, and an
// allocation about to stop leaves the endpoints and drains first. The edge failing
// never holds up a rollout: every call is bounded and its errors are only reported.
import type { AllocationRecord, Job } from '../model/index.js';
import { drainGraceMs, isBackendOf, jobEndpoints, tableOf } from './endpoints.js';
import type { EndpointSource, EndpointTable, JobEndpoint, TableOptions } from './endpoints.js';

/** An endpoint the edge could not listen on (its port taken by another process, say). */
export interface ListenError {
  port: number;
  address: string;
  message: string;
}

/** What the rollout needs of the edge process. */
export interface EdgePort {
  /** Resolves with the endpoints it could not listen on (it tries them again on the next table). */
  setTable(table: EndpointTable): Promise<{ errors: ListenError[] }>;
  /** Resolves when the named backends hold no connection, or after timeoutMs. */
  drain(ids: string[], timeoutMs: number): Promise<unknown>;
}

export interface TrafficOptions {
  address: string;
  backendHost: string | null;
  addressOf?: TableOptions['addressOf'];
  /** The containers' stop timeout when a task sets none (the agent's). */
  defaultKillTimeoutMs: number;
  onError: (error: unknown, context: string) => void;
  /** Tells a job's events something about its endpoints (one that cannot listen). */
  report?: (jobId: string, message: string) => void;
  /** Only jobs with endpoints need an edge: it is asked for (started) on the first one. */
  edge: () => Promise<EdgePort>;
}

export class TrafficSteering {
  private readonly leaving = new Set<string>();
  /** One table write at a time; a change meanwhile writes once more after it. */
  private writing: Promise<void> | null = null;
  private dirty = false;
  private lastTable = '';
  private edge: EdgePort | null = null;
  /** Port → why the edge could not listen there, from its last answer. */
  private readonly listenErrors = new Map<number, string>();

  constructor(
    private readonly source: EndpointSource,
    private readonly options: TrafficOptions,
  ) {}

  /** Writes the table when it changed; resolves once what is current is written. */
  sync(): Promise<void> {
    if (this.writing) {
      this.dirty = true;
      return this.writing;
    }
    this.writing = this.write().finally(() => {
      this.writing = null;
      if (this.dirty) {
        this.dirty = false;
        void this.sync();
      }
    });
    return this.writing;
  }

  private async write(): Promise<void> {
    const endpoints = jobEndpoints(this.source, this.tableOptions());
    const table = tableOf(endpoints);
    const text = JSON.stringify(table);
    // An endpoint that could not listen is asked for again (the port may be free now), else only a change is written.
    if (text === this.lastTable && this.listenErrors.size === 0) return;
    if (table.endpoints.length === 0 && this.edge === null && this.lastTable === '') return;
    try {
      this.edge ??= await this.options.edge();
      const reply = await this.edge.setTable(table);
      this.lastTable = text;
      this.noteListenErrors(reply.errors, endpoints);
    } catch (error) {
      this.options.onError(error, 'updating the endpoints');
    }
  }

  /** Each new failure to listen goes to its job's events once; status shows it while it lasts. */
  private noteListenErrors(errors: ListenError[], endpoints: JobEndpoint[]): void {
    const now = new Map(errors.map((e) => [e.port, e.message]));
    for (const [port, message] of now) {
      if (this.listenErrors.get(port) === message) continue;
      const endpoint = endpoints.find((e) => e.port === port);
      if (endpoint) this.options.report?.(endpoint.jobId, `endpoint ${endpoint.address}:${port} cannot listen: ${message}; the edge tries again`);
    }
    this.listenErrors.clear();
    for (const [port, message] of now) this.listenErrors.set(port, message);
  }

  /** Whether an edge is in use: until a job has an endpoint there is nothing to keep in step. */
  get serving(): boolean {
    return this.edge !== null;
  }

  /** Why the edge could not listen on a port, when it could not. */
  listenErrorOf(port: number): string | null {
    return this.listenErrors.get(port) ?? null;
  }

  /**
   * Before an allocation's containers stop: it leaves the endpoints, then waits its
   * shutdown delay and for its open connections to end, up to its kill timeout.
   */
  async beforeStop(allocation: AllocationRecord, job: Job | undefined): Promise<void> {
    // A failed allocation serves nobody: nothing to wait for.
    if (allocation.status !== 'running') return;
    const grace = drainGraceMs(job, allocation.group, this.options.defaultKillTimeoutMs);
    const started = Date.now();
    if (isBackendOf(job, allocation)) {
      this.leaving.add(allocation.id);
      await this.sync();
      try {
        if (this.edge) await this.edge.drain([allocation.id], grace.maxMs);
      } catch (error) {
        this.options.onError(error, `draining allocation ${allocation.id.slice(0, 8)}`);
      }
    }
    const left = grace.minMs - (Date.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }

  /** Every job's endpoints as the edge is told them now. */
  endpoints(): JobEndpoint[] {
    return jobEndpoints(this.source, this.tableOptions());
  }

  private tableOptions(): TableOptions {
    const { address, backendHost, addressOf } = this.options;
    return { address, backendHost, leaving: this.leaving, ...(addressOf ? { addressOf } : {}) };
  }

  /** After it stopped: it is out of the table for good (not desired to run). */
  stopped(allocId: string): void {
    this.leaving.delete(allocId);
  }
}
