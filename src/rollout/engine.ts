// The deployment watcher and the core API the agent serves: submit, promote,
// revert, stop, health. For each job it reads the store and the runtime, asks
// reconcile() what to do, records each step in the store before acting (so a
// crash never loses track), acts through the driver, and reports progress.
//
// When the runtime does not answer (the Docker engine restarts, its socket is
// gone), nothing is concluded from it: the engine stops deciding, keeps every
// record as it is, tries again with backoff, and once the runtime answers
// resumes each job as after a crash: placements cut short are made again,
// stops cut short are finished.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Group, Job } from '../model/job.js';
import type { AllocationRecord, Deployment, JobVersion, VersionSource } from '../model/state.js';
import { groupSpecHash, jobSpecHash } from '../plan/change-rules.js';
import { RuntimeUnavailableError } from '../runtime/driver.js';
import type { Driver, RuntimeEvent } from '../runtime/driver.js';
import { isStorageError } from '../store/store.js';
import type { Store } from '../store/store.js';
import { timerDelay } from '../util/timer-delay.js';
import { cancel, isActive, promote as promoteDeployment, startDeployment } from './deployment.js';
import type { ProgressEvent, ProgressListener } from './events.js';
import { probeAllocation } from './health-probe.js';
import { reconcile } from './reconcile.js';
import type { AllocationView, Decision } from './reconcile-types.js';
import { descriptions } from './reconcile-types.js';
import { planAdoption } from './adopt.js';
import { RuntimeLink } from './runtime-link.js';
import { submitJob } from './submit.js';
import type { SubmitInput } from './submit.js';

export interface EngineOptions {
  store: Store;
  driver: Driver;
  now?: () => number;
  /** Called with errors the engine survives (a failed stop, a lost event stream). */
  onError?: (error: unknown, context: string) => void;
  /** Called after each reconcile of a job with how long it took (metrics). */
  onReconciled?: (jobId: string, durationMs: number) => void;
  /** Backoff between attempts to reach the runtime once it stopped answering. */
  runtimeRetryDelayMs?: { initial: number; max: number };
  /** Backoff before a job whose round failed (its store write failed, say) is tried again. */
  retryDelayMs?: { initial: number; max: number };
}

/** Why the store cannot be written, since when: reported by the API and metrics until a write succeeds again. */
export interface StorageProblem {
  message: string;
  since: number;
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

const terminal = new Set(['successful', 'failed', 'cancelled']);

export class RolloutEngine {
  private readonly store: Store;
  private readonly driver: Driver;
  private readonly now: () => number;
  private readonly listeners = new Set<ProgressListener>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** allocId → since when it has been ready; memory only (after a restart, min_healthy_time starts again). */
  private readonly readySince = new Map<string, number>();
  /** allocId → the note last told about it (why it waits); memory only: after a restart it is told once more. */
  private readonly notes = new Map<string, string>();
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  private readonly runtime: RuntimeLink;
  /** Jobs to resume (placements and stops cut short) before they are reconciled again. */
  private readonly toResume = new Set<string>();
  /** Allocations whose containers are being placed right now. */
  private readonly placing = new Set<string>();
  /** Allocations whose http/tcp checks the driver runs. */
  private readonly watching = new Set<string>();
  private reportedUnknown = false;
  /** Jobs whose last round failed: how many times in a row, for the backoff. */
  private readonly failedRounds = new Map<string, number>();
  private storage: StorageProblem | null = null;
  /** Why the runtime did not answer the last time it was asked (at start, or once it went away). */
  private runtimeError: string | null = null;

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.driver = options.driver;
    this.now = options.now ?? Date.now;
    this.runtime = new RuntimeLink(this.driver, {
      retryDelayMs: options.runtimeRetryDelayMs,
      onError: options.onError,
      onDown: (error, retryFromMs) => {
        this.runtimeError = error.message;
        for (const job of this.store.listJobs()) this.toResume.add(job.id);
        this.emit({ type: 'runtime', jobId: null, message: `${error.message}; nothing is changed until it answers again (retrying from ${retryFromMs} ms with backoff)` });
        this.options.onError?.(error, 'reaching the runtime');
      },
      onUp: () => {
        this.emit({ type: 'runtime', jobId: null, message: 'the runtime answers again; resuming every job' });
        for (const job of this.store.listJobs()) this.schedule(job.id);
      },
    });
  }

