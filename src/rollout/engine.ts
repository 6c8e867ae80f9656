// The deployment watcher and the core API the agent serves: submit, promote,
// revert, stop, health. For each job it reads the store and the runtime, asks
// reconcile() what to do, records each step in the store before acting (so a
// crash never loses track), acts through the driver, and reports progress.
import { randomUUID } from 'node:crypto';
import type { Job } from '../model/job.js';
import type { AllocationRecord, Deployment, JobVersion, VersionSource } from '../model/state.js';
import { groupSpecHash, jobSpecHash } from '../plan/change-rules.js';
import type { AllocationObservation, Driver, RuntimeEvent } from '../runtime/driver.js';
import type { Store } from '../store/store.js';
import { cancel, isActive, promote as promoteDeployment, startDeployment } from './deployment.js';
import type { ProgressEvent, ProgressListener } from './events.js';
import { probeAllocation } from './health-probe.js';
import { reconcile } from './reconcile.js';
import type { AllocationView, Decision } from './reconcile-types.js';
import { descriptions } from './reconcile-types.js';
import { submitJob } from './submit.js';
import type { SubmitInput } from './submit.js';

export interface EngineOptions {
  store: Store;
  driver: Driver;
  now?: () => number;
  /** Called with errors the engine survives (a failed stop, a lost event stream). */
  onError?: (error: unknown, context: string) => void;
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
  private observations = new Map<string, AllocationObservation>();
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.driver = options.driver;
    this.now = options.now ?? Date.now;
  }

  onProgress(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rebuilds the view from container labels and the store, then resumes every job. */
  async start(): Promise<void> {
    this.unsubscribe = this.driver.subscribe((event) => this.onRuntimeEvent(event));
    await this.refreshObservations();
    await this.adoptRunning();
    for (const job of this.store.listJobs()) this.schedule(job.id);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.queues.values()]);
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
    const result = submitJob(this.store, { ...input, now });
    if (!result.changed) return { ...result, deployment: null };
    const stable = input.source.revertOf !== null ? this.store.getVersion(input.job.id, input.source.revertOf) : undefined;
    const deployment = this.startDeployment(result.version, stable?.stable === true);
    this.emit({ type: 'version', jobId: input.job.id, version: result.version, message: `version ${result.version.version} submitted` });
    this.schedule(input.job.id);
    return { ...result, deployment };
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
    if (deployment && isActive(deployment)) this.store.putDeployment(cancel(deployment, descriptions.stopped, this.now()));
    this.store.setStopped(jobId, true, this.now());
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
    this.store.putAllocation(updated);
    this.countHealth(updated, healthy);
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
        await this.reconcileJob(jobId);
      })
      .catch((error) => this.options.onError?.(error, `reconciling job ${jobId}`))
      .finally(() => {
        if (this.queues.get(jobId) === run) this.queues.delete(jobId);
      });
    this.queues.set(jobId, run);
  }

  private async reconcileJob(jobId: string): Promise<void> {
    // Decisions are applied, then reconcile runs again on the new state, until it has nothing left to do now.
    for (let round = 0; round < 50 && !this.closed; round++) {
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
    };
    if (a.status === 'pending') return { ...base, probe: 'not-ready', readySince: null, failure: null };
    if (a.status === 'failed') return { ...base, probe: 'failed', readySince: null, failure: a.description || 'it failed' };
    const mode = group?.update.healthCheck ?? 'task_states';
    const result = probeAllocation(this.observations.get(a.id), this.driver.checkStatus(a.id), mode, group?.tasks.map((t) => t.name) ?? []);
    if (result.probe === 'ready') {
      if (!this.readySince.has(a.id)) this.readySince.set(a.id, now);
    } else {
      this.readySince.delete(a.id);
    }
    return { ...base, probe: result.probe, readySince: this.readySince.get(a.id) ?? null, failure: result.reason };
  }

  private async apply(jobId: string, decision: Decision): Promise<void> {
    const now = this.now();
    switch (decision.kind) {
      case 'place':
        return this.place(jobId, decision.group, decision.index, decision.canary);
      case 'stop':
        return this.stopAllocation(decision.allocId, decision.reason);
      case 'update-in-place': {
        const record = this.store.getJob(jobId)!;
        const allocation = this.store.getAllocation(decision.allocId)!;
        const group = this.store.getVersion(jobId, record.version)!.job.groups.find((g) => g.name === allocation.group)!;
        const updated = { ...allocation, jobVersion: record.version, modifiedAt: now };
        this.store.putAllocation(updated);
        await this.driver.updateRestartPolicy(allocation.id, group.restart).catch((error) => this.options.onError?.(error, 'updating a restart policy'));
        this.emit({ type: 'allocation', jobId, allocation: updated, message: `allocation ${allocation.id.slice(0, 8)} updated in place to version ${record.version}` });
        return;
      }
      case 'set-health': {
        const allocation = this.store.getAllocation(decision.allocId)!;
        const updated = { ...allocation, healthy: decision.healthy, healthyAt: decision.healthy ? now : null, modifiedAt: now, description: decision.healthy ? allocation.description : decision.reason };
        this.store.putAllocation(updated);
        this.countHealth(updated, decision.healthy);
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
    try {
      const placed = await this.driver.place({ allocId: allocation.id, jobId, jobVersion: record.version, deploymentId, group, index, specHash: allocation.specHash });
      const running = { ...allocation, status: 'running' as const, containers: placed.containers, ports: placed.ports, modifiedAt: this.now() };
      this.store.putAllocation(running);
      this.driver.watchChecks(allocation.id, jobId, group.tasks.flatMap((t) => t.checks), placed.ports);
      await this.refreshObservations();
      this.emit({ type: 'allocation', jobId, allocation: running, message: `allocation ${allocation.id.slice(0, 8)} started` });
    } catch (error) {
      const failed = { ...allocation, status: 'failed' as const, description: error instanceof Error ? error.message : String(error), modifiedAt: this.now() };
      this.store.putAllocation(failed);
      this.emit({ type: 'allocation', jobId, allocation: failed, message: `allocation ${allocation.id.slice(0, 8)} failed to start: ${failed.description}` });
    }
  }

  private async stopAllocation(allocId: string, reason: string): Promise<void> {
    const allocation = this.store.getAllocation(allocId);
    if (!allocation) return;
    const stopping = { ...allocation, desired: 'stop' as const, modifiedAt: this.now(), description: allocation.description || reason };
    this.store.putAllocation(stopping);
    this.driver.unwatchChecks(allocId);
    this.readySince.delete(allocId);
    try {
      await this.driver.stop(allocId);
      const status = allocation.status === 'failed' ? 'failed' : 'complete';
      this.store.putAllocation({ ...stopping, status, modifiedAt: this.now() });
    } catch (error) {
      this.options.onError?.(error, `stopping allocation ${allocId.slice(0, 8)}`);
    }
    this.observations.delete(allocId);
    this.emit({ type: 'allocation', jobId: allocation.jobId, allocation: this.store.getAllocation(allocId)!, message: `allocation ${allocId.slice(0, 8)} stopped: ${reason}` });
  }

  private async fail(jobId: string, description: string, revert: boolean): Promise<void> {
    const deployment = this.latestDeployment(jobId)!;
    const version = this.store.getVersion(jobId, deployment.jobVersion)!;
    const stable = revert ? this.store.listVersions(jobId).find((v) => v.stable && v.specHash !== version.specHash) : undefined;
    const text = stable ? `${description} - rolling back to job version ${stable.version}` : description;
    this.store.transaction(() => {
      this.store.putDeployment({ ...deployment, status: 'failed', description: text, updatedAt: this.now() });
      if (stable) this.store.markSpecFailed(jobId, version.specHash, this.now());
    });
    this.emitDeployment(this.latestDeployment(jobId)!, text);
    if (!stable) return;
    const reverted = submitJob(this.store, {
      job: stable.job,
      source: { kind: 'auto-revert', commit: stable.source.commit, file: stable.source.file, author: null, message: `Rolling back to job version ${stable.version}`, revertOf: stable.version },
      sourceText: stable.sourceText,
      now: this.now(),
    });
    this.emit({ type: 'version', jobId, version: reverted.version, message: `version ${reverted.version.version} reverts to version ${stable.version}` });
    this.startDeployment(reverted.version, true);
  }

  private startDeployment(version: JobVersion, rollback: boolean): Deployment {
    const now = this.now();
    const previous = this.latestDeployment(version.jobId);
    const deployment = startDeployment({ id: randomUUID().replace(/-/g, ''), job: version.job, version: version.version, now, rollback });
    this.store.transaction(() => {
      if (previous && isActive(previous)) this.store.putDeployment(cancel(previous, descriptions.newerVersion, now));
      this.store.putDeployment(deployment);
    });
    if (previous && isActive(previous)) this.emitDeployment(this.store.getDeployment(previous.id)!, descriptions.newerVersion);
    this.emitDeployment(deployment, `deployment ${deployment.id.slice(0, 8)} of version ${version.version} started`);
    return deployment;
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
    }, Math.max(0, at - this.now()) + 5);
    timer.unref();
    this.timers.set(jobId, timer);
  }

  private onRuntimeEvent(event: RuntimeEvent): void {
    void this.refreshObservations()
      .catch((error) => this.options.onError?.(error, 'reading the runtime'))
      .then(() => {
        if (event.jobId) this.schedule(event.jobId);
        else for (const job of this.store.listJobs()) this.schedule(job.id);
      });
  }

  private async refreshObservations(): Promise<void> {
    const list = await this.driver.observe();
    this.observations = new Map(list.map((o) => [o.allocId, o]));
  }

  /**
   * After a restart: allocations placed when the agent went down are marked failed
   * (reconcile replaces them); running ones get their checks back. Containers no
   * record knows of are reported, not removed (only a prune removes them).
   */
  private async adoptRunning(): Promise<void> {
    const records = new Map(this.store.listAllocations().map((a) => [a.id, a]));
    for (const allocation of records.values()) {
      if (allocation.desired !== 'run') continue;
      const observed = this.observations.get(allocation.id);
      if (allocation.status === 'pending' && !observed) {
        this.store.putAllocation({ ...allocation, status: 'failed', description: 'lost while being placed (the agent stopped)', modifiedAt: this.now() });
        continue;
      }
      if (allocation.status === 'pending' && observed) {
        this.store.putAllocation({ ...allocation, status: 'running', ports: observed.ports, modifiedAt: this.now() });
      }
      const version = this.store.getVersion(allocation.jobId, allocation.jobVersion);
      const group = version?.job.groups.find((g) => g.name === allocation.group);
      if (observed && group) this.driver.watchChecks(allocation.id, allocation.jobId, group.tasks.flatMap((t) => t.checks), observed.ports);
    }
    for (const observed of this.observations.values()) {
      const record = records.get(observed.allocId);
      if (record?.desired === 'stop') {
        await this.driver.stop(observed.allocId).catch((error) => this.options.onError?.(error, 'removing a stopped allocation'));
      } else if (!record) {
        this.emit({ type: 'runtime', jobId: observed.jobId, message: `containers of allocation ${observed.allocId.slice(0, 8)} (job ${observed.jobId}) belong to no known allocation; left alone until a prune` });
      }
    }
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
