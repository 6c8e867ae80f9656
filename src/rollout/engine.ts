// The rollout engine: the parts of the rollout wired together behind the API the
// agent serves. Commands (commands.ts) record what people and the GitOps loop ask
// for; the watcher (watcher.ts) decides each job in rounds through reconcile() and
// the one pure apply step (apply.ts); placement (placement.ts) carries effects out
// on the runtime; recovery (recovery.ts) finishes what a crash or an outage cut
// short and adopts jobs the store lost. Progress goes to the event bus the agent
// gives it (model/events.ts), where the store's journal and every reporter listen.
//
// When the runtime does not answer (the Docker engine restarts, its socket is
// gone), nothing is concluded from it: no job is decided, every record stays as
// it is, the runtime is tried again with backoff, and once it answers each job is
// resumed as after a crash.
import type { AllocationRecord, DeckhandEvent, Deployment, EventListener, Job, VersionSource } from '../model/index.js';
import { dockerNetworkName, dockerVolumeName } from '../model/index.js';
import type { Driver, VolumePurge } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import { Commands } from './commands.js';
import type { Submitted } from './commands.js';
import type { RolloutContext } from './context.js';
import { EventBus } from '../util/index.js';
import { Placement } from './placement.js';
import { pullsAlways, resolveImages, unavailableImages, withPreviousDigests } from './images.js';
import type { ImageProblem, ResolvedImages } from './images.js';
import { TrafficSteering } from './traffic.js';
import type { TrafficOptions } from './traffic.js';
import type { JobEndpoint } from './endpoints.js';
import { Recovery } from './recovery.js';
import { RuntimeLink } from './runtime-link.js';
import type { SubmitInput } from './submit.js';
import { AllocationViews } from './views.js';
import { Watcher } from './watcher.js';
import type { StorageProblem } from '../store/index.js';

export { RolloutError } from './commands.js';
export type { RolloutErrorKind, Submitted } from './commands.js';
export type { StorageProblem } from '../store/index.js';

export interface EngineOptions {
  store: Store;
  driver: Driver;
  now?: () => number;
  /** Called with errors the engine survives (a failed stop, a lost event stream). */
  onError?: (error: unknown, context: string) => void;
  /** Called after each round of a job with how long it took (metrics). */
  onReconciled?: (jobId: string, durationMs: number) => void;
  /** Backoff between attempts to reach the runtime once it stopped answering. */
  runtimeRetryDelayMs?: { initial: number; max: number };
  /** Backoff before a job whose round failed (its store write failed, say) is tried again. */
  retryDelayMs?: { initial: number; max: number };
  /** The bus progress goes to; the engine's own when absent. */
  events?: EventBus<DeckhandEvent>;
  /** Steers the endpoints (the edge) after every change; none: jobs' endpoints are not served. */
  traffic?: Omit<TrafficOptions, 'onError'>;
}

const terminal = new Set(['successful', 'failed', 'cancelled']);

export class RolloutEngine {
  private readonly context: RolloutContext;
  private readonly events: EventBus<DeckhandEvent>;
  private readonly runtime: RuntimeLink;
  private readonly commands: Commands;
  private readonly watcher: Watcher;
  private readonly recovery: Recovery;
  private unsubscribe: (() => void) | null = null;
  private trafficTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Why the runtime did not answer the last time it was asked (at start, or once it went away). */
  private runtimeError: string | null = null;

