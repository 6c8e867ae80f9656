// Keeps the endpoints' data path (the edge, behind the EdgePort interface) in step
// with the rollout: the table is rebuilt from the store after every change, and an
// allocation about to stop leaves the endpoints and drains first. The edge failing
// never holds up a rollout: every call is bounded and its errors are only reported.
import type { AllocationRecord, Job } from '../model/index.js';
import { drainGraceMs, endpointTable, isBackendOf, jobEndpoints } from './endpoints.js';
import type { EndpointSource, EndpointTable, JobEndpoint, TableOptions } from './endpoints.js';

/** What the rollout needs of the edge process. */
export interface EdgePort {
  setTable(table: EndpointTable): Promise<unknown>;
  /** Resolves when the named backends hold no connection, or after timeoutMs. */
  drain(ids: string[], timeoutMs: number): Promise<unknown>;
}

export interface TrafficOptions {
  address: string;
  backendHost: string;
  addressOf?: TableOptions['addressOf'];
  /** The containers' stop timeout when a task sets none (the agent's). */
  defaultKillTimeoutMs: number;
  onError: (error: unknown, context: string) => void;
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
    const table = endpointTable(this.source, this.tableOptions());
    const text = JSON.stringify(table);
    if (text === this.lastTable) return;
    if (table.endpoints.length === 0 && this.edge === null && this.lastTable === '') return;
    try {
      this.edge ??= await this.options.edge();
      await this.edge.setTable(table);
      this.lastTable = text;
    } catch (error) {
      this.options.onError(error, 'updating the endpoints');
    }
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