  onProgress(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Rebuilds the view from container labels and the store, then resumes every job.
   * When the runtime does not answer it rejects with a RuntimeUnavailableError that
   * says where it looked, having changed nothing; calling it again tries again.
   */
  async start(): Promise<void> {
    if (this.closed) throw new Error('the rollout engine is closed');
    if (!this.unsubscribe) {
      this.unsubscribe = this.driver.subscribe((event) => this.onRuntimeEvent(event));
      for (const job of this.store.listJobs()) this.toResume.add(job.id);
    }
    if (this.runtime.up) return;
    try {
      await this.runtime.connect();
    } catch (error) {
      this.runtimeError = (error as Error).message;
      throw error;
    }
    this.runtimeError = null;
    this.adoptUnknownJobs();
    this.reportUnknownContainers();
    for (const job of this.store.listJobs()) this.schedule(job.id);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.runtime.close();
    await Promise.allSettled([...this.queues.values()]);
  }

  /** Whether the runtime answered the last time it was asked. */
  get runtimeAvailable(): boolean {
    return this.runtime.up;
  }

  /** Why the runtime cannot be used now (it stopped answering, or never did since the start); null while it answers or before a first try. */
  get runtimeProblem(): string | null {
    return this.runtime.up ? null : this.runtimeError;
  }

  /** Set while the store cannot be written; rollouts wait, and resume once a write succeeds. */
  get storageProblem(): StorageProblem | null {
    return this.storage;
  }

  // ---- the core API ----

  /** Submits a job version; a deployment starts when anything must change. */
  submit(input: Omit<SubmitInput, 'now'>): { version: JobVersion; changed: boolean; deployment: Deployment | null } {
    const now = this.now();
    // Principle 5: a spec that failed and was reverted comes back only when a person asks (run, revert), never by itself.
    const automatic = input.source.kind === 'git' || input.source.kind === 'auto-revert';
    if (automatic && this.store.isSpecFailed(input.job.id, jobSpecHash(input.job))) {
      throw new EngineError(`job "${input.job.id}": this spec failed before and was rolled back; change the job to deploy it again`, 409);
    }
    // The version and its deployment land together: a crash between them would leave a version nobody deploys.
    const { result, started } = this.store.transaction(() => {
      const result = submitJob(this.store, { ...input, now });
      if (!result.changed) return { result, started: null };
      const stable = input.source.revertOf !== null ? this.store.getVersion(input.job.id, input.source.revertOf) : undefined;
      return { result, started: this.recordDeployment(result.version, stable?.stable === true) };
    });
    if (!started) return { ...result, deployment: null };
    this.emitStarted(started);
    this.emit({ type: 'version', jobId: input.job.id, version: result.version, message: `version ${result.version.version} submitted` });
    this.schedule(input.job.id);
    return { ...result, deployment: started.deployment };
  }

  /** `deckhand revert JOB VERSION`: a new version with an earlier version's spec. */
  revert(jobId: string, version: number, source: Partial<VersionSource> = {}): { version: JobVersion; changed: boolean; deployment: Deployment | null } {
    const target = this.store.getVersion(jobId, version);
    if (!this.store.getJob(jobId)) throw new EngineError(`job "${jobId}" not found`, 404);
    if (!target) {
      const known = this.store.listVersions(jobId).map((v) => v.version).join(', ');
      throw new EngineError(`job "${jobId}" has no version ${version} (versions: ${known})`, 404);
    }
    this.store.clearFailedSpecs(jobId);
    return this.submit({
      job: target.job,
      source: { kind: 'revert', commit: null, file: target.source.file, author: null, message: `Rolling back to job version ${version}`, ...source, revertOf: version },
      sourceText: target.sourceText,
    });
  }

  promote(jobId: string): Deployment {
    const deployment = this.latestDeployment(jobId);
    const version = deployment ? this.store.getVersion(jobId, deployment.jobVersion) : undefined;
    if (!deployment || !isActive(deployment) || !version) throw new EngineError(`job "${jobId}" has no running deployment to promote`, 409);
    if (deployment.groups.every((g) => g.desiredCanaries === 0 || g.promoted)) {
      throw new EngineError(`deployment ${deployment.id.slice(0, 8)} has no canaries to promote`, 409);
    }
    const deadlines = Object.fromEntries(version.job.groups.map((g) => [g.name, g.update.progressDeadlineMs]));
    const promoted = promoteDeployment(deployment, this.now(), deadlines);
    this.store.putDeployment(promoted);
    this.emitDeployment(promoted, 'promoted');
    this.schedule(jobId);
    return promoted;
  }

  /** Stops a job: its allocations are stopped; `purge` also forgets it. */
  async stopJob(jobId: string, purge = false): Promise<void> {
    const record = this.store.getJob(jobId);
    if (!record) throw new EngineError(`job "${jobId}" not found`, 404);
    const deployment = this.latestDeployment(jobId);
    this.store.transaction(() => {
      if (deployment && isActive(deployment)) this.store.putDeployment(cancel(deployment, descriptions.stopped, this.now()));
      this.store.setStopped(jobId, true, this.now());
    });
    this.emit({ type: 'job', jobId, message: 'job stopped' });
    this.schedule(jobId);
    await this.settled(jobId);
    if (purge) this.store.purgeJob(jobId);
  }

  /** `health_check = "manual"`: someone tells deckhand an allocation's health. */
  setHealth(allocId: string, healthy: boolean): AllocationRecord {
    const allocation = this.store.getAllocation(allocId);
    if (!allocation || allocation.desired !== 'run') throw new EngineError(`allocation ${allocId} not found`, 404);
    if (allocation.healthy !== null) throw new EngineError(`allocation ${allocId.slice(0, 8)} already has its health (${allocation.healthy ? 'healthy' : 'unhealthy'})`, 409);
    const now = this.now();
    const updated = { ...allocation, healthy, healthyAt: healthy ? now : null, modifiedAt: now };
    this.store.transaction(() => {
      this.store.putAllocation(updated);
      this.countHealth(updated, healthy);
    });
    this.schedule(allocation.jobId);
    return updated;
  }

  /** Resolves when the deployment has ended (successful, failed, cancelled). */
  waitForDeployment(deploymentId: string, timeoutMs = 600_000): Promise<Deployment> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const deployment = this.store.getDeployment(deploymentId);
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

  /** Resolves once the job's queued work has run (tests and `stop` wait on it). */
  async settled(jobId: string): Promise<void> {
    while (this.queues.has(jobId)) await this.queues.get(jobId);
  }

  latestDeployment(jobId: string): Deployment | undefined {
    return this.store.listDeployments(jobId)[0];
  }

  // ---- the watcher ----

  /** Queues a reconcile of one job; many requests while one runs collapse into one more run. */
  schedule(jobId: string): void {
    if (this.closed) return;
    if (this.pending.has(jobId)) return;
    this.pending.add(jobId);
    const previous = this.queues.get(jobId) ?? Promise.resolve();
    const run = previous
      .then(async () => {
        this.pending.delete(jobId);
        const started = performance.now();
        await this.reconcileJob(jobId);
        this.options.onReconciled?.(jobId, performance.now() - started);
        this.roundSucceeded(jobId);
      })
      .catch((error) => this.roundFailed(jobId, error))
      .finally(() => {
        if (this.queues.get(jobId) === run) this.queues.delete(jobId);
      });
    this.queues.set(jobId, run);
  }

  /**
   * A round that threw (a write to a full disk, a Docker error nobody expected)
   * leaves the job as recorded; it is tried again with capped backoff rather than
   * waiting for some later event, so a rollout resumes once the trouble ends.
   */
  private roundFailed(jobId: string, error: unknown): void {
    this.options.onError?.(error, `reconciling job ${jobId}`);
    if (isStorageError(error) && !this.storage) this.storage = { message: `the store cannot be written: ${(error as Error).message}`, since: this.now() };
    const failures = (this.failedRounds.get(jobId) ?? 0) + 1;
    this.failedRounds.set(jobId, failures);
    const { initial, max } = this.options.retryDelayMs ?? { initial: 1_000, max: 30_000 };
    this.wakeAt(jobId, this.now() + Math.min(max, initial * 2 ** (failures - 1)));
  }

  private roundSucceeded(jobId: string): void {
    if (this.failedRounds.delete(jobId) && this.storage) {
      this.storage = null;
      this.emit({ type: 'runtime', jobId: null, message: 'the store can be written again; rollouts resume' });
    }
  }

  private async reconcileJob(jobId: string): Promise<void> {
    // Nothing is decided on a view the runtime did not give: the job waits for it to answer again.
    if (!this.runtime.up) return;
    if (this.toResume.delete(jobId)) await this.resumeJob(jobId);
    // Decisions are applied, then reconcile runs again on the new state, until it has nothing left to do now.
    for (let round = 0; round < 50 && !this.closed && this.runtime.up; round++) {
      const decisions = this.decide(jobId);
      if (!decisions) return;
      const acting = decisions.filter((d) => d.kind !== 'wait');
      const wait = Math.min(...decisions.filter((d): d is Extract<Decision, { kind: 'wait' }> => d.kind === 'wait').map((d) => d.until));
      if (acting.length === 0) {
        if (Number.isFinite(wait)) this.wakeAt(jobId, wait);
        return;
      }
      // Bookkeeping first, in order; then containers: stops together, then placements together.
      const containerWork = (d: Decision) => d.kind === 'place' || d.kind === 'stop';
      for (const decision of acting.filter((d) => !containerWork(d))) await this.apply(jobId, decision);
      // A deployment that just ended changes what comes next: decide again before touching containers.
      if (acting.some((d) => d.kind === 'fail' || d.kind === 'complete' || d.kind === 'pause')) continue;
      await Promise.all(acting.filter((d) => d.kind === 'stop').map((d) => this.apply(jobId, d)));
      // Placed beside what may still run when a stop did not reach the runtime: no, wait for it.
      if (!this.runtime.up) return;
      await Promise.all(acting.filter((d) => d.kind === 'place').map((d) => this.apply(jobId, d)));
    }
  }

  private decide(jobId: string): Decision[] | null {
    const record = this.store.getJob(jobId);
    if (!record) return null;
    const latest = this.store.getVersion(jobId, record.version);
    if (!latest) return null;
    const job = record.stopped ? null : latest.job;
    const now = this.now();
    const records = this.store.listAllocations(jobId).filter((a) => a.desired === 'run');
    const allocations = records.map((a) => this.view(a, job ?? latest.job, now));
    return reconcile({
      now,
      job,
      version: record.version,
      groupHashes: Object.fromEntries(latest.job.groups.map((g) => [g.name, groupSpecHash(g)])),
      deployment: this.latestDeployment(jobId) ?? null,
      allocations,
    });
  }

  private view(a: AllocationRecord, job: Job, now: number): AllocationView {
    const group = job.groups.find((g) => g.name === a.group);
    const base = {
      id: a.id, group: a.group, index: a.index, jobVersion: a.jobVersion, specHash: a.specHash, deploymentId: a.deploymentId, canary: a.canary,
      status: a.status, healthy: a.healthy, healthyAt: a.healthyAt, unhealthyAt: a.healthy === false ? a.modifiedAt : null, createdAt: a.createdAt,
      note: this.notes.get(a.id) ?? null,
    };
    if (a.status === 'pending') return { ...base, probe: 'not-ready', readySince: null, failure: null, tasksRunning: false };
    if (a.status === 'failed') return { ...base, probe: 'failed', readySince: null, failure: a.description || 'it failed', tasksRunning: false };
    const mode = group?.update.healthCheck ?? 'task_states';
    const result = probeAllocation(this.runtime.observations.get(a.id), this.driver.checkStatus(a.id), mode, group?.tasks.map((t) => t.name) ?? []);
    if (result.probe === 'ready') {
      if (!this.readySince.has(a.id)) this.readySince.set(a.id, now);
    } else {
      this.readySince.delete(a.id);
    }
    return { ...base, probe: result.probe, readySince: this.readySince.get(a.id) ?? null, failure: result.reason, tasksRunning: result.tasksRunning };
  }

  private async apply(jobId: string, decision: Decision): Promise<void> {
    const now = this.now();
    switch (decision.kind) {
      case 'place':
        return this.place(jobId, decision.group, decision.index, decision.canary);
      case 'stop':
        if (decision.drift) this.recordDrift(jobId, decision.allocId, decision.reason);
        return this.stopAllocation(decision.allocId, decision.reason);
      case 'update-in-place': {
        const record = this.store.getJob(jobId)!;
        const allocation = this.store.getAllocation(decision.allocId)!;
        const group = this.store.getVersion(jobId, record.version)!.job.groups.find((g) => g.name === allocation.group)!;
        const updated = { ...allocation, jobVersion: record.version, modifiedAt: now };
        this.store.putAllocation(updated);
        await this.driver.updateRestartPolicy(allocation.id, group.restart).catch((error: unknown) => {
          if (error instanceof RuntimeUnavailableError) this.runtime.down(error);
          else this.options.onError?.(error, 'updating a restart policy');
        });
        this.emit({ type: 'allocation', jobId, allocation: updated, message: `allocation ${allocation.id.slice(0, 8)} updated in place to version ${record.version}` });
        return;
      }
      case 'set-health': {
        const allocation = this.store.getAllocation(decision.allocId)!;
        const updated = { ...allocation, healthy: decision.healthy, healthyAt: decision.healthy ? now : null, modifiedAt: now, description: decision.healthy ? allocation.description : decision.reason };
        // Together: a crash between them would forget an unhealthy allocation that counts against the failure ratio.
        this.store.transaction(() => {
          this.store.putAllocation(updated);
          this.countHealth(updated, decision.healthy);
        });
        this.emit({ type: 'allocation', jobId, allocation: updated, message: `allocation ${allocation.id.slice(0, 8)} is ${decision.healthy ? 'healthy' : `unhealthy: ${decision.reason}`}` });
        return;
      }
      case 'progress':
        return this.updateDeployment(jobId, (d) => ({ ...d, groups: d.groups.map((g) => (g.name === decision.group ? { ...g, requireProgressBy: decision.requireProgressBy } : g)) }), null);
      case 'promote': {
        const deployment = this.latestDeployment(jobId)!;
        const version = this.store.getVersion(jobId, deployment.jobVersion)!;
        const promoted = promoteDeployment(deployment, now, Object.fromEntries(version.job.groups.map((g) => [g.name, g.update.progressDeadlineMs])));
        this.store.putDeployment(promoted);
        this.emitDeployment(promoted, 'canaries promoted automatically');
        return;
      }
      case 'describe':
        return this.updateDeployment(jobId, (d) => ({ ...d, description: decision.description }), decision.description);
      case 'note': {
        if (decision.reason === null) {
          this.notes.delete(decision.allocId);
          return;
        }
        this.notes.set(decision.allocId, decision.reason);
        const allocation = this.store.getAllocation(decision.allocId);
        if (allocation) this.emit({ type: 'allocation', jobId, allocation, message: `allocation ${allocation.id.slice(0, 8)} ${decision.reason}` });
        return;
      }
      case 'complete': {
        const deployment = this.latestDeployment(jobId)!;
        this.store.transaction(() => {
          this.store.putDeployment({ ...deployment, status: 'successful', description: decision.description, updatedAt: now });
          this.store.setStable(jobId, deployment.jobVersion, true);
        });
        this.emitDeployment(this.latestDeployment(jobId)!, decision.description);
        return;
      }
      case 'pause':
        return this.updateDeployment(jobId, (d) => ({ ...d, status: 'paused', description: decision.description }), decision.description);
      case 'fail':
        return this.fail(jobId, decision.description, decision.revert);
      case 'wait':
        return;
    }
  }

  private async place(jobId: string, groupName: string, index: number, canary: boolean): Promise<void> {
    const record = this.store.getJob(jobId)!;
    const version = this.store.getVersion(jobId, record.version)!;
    const group = version.job.groups.find((g) => g.name === groupName)!;
    const deployment = this.latestDeployment(jobId);
    const deploymentId = deployment && isActive(deployment) && deployment.jobVersion === record.version ? deployment.id : null;
    const now = this.now();
    const allocation: AllocationRecord = {
      id: randomUUID().replace(/-/g, ''), jobId, group: groupName, index, jobVersion: record.version, specHash: groupSpecHash(group), deploymentId,
      desired: 'run', status: 'pending', healthy: null, healthyAt: null, canary, containers: {}, ports: {}, description: '', createdAt: now, modifiedAt: now,
    };
    // Recorded before the containers exist: after a crash, the record tells what was being done.
    this.store.transaction(() => {
      this.store.putAllocation(allocation);
      if (deploymentId) {
        const d = this.store.getDeployment(deploymentId)!;
        this.store.putDeployment({
          ...d,
          updatedAt: now,
          groups: d.groups.map((g) => (g.name === groupName ? { ...g, placed: g.placed + 1, canaries: canary ? [...g.canaries, allocation.id] : g.canaries } : g)),
        });
      }
    });
    this.emit({ type: 'allocation', jobId, allocation, message: `placing allocation ${allocation.id.slice(0, 8)} (${groupName}[${index}]${canary ? ', canary' : ''})` });
    await this.startContainers(allocation);
  }

  /** Creates a recorded allocation's containers: for a new allocation, or again for one whose placement was cut short. */
  private async startContainers(allocation: AllocationRecord): Promise<void> {
    const { jobId } = allocation;
    const job = this.store.getVersion(jobId, allocation.jobVersion)?.job;
    const group = job?.groups.find((g) => g.name === allocation.group);
    if (!job || !group) {
      const failed = { ...allocation, status: 'failed' as const, description: `version ${allocation.jobVersion} has no group "${allocation.group}"`, modifiedAt: this.now() };
      this.store.putAllocation(failed);
      return;
    }
    this.placing.add(allocation.id);
    try {
      const placed = await this.driver.place({
        allocId: allocation.id, jobId, jobVersion: allocation.jobVersion, deploymentId: allocation.deploymentId, group, index: allocation.index, specHash: allocation.specHash, job,
      });
      const running = { ...allocation, status: 'running' as const, containers: placed.containers, ports: placed.ports, description: '', modifiedAt: this.now() };
      this.store.putAllocation(running);
      this.watchChecks(running.id, jobId, group, placed.ports);
      await this.runtime.refreshAllocation(running.id);
      this.emit({ type: 'allocation', jobId, allocation: running, message: `allocation ${allocation.id.slice(0, 8)} started` });
    } catch (error) {
      if (error instanceof RuntimeUnavailableError) {
        // Not the allocation's fault: it stays pending, and is placed again once the runtime answers.
        const waiting = { ...allocation, description: `waiting for the runtime: ${error.message}`, modifiedAt: this.now() };
        this.store.putAllocation(waiting);
        this.emit({ type: 'allocation', jobId, allocation: waiting, message: `allocation ${allocation.id.slice(0, 8)} waits for the runtime: ${error.message}` });
        this.runtime.down(error);
        return;
      }
      const failed = { ...allocation, status: 'failed' as const, description: error instanceof Error ? error.message : String(error), modifiedAt: this.now() };
      this.store.putAllocation(failed);
      this.emit({ type: 'allocation', jobId, allocation: failed, message: `allocation ${allocation.id.slice(0, 8)} failed to start: ${failed.description}` });
    } finally {
      this.placing.delete(allocation.id);
    }
  }

  /** What runs no longer matches what deckhand started: the job's events say so (self-heal puts it back). */
  private recordDrift(jobId: string, allocId: string, reason: string): void {
    const allocation = this.store.getAllocation(allocId);
    const where = allocation ? ` (${allocation.group}[${allocation.index}])` : '';
    this.store.appendEvent({ time: this.now(), jobId, deploymentId: null, type: 'drift', message: `drift: allocation ${allocId.slice(0, 8)}${where} ${reason}`, details: { allocId } });
  }

  private async stopAllocation(allocId: string, reason: string): Promise<void> {
    const allocation = this.store.getAllocation(allocId);
    if (!allocation) return;
    const stopping = { ...allocation, desired: 'stop' as const, modifiedAt: this.now(), description: allocation.description || reason };
    this.store.putAllocation(stopping);
    this.readySince.delete(allocId);
    this.notes.delete(allocId);
    if (await this.removeContainers(stopping)) {
      this.emit({ type: 'allocation', jobId: allocation.jobId, allocation: this.store.getAllocation(allocId)!, message: `allocation ${allocId.slice(0, 8)} stopped: ${reason}` });
    }
  }

  /** Removes the containers of an allocation recorded as stopping; false when the runtime did not answer (resuming finishes it). */
  private async removeContainers(allocation: AllocationRecord): Promise<boolean> {
    this.unwatchChecks(allocation.id);
    try {
      await this.driver.stop(allocation.id);
      const status = allocation.status === 'failed' ? 'failed' : 'complete';
      this.store.putAllocation({ ...allocation, status, modifiedAt: this.now() });
    } catch (error) {
      if (error instanceof RuntimeUnavailableError) {
        this.runtime.down(error);
        return false;
      }
      this.options.onError?.(error, `stopping allocation ${allocation.id.slice(0, 8)}`);
      // Tried again before the job's next reconcile.
      this.toResume.add(allocation.jobId);
    }
    this.runtime.forget(allocation.id);
    return true;
  }

  private async fail(jobId: string, description: string, revert: boolean): Promise<void> {
    const deployment = this.latestDeployment(jobId)!;
    const version = this.store.getVersion(jobId, deployment.jobVersion)!;
    const stable = revert ? this.store.listVersions(jobId).find((v) => v.stable && v.specHash !== version.specHash) : undefined;
    const text = stable ? `${description} - rolling back to job version ${stable.version}` : description;
    // The failure and its rollback land together: a crash between them would lose the rollback.
    const reverted = this.store.transaction(() => {
      this.store.putDeployment({ ...deployment, status: 'failed', description: text, updatedAt: this.now() });
      if (!stable) return null;
      this.store.markSpecFailed(jobId, version.specHash, this.now());
      const submitted = submitJob(this.store, {
        job: stable.job,
        source: { kind: 'auto-revert', commit: stable.source.commit, file: stable.source.file, author: null, message: `Rolling back to job version ${stable.version}`, revertOf: stable.version },
        sourceText: stable.sourceText,
        now: this.now(),
      });
      return { version: submitted.version, started: this.recordDeployment(submitted.version, true) };
    });
    this.emitDeployment(this.store.getDeployment(deployment.id)!, text);
    if (!reverted || !stable) return;
    this.emit({ type: 'version', jobId, version: reverted.version, message: `version ${reverted.version.version} reverts to version ${stable.version}` });
    this.emitStarted(reverted.started);
  }

  /** Records a new deployment of a version, cancelling the one it supersedes; events follow once it is stored. */
  private recordDeployment(version: JobVersion, rollback: boolean): { deployment: Deployment; cancelled: Deployment | null; version: number } {
    const now = this.now();
    const previous = this.latestDeployment(version.jobId);
    const deployment = startDeployment({ id: randomUUID().replace(/-/g, ''), job: version.job, version: version.version, now, rollback });
    const cancelled = previous && isActive(previous) ? cancel(previous, descriptions.newerVersion, now) : null;
    this.store.transaction(() => {
      if (cancelled) this.store.putDeployment(cancelled);
      this.store.putDeployment(deployment);
    });
    return { deployment, cancelled, version: version.version };
  }

  private emitStarted(started: { deployment: Deployment; cancelled: Deployment | null; version: number }): void {
    if (started.cancelled) this.emitDeployment(started.cancelled, descriptions.newerVersion);
    this.emitDeployment(started.deployment, `deployment ${started.deployment.id.slice(0, 8)} of version ${started.version} started`);
  }

  private countHealth(allocation: AllocationRecord, healthy: boolean): void {
    if (!allocation.deploymentId) return;
    const deployment = this.store.getDeployment(allocation.deploymentId);
    if (!deployment) return;
    const groups = deployment.groups.map((g) => (g.name === allocation.group ? (healthy ? { ...g, healthy: g.healthy + 1 } : { ...g, unhealthy: g.unhealthy + 1 }) : g));
    this.store.putDeployment({ ...deployment, groups, updatedAt: this.now() });
  }

  private updateDeployment(jobId: string, change: (d: Deployment) => Deployment, message: string | null): void {
    const deployment = this.latestDeployment(jobId);
    if (!deployment) return;
    const updated = { ...change(deployment), updatedAt: this.now() };
    this.store.putDeployment(updated);
    if (message) this.emitDeployment(updated, message);
  }

  private wakeAt(jobId: string, at: number): void {
    const existing = this.timers.get(jobId);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(jobId);
      this.schedule(jobId);
    }, timerDelay(Math.max(0, at - this.now()) + 5));
    timer.unref();
    this.timers.set(jobId, timer);
  }

  private onRuntimeEvent(event: RuntimeEvent): void {
    // Before start() reached the runtime there is nothing to refresh; start() reads everything.
    if (this.runtime.state === 'connecting' || this.closed) return;
    // A check's result changes no container: the job only needs deciding again.
    if (event.kind === 'check' && event.jobId) {
      this.schedule(event.jobId);
      return;
    }
    const read = event.allocId ? this.runtime.refreshAllocation(event.allocId) : this.runtime.refresh();
    void read
      .then((answered) => {
        if (!answered) return;
        if (event.jobId) this.schedule(event.jobId);
        else for (const job of this.store.listJobs()) this.schedule(job.id);
      })
      .catch((error) => this.options.onError?.(error, 'reading the runtime'));
  }

  /**
   * Before a job is reconciled after a start or after the runtime came back: stops
   * that were cut short are finished; placements that were cut short are adopted
   * when all their containers run, else placed again (leftovers removed); running
   * allocations get their checks back. Nothing here counts against an allocation's health.
   */
  private async resumeJob(jobId: string): Promise<void> {
    const allocations = this.store.listAllocations(jobId);
    // Stops first: a placement made again must not run beside what it replaces.
    for (const allocation of allocations.filter((a) => a.desired === 'stop' && this.runtime.observations.has(a.id))) {
      if (!(await this.removeContainers(allocation))) return;
    }
    for (const allocation of allocations) {
      if (allocation.desired !== 'run' || this.placing.has(allocation.id)) continue;
      const observed = this.runtime.observations.get(allocation.id);
      if (allocation.status === 'running' && observed && !this.watching.has(allocation.id)) {
        const group = this.store.getVersion(jobId, allocation.jobVersion)?.job.groups.find((g) => g.name === allocation.group);
        if (group) this.watchChecks(allocation.id, jobId, group, observed.ports);
      }
      if (allocation.status !== 'pending') continue;
      if (observed && observed.tasks.every((t) => t.state === 'running')) {
        const containers = Object.fromEntries(observed.tasks.map((t) => [t.task, t.containerId ?? '']));
        const running = { ...allocation, status: 'running' as const, containers, ports: observed.ports, description: '', modifiedAt: this.now() };
        this.store.putAllocation(running);
        const group = this.store.getVersion(jobId, allocation.jobVersion)?.job.groups.find((g) => g.name === allocation.group);
        if (group) this.watchChecks(allocation.id, jobId, group, observed.ports);
        this.emit({ type: 'allocation', jobId, allocation: running, message: `allocation ${allocation.id.slice(0, 8)} adopted: its containers run` });
        continue;
      }
      this.emit({ type: 'allocation', jobId, allocation, message: `placing allocation ${allocation.id.slice(0, 8)} again (${allocation.group}[${allocation.index}]): its placement was cut short` });
      await this.startContainers(allocation);
      if (!this.runtime.up) return;
    }
  }

  /**
   * Jobs whose containers run but which the store does not know (a lost or fresh
   * data directory): rebuilt from the spec, version and spec hashes the containers
   * carry, so nothing is placed twice. A job whose allocations all run its newest
   * spec is taken over as it is; one caught mid-rollout gets a deployment that
   * replaces only what does not match.
   */
  private adoptUnknownJobs(): void {
    const now = this.now();
    const { adopted } = planAdoption(this.runtime.observations.values(), (jobId) => this.store.getJob(jobId) !== undefined, now);
    for (const { job, version, allocations, settled } of adopted) {
      const message = `Adopted from ${allocations.length} running allocation${allocations.length === 1 ? '' : 's'}: the data directory had no record of this job`;
      const { recorded, started } = this.store.transaction(() => {
        const source: VersionSource = { kind: 'adopted', commit: null, file: job.source.file, author: null, message, revertOf: null };
        const recorded = this.store.submitVersion({ job, specHash: jobSpecHash(job), source, sourceText: null, submittedAt: now, firstVersion: version });
        for (const allocation of allocations) this.store.putAllocation(allocation);
        if (settled) this.store.setStable(job.id, recorded.version, true);
        return { recorded, started: settled ? null : this.recordDeployment(recorded, false) };
      });
      this.emit({ type: 'version', jobId: job.id, version: recorded, message: `job "${job.id}" version ${recorded.version}: ${message.charAt(0).toLowerCase()}${message.slice(1)}` });
      if (started) this.emitStarted(started);
    }
  }

  /** Containers no record knows of are reported once, not removed (only a prune removes them). */
  private reportUnknownContainers(): void {
    if (this.reportedUnknown) return;
    this.reportedUnknown = true;
    const known = new Set(this.store.listAllocations().map((a) => a.id));
    // One line per job and reason: an engine shared with other agents may hold hundreds.
    const unknown = new Map<string, { jobId: string; why: string; allocIds: string[] }>();
    for (const observed of this.runtime.observations.values()) {
      if (known.has(observed.allocId)) continue;
      const why = !observed.inScope
        ? 'were placed by an agent with other --labels'
        : this.store.getJob(observed.jobId)
          ? 'belong to no known allocation of the job'
          : 'carry no job spec deckhand can read (placed by an older deckhand?)';
      const key = `${observed.jobId}\n${why}`;
      const entry = unknown.get(key) ?? { jobId: observed.jobId, why, allocIds: [] };
      entry.allocIds.push(observed.allocId.slice(0, 8));
      unknown.set(key, entry);
    }
    for (const { jobId, why, allocIds } of unknown.values()) {
      const which = allocIds.length === 1 ? `allocation ${allocIds[0]}` : `${allocIds.length} allocations (${allocIds.slice(0, 5).join(', ')}${allocIds.length > 5 ? ', ...' : ''})`;
      this.emit({ type: 'runtime', jobId, message: `containers of ${which} of job ${jobId} ${why}; left alone (docker rm -f removes them if they are not wanted)` });
    }
  }

  private watchChecks(allocId: string, jobId: string, group: Group, ports: Record<string, number>): void {
    this.driver.watchChecks(allocId, jobId, group.tasks.flatMap((t) => t.checks), ports);
    this.watching.add(allocId);
  }

  private unwatchChecks(allocId: string): void {
    this.driver.unwatchChecks(allocId);
    this.watching.delete(allocId);
  }

  private emitDeployment(deployment: Deployment, message: string): void {
    this.emit({ type: 'deployment', jobId: deployment.jobId, deployment, message });
  }

  private emit(event: ProgressEvent): void {
    this.store.appendEvent({
      time: this.now(),
      jobId: event.jobId ?? '',
      deploymentId: event.type === 'deployment' ? event.deployment.id : event.type === 'allocation' ? event.allocation.deploymentId : null,
      type: event.type,
      message: event.message,
      details: null,
    });
    for (const listener of this.listeners) listener(event);
  }
}
