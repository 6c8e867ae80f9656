// The Swarm runtime's observation side (I/O): what deckhand's services run, read
// from one manager, and a subscription that reports changes. The Engine API has no
// task events, so the task list is polled (deckhand's services only) and compared
// with the reading before; a service or node event asks for a reading at once. A
// manager that does not answer (its socket refuses, or it lost the swarm's leader)
// is RuntimeUnavailableError; the subscription says `disconnected`, keeps polling,
// and says `reconnected` when an answer comes again.
import type Docker from 'dockerode';
import { RuntimeUnavailableError } from '../driver.js';
import type { Driver, RuntimeEvent } from '../driver.js';
import { engineMessage, isConnectionError, statusOf } from '../docker/engine-error.js';
import { EventStream } from '../docker/events.js';
import { label, labelFilter, scopeOf } from '../docker/labels.js';
import { allocationsFromTasks } from './observe.js';
import type { SwarmAllocationObservation, SwarmNodeInfo, SwarmService, SwarmTask } from './observe.js';
import { snapshotOf, taskChanges } from './task-changes.js';
import type { TaskSnapshots } from './task-changes.js';

export interface SwarmObserverOptions {
  /** A client of one manager of the swarm. */
  docker: Docker;
  /** How the manager is named in errors (its socket or DOCKER_HOST). */
  address: string;
  /** The agent's `--labels`: only services carrying them are read. */
  extraLabels: Record<string, string>;
  /** How often the task list is read while someone subscribes (500 ms: a batch turning healthy is seen within it; three requests to the manager a reading). */
  pollIntervalMs?: number;
  /** A reading that failed for another reason than an unreachable manager (a bug to see); polling goes on. */
  onError: (error: unknown, context: string) => void;
  /** Every full reading, as it comes (the driver's checks find tasks' addresses in it). */
  onReading?: (allocations: SwarmAllocationObservation[]) => void;
}

/** The part of the Driver contract this runtime implements so far (docs/design/swarm-runtime.md, step 3). */
export type SwarmObservation = Pick<Driver, 'observe' | 'observeAllocation' | 'subscribe' | 'close'>;

export class SwarmObserver implements SwarmObservation {
  private readonly docker: Docker;
  private readonly scope: string;
  private readonly pollIntervalMs: number;
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private readonly events: EventStream;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  /** The last reading's tasks; null before the first one (which reports nothing: it is the baseline). */
  private last: TaskSnapshots | null = null;
  private unavailable = false;

  constructor(private readonly options: SwarmObserverOptions) {
    this.docker = options.docker;
    this.scope = scopeOf(options.extraLabels);
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.events = new EventStream({
      // `since` as `seconds.nanoseconds` text, which the engine takes though the types say number.
      open: (since) => this.docker.getEvents({ filters: { type: ['service', 'node'] }, since } as unknown as Docker.GetEventsOptions),
      onMessage: () => this.pollSoon(),
      onReconnected: () => this.pollSoon(),
      onDisconnected: () => this.pollSoon(),
    });
  }

  /** Every service deckhand made in scope of the agent's labels, each one allocation. */
  observe(): Promise<SwarmAllocationObservation[]> {
    return this.guard(async () => {
      const allocations = await this.read();
      this.options.onReading?.(allocations);
      return allocations;
    });
  }

  /** One allocation by its id (its service's label), also when its task has ended; null when Swarm has no such service. */
  observeAllocation(allocId: string): Promise<SwarmAllocationObservation | null> {
    return this.guard(async () => (await this.read({ [label.alloc]: allocId }))[0] ?? null);
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      this.events.start();
      this.pollSoon();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.stopPolling();
    await this.polling;
  }

  private async read(more: Record<string, string> = {}): Promise<SwarmAllocationObservation[]> {
    for (let attempt = 1; ; attempt++) {
      const services = (await this.docker.listServices({ filters: { label: labelFilter(this.options.extraLabels, more) } })) as SwarmService[];
      if (services.length === 0) return [];
      try {
        const [tasks, nodes] = await Promise.all([
          this.docker.listTasks({ filters: { service: services.map((service) => service.ID) } }) as Promise<SwarmTask[]>,
          this.docker.listNodes() as Promise<SwarmNodeInfo[]>,
        ]);
        return allocationsFromTasks(services, tasks, nodes, this.scope);
      } catch (error) {
        // A service removed between the two lists (a stop just ended) makes the task list 404: list again.
        if (statusOf(error) !== 404 || attempt === 3) throw error;
      }
    }
  }

  private stopPolling(): void {
    this.events.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.last = null;
    this.unavailable = false;
  }

  /** A reading now, or right after the one under way. */
  private pollSoon(): void {
    if (this.listeners.size === 0) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.polling = this.poll().finally(() => {
      this.polling = null;
      if (this.listeners.size === 0) return;
      if (this.pollAgain) {
        this.pollAgain = false;
        this.pollSoon();
        return;
      }
      this.timer = setTimeout(() => this.pollSoon(), this.pollIntervalMs);
      this.timer.unref();
    });
  }

  private async poll(): Promise<void> {
    let snapshot: TaskSnapshots;
    try {
      snapshot = snapshotOf(await this.observe());
    } catch (error) {
      // Nothing can be concluded from no answer; another error is a bug to see, but polling goes on.
      if (!(error instanceof RuntimeUnavailableError)) this.options.onError(error, "reading the swarm's tasks");
      else if (!this.unavailable) {
        this.unavailable = true;
        this.emit({ kind: 'disconnected', allocId: null, jobId: null, time: Date.now() });
      }
      return;
    }
    const time = Date.now();
    if (this.unavailable) {
      this.unavailable = false;
      this.emit({ kind: 'reconnected', allocId: null, jobId: null, time });
    }
    const before = this.last;
    this.last = snapshot;
    if (before) for (const event of taskChanges(before, snapshot, time)) this.emit(event);
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** No answer (a refused socket), or a manager that cannot answer for the swarm (no leader: 503), is RuntimeUnavailableError. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isConnectionError(error) || statusOf(error) === 503) {
        const { code } = error as { code?: string };
        const why = typeof code === 'string' ? code : engineMessage(error);
        throw new RuntimeUnavailableError(`the Swarm manager at ${this.options.address} does not answer (${why})`, { cause: error });
      }
      throw error;
    }
  }
}