  constructor(options: EngineOptions) {
    const { store, driver } = options;
    const now = options.now ?? Date.now;
    const onError = options.onError ?? (() => {});
    this.events = options.events ?? new EventBus<DeckhandEvent>((error) => onError(error, 'reporting progress'));
    const toResume = new Set<string>();
    this.runtime = new RuntimeLink(driver, {
      retryDelayMs: options.runtimeRetryDelayMs,
      onError,
      onDown: (error, retryFromMs) => {
        this.runtimeError = error.message;
        for (const job of store.listJobs()) toResume.add(job.id);
        this.events.publish({ type: 'runtime', jobId: null, message: `${error.message}; nothing is changed until it answers again (retrying from ${retryFromMs} ms with backoff)` });
        onError(error, 'reaching the runtime');
      },
      onUp: () => {
        this.events.publish({ type: 'runtime', jobId: null, message: 'the runtime answers again; resuming every job' });
        for (const job of store.listJobs()) this.schedule(job.id);
      },
    });
    // Backends at the containers' own addresses, as the engine last observed them.
    const addressOf = (allocId: string, portLabel: string) => this.runtime.observations.get(allocId)?.addresses?.[portLabel];
    const report = (jobId: string, message: string) => this.events.publish({ type: 'job', jobId, message });
    const traffic = options.traffic ? new TrafficSteering(store, { addressOf, report, ...options.traffic, onError }) : null;
    this.context = { store, driver, runtime: this.runtime, events: this.events, now, onError, schedule: (jobId) => this.schedule(jobId), toResume, traffic };
    if (traffic) {
      this.events.subscribe((event) => {
        if (event.type === 'allocation' || event.type === 'deployment' || event.type === 'job' || event.type === 'version') void traffic.sync();
      });
      // A container Docker restarted by itself may come back at another address, with no
      // rollout event: once an edge serves, the table is compared again every little while
      // (written only when it changed). Without endpoints the store is not read for it.
      this.trafficTimer = setInterval(() => {
        if (traffic.serving) void traffic.sync();
      }, 2000);
      this.trafficTimer.unref();
    }
    const views = new AllocationViews(this.runtime, driver);
    const placement = new Placement(this.context, views);
    this.commands = new Commands(this.context);
    this.recovery = new Recovery(this.context, placement, this.commands);
    this.watcher = new Watcher(
      this.context,
      { views, placement, recovery: this.recovery, commands: this.commands },
      { ...(options.onReconciled ? { onReconciled: options.onReconciled } : {}), ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}) },
    );
  }

  /** Subscribes to the bus the engine reports to (the agent's: every event, not only the rollout's). */
  onProgress(listener: EventListener): () => void {
    return this.events.subscribe(listener);
  }

  /**
   * Reads what runs, adopts jobs the store lost, then resumes every job. When the
   * runtime does not answer it rejects with a RuntimeUnavailableError that says
   * where it looked, having changed nothing; calling it again tries again.
   */
  async start(): Promise<void> {
    if (this.closed) throw new Error('the rollout engine is closed');
    const { store, driver, toResume } = this.context;
    if (!this.unsubscribe) {
      this.unsubscribe = driver.subscribe((event) => this.watcher.onRuntimeEvent(event));
      for (const job of store.listJobs()) toResume.add(job.id);
      // The edge may have served an older table while the agent was away.
      void this.context.traffic?.sync();
    }
    if (this.runtime.up) return;
    try {
      await this.runtime.connect();
    } catch (error) {
      this.runtimeError = (error as Error).message;
      throw error;
    }
    this.runtimeError = null;
    this.recovery.adoptUnknownJobs();
    this.recovery.reportUnknownContainers();
    for (const job of store.listJobs()) this.schedule(job.id);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.trafficTimer) clearInterval(this.trafficTimer);
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.runtime.close();
    await this.watcher.close();
  }

  /** Whether the runtime answered the last time it was asked. */
  get runtimeAvailable(): boolean {
    return this.runtime.up;
  }

  /** Why the runtime cannot be used now; null while it answers, or before a first try. */
  get runtimeProblem(): string | null {
    return this.runtime.up ? null : this.runtimeError;
  }

  /** Set while the store cannot be written; rollouts wait, and resume once a write succeeds. */
  get storageProblem(): StorageProblem | null {
    return this.context.store.storageProblem;
  }

  // ---- commands ----

  submit(input: Omit<SubmitInput, 'now'>): Submitted {
    return this.commands.submit(input);
  }

  revert(jobId: string, version: number, source: Partial<VersionSource> = {}): Submitted {
    return this.commands.revert(jobId, version, source);
  }

  promote(jobId: string): Deployment {
    return this.commands.promote(jobId);
  }

  /**
   * Stops a job: its allocations are stopped; `purge` also forgets it. Its volumes
   * hold data: a purge removes those deckhand made only with `volumes` (as `docker
   * compose down --volumes`), and never one another job mounts or an external one;
   * the answer says which were removed and which kept.
   */
  async stopJob(jobId: string, purge = false, options: { volumes?: boolean } = {}): Promise<{ volumes: VolumePurge | null }> {
    this.commands.stop(jobId);
    await this.watcher.settled(jobId);
    if (!purge) return { volumes: null };
    const versions = this.context.store.listVersions(jobId);
    // The networks any version made, gone with the job as `docker compose down` removes them.
    const networks = new Set(versions.flatMap(({ job }) => job.networks.filter((n) => !n.external).map((n) => dockerNetworkName(jobId, n))));
    const volumes = this.purgeableVolumes(jobId, versions.map((v) => v.job));
    this.context.store.purgeJob(jobId);
    await this.context.driver.releaseNetworks([...networks]).catch((error: unknown) => this.context.onError(error, 'removing the networks of a purged job'));
    return { volumes: await this.context.driver.purgeVolumes([...volumes.names], options.volumes === true, volumes.shared) };
  }

  /** The volumes any version of the job made; those another job mounts too (a Kubernetes claim of its namespace) are kept, with why. */
  private purgeableVolumes(jobId: string, jobs: Job[]): { names: Set<string>; shared: Record<string, string> } {
    const named = (id: string, job: Job) => (job.volumes ?? []).filter((v) => !v.external).map((v) => dockerVolumeName(id, v));
    const names = new Set(jobs.flatMap((job) => named(jobId, job)));
    const shared: Record<string, string> = {};
    for (const other of this.context.store.listJobs()) {
      if (other.id === jobId) continue;
      const current = this.context.store.getVersion(other.id, other.version)?.job;
      for (const name of current ? named(other.id, current) : []) if (names.has(name)) shared[name] ??= `job "${other.id}" mounts it too`;
    }
    return { names, shared };
  }

  /** A job's endpoints and the allocations each sends connections to; none when the agent serves no endpoints. */
  endpointsOf(jobId: string): Array<JobEndpoint & { error: string | null }> {
    const traffic = this.context.traffic;
    return traffic?.endpoints().filter((e) => e.jobId === jobId).map((e) => ({ ...e, error: traffic.listenErrorOf(e.port) })) ?? [];
  }

  setHealth(allocId: string, healthy: boolean): AllocationRecord {
    return this.commands.setHealth(allocId, healthy);
  }

  latestDeployment(jobId: string): Deployment | undefined {
    return this.commands.latestDeployment(jobId);
  }

  // ---- images ----

  /**
   * The job with the digests of its tags pulled always, from their registries
   * (rollout/images.ts); call before submit and plan. Without a runtime that
   * pulls, each task keeps its newest version's digest.
   */
  async resolveImages(job: Job): Promise<ResolvedImages> {
    const record = this.context.store.getJob(job.id);
    const previous = record ? this.context.store.getVersion(job.id, record.version)?.job : undefined;
    const registry = this.context.driver.imageRegistry;
    if (!registry) return { job: withPreviousDigests(job, previous), problems: [] };
    return resolveImages(job, previous, registry);
  }

  /** Whether some task of the job follows a moving tag (pulled always): its digest is asked again on each sync. */
  followsTags(job: Job): boolean {
    const registry = this.context.driver.imageRegistry;
    return registry !== undefined && pullsAlways(job, registry.defaultPullPolicy);
  }

  /** Images the job's allocations could not start from (absent, and not pullable); for plan warnings. */
  async unavailableImages(job: Job): Promise<ImageProblem[]> {
    const registry = this.context.driver.imageRegistry;
    return registry ? unavailableImages(job, registry) : [];
  }

  // ---- the watcher ----

  /** Queues a round of one job. */
  schedule(jobId: string): void {
    if (!this.closed) this.watcher.schedule(jobId);
  }

  /** Resolves once the job's queued work has run (tests and `stop` wait on it). */
  settled(jobId: string): Promise<void> {
    return this.watcher.settled(jobId);
  }

  /** Resolves when the deployment has ended (successful, failed, cancelled). */
  waitForDeployment(deploymentId: string, timeoutMs = 600_000): Promise<Deployment> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const deployment = this.context.store.getDeployment(deploymentId);
        if (deployment && terminal.has(deployment.status)) {
          done();
          resolve(deployment);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`deployment ${deploymentId.slice(0, 8)} did not end within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onProgress((event) => {
        if (event.type === 'deployment' && event.deployment.id === deploymentId) check();
      });
      const done = () => {
        clearTimeout(timer);
        off();
      };
      check();
    });
  }
}
