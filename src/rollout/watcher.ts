// The deployment watcher: one queue per job, so a job is decided by one round at a
// time; timers for health and deadlines; runtime events that wake the job they
// concern. A round reads the job's state once, asks reconcile() what to do, runs
// each decision through the one pure apply step, writes what changed in one
// transaction, reports it, and only then touches containers — stops together (with
// the placements a surge lets start beside them), then placements together — and
// decides again until nothing is left to do now.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Deployment, JobVersion } from '../model/index.js';
import { groupSpecHash } from '../model/index.js';
import type { RuntimeEvent } from '../runtime/index.js';
import { timerDelay } from '../util/index.js';
import type { Applied, Effect, JobState } from './apply.js';
import { applyDecision, roundOrder } from './apply.js';
import type { Commands } from './commands.js';
import type { RolloutContext } from './context.js';
import type { Placement } from './placement.js';
import { reconcile } from './reconcile.js';
import type { Decision } from './reconcile-types.js';
import type { Recovery } from './recovery.js';
import type { AllocationViews } from './views.js';

export interface WatcherOptions {
  /** Called after each round of a job with how long it took (metrics). */
  onReconciled?: (jobId: string, durationMs: number) => void;
  /** Backoff before a job whose round failed (its store write failed, say) is tried again. */
  retryDelayMs?: { initial: number; max: number };
}

/** A round goes on deciding at most this often: a job that never settles must not hold its queue forever. */
const maxStepsPerRound = 50;

export class Watcher {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Jobs whose last round failed: how many times in a row, for the backoff. */
  private readonly failedRounds = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly context: RolloutContext,
    private readonly parts: { views: AllocationViews; placement: Placement; recovery: Recovery; commands: Commands },
    private readonly options: WatcherOptions = {},
  ) {}

  /** Queues a round of one job; many requests while one runs collapse into one more round. */
  schedule(jobId: string): void {
    if (this.closed || this.pending.has(jobId)) return;
    this.pending.add(jobId);
    const previous = this.queues.get(jobId) ?? Promise.resolve();
    const run = previous
      .then(async () => {
        this.pending.delete(jobId);
        const started = performance.now();
        await this.round(jobId);
        this.options.onReconciled?.(jobId, performance.now() - started);
        this.roundSucceeded(jobId);
      })
      .catch((error) => this.roundFailed(jobId, error))
      .finally(() => {
        if (this.queues.get(jobId) === run) this.queues.delete(jobId);
      });
    this.queues.set(jobId, run);
  }

  /** Resolves once the job's queued work has run. */
  async settled(jobId: string): Promise<void> {
    while (this.queues.has(jobId)) await this.queues.get(jobId);
  }

  onRuntimeEvent(event: RuntimeEvent): void {
    const { runtime, store, onError } = this.context;
    // Before the first read of the runtime there is nothing to refresh; the start reads everything.
    if (runtime.state === 'connecting' || this.closed) return;
    // A check's result changes no container: the job only needs deciding again.
    if (event.kind === 'check' && event.jobId) {
      this.schedule(event.jobId);
      return;
    }
    // A health event says all a decision needs: the job is decided at once; the read
    // below confirms it (and catches anything else that changed).
    if (event.health && event.allocId && event.jobId && runtime.applyHealth(event.allocId, event.health.containerId, event.health.status, event.time)) this.schedule(event.jobId);
    const read = event.allocId ? runtime.refreshAllocation(event.allocId) : runtime.refresh();
    void read
      .then((answered) => {
        if (!answered) return;
        if (event.jobId) this.schedule(event.jobId);
        else for (const job of store.listJobs()) this.schedule(job.id);
      })
      .catch((error) => onError(error, 'reading the runtime'));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.queues.values()]);
  }

  private async round(jobId: string): Promise<void> {
    const { runtime, toResume } = this.context;
    // Nothing is decided on a view the runtime did not give: the job waits for it to answer again.
    if (!runtime.up) return;
    if (toResume.delete(jobId)) await this.parts.recovery.resume(jobId);
    for (let step = 0; step < maxStepsPerRound && !this.closed && runtime.up; step++) {
      const state = loadJobState(this.context, jobId);
      if (!state) return;
      const decisions = this.decide(state);
      const { bookkeeping, stops, places, endsDeployment } = roundOrder(decisions);
      if (bookkeeping.length + stops.length + places.length === 0) {
        const wait = Math.min(...decisions.filter((d): d is Extract<Decision, { kind: 'wait' }> => d.kind === 'wait').map((d) => d.until));
        if (Number.isFinite(wait)) this.wakeAt(jobId, wait);
        return;
      }
      const bookkept = this.carry(state, bookkeeping);
      await this.carryOut(bookkept.effects);
      if (endsDeployment) continue;
      const stopped = this.carry(bookkept.state, stops);
      await this.carryOut(stopped.effects);
      // Placed beside what may still run when a stop did not reach the runtime: no, wait for it.
      if (!runtime.up) return;
      // A command may have changed the job while the stops took their time (a newer version, a stop):
      // placements decided before it would place the superseded version. Decide again.
      if (places.length > 0 && changedMeanwhile(stopped.state, loadJobState(this.context, jobId))) continue;
      await this.carryOut(this.carry(stopped.state, places).effects);
    }
  }

  private async carryOut(effects: Effect[]): Promise<void> {
    await Promise.all(effects.map((effect) => this.parts.placement.carryOut(effect)));
  }

  private decide(state: JobState): Decision[] {
    const now = this.context.now();
    const job = state.record.stopped ? null : state.latest.job;
    return reconcile({
      now,
      job,
      version: state.record.version,
      groupHashes: Object.fromEntries(state.latest.job.groups.map((g) => [g.name, groupSpecHash(g)])),
      deployment: state.deployment,
      allocations: state.allocations.map((a) => this.parts.views.view(a, job ?? state.latest.job, now)),
    });
  }

  /**
   * Runs decisions through the apply step, writes everything they changed in one
   * transaction (with the rollback an auto-revert asks for), then reports it.
   */
  private carry(state: JobState, decisions: Decision[]): { state: JobState; effects: Effect[] } {
    const { store, now, events } = this.context;
    const context = { now: now(), newAllocationId: () => randomUUID().replace(/-/g, ''), versions: () => store.listVersions(state.record.id) };
    const steps: Applied[] = [];
    let current = state;
    for (const decision of decisions) {
      const applied = applyDecision(current, decision, context);
      steps.push(applied);
      current = applied.state;
    }
    const deployments = new Map<string, Deployment>();
    for (const step of steps) if (step.deployment) deployments.set(step.deployment.id, step.deployment);
    const reverts: Array<{ version: JobVersion; revertOf: number; started: ReturnType<Commands['recordRevert']>['started'] }> = [];
    store.transaction(() => {
      for (const step of steps) for (const allocation of step.allocations) store.putAllocation(allocation);
      for (const deployment of deployments.values()) {
        // A deployment a command ended meanwhile (cancelled by a newer version) stays ended.
        if (ended(store.getDeployment(deployment.id)) && !ended(deployment)) continue;
        store.putDeployment(deployment);
      }
      for (const step of steps) {
        if (step.stableVersion !== null) store.setStable(state.record.id, step.stableVersion, true);
        if (step.revertTo && step.failedSpec) {
          const { version, started } = this.parts.commands.recordRevert(step.failedSpec, step.revertTo);
          reverts.push({ version, revertOf: step.revertTo.version, started });
        }
      }
    });
    for (const step of steps) if (step.note) this.parts.views.setNote(step.note.allocId, step.note.reason);
    for (const event of steps.flatMap((step) => step.events)) events.publish(event);
    for (const revert of reverts) {
      events.publish({ type: 'version', jobId: state.record.id, version: revert.version, message: `version ${revert.version.version} reverts to version ${revert.revertOf}` });
      this.parts.commands.reportStarted(revert.started);
    }
    return { state: current, effects: steps.flatMap((step) => step.effects) };
  }

  /**
   * A round that threw (a write to a full disk, an error nobody expected) leaves the
   * job as recorded; it is tried again with capped backoff rather than waiting for
   * some later event, so a rollout resumes once the trouble ends.
   */
  private roundFailed(jobId: string, error: unknown): void {
    this.context.onError(error, `reconciling job ${jobId}`);
    // Cut short like a crash: a placement recorded but not finished (its containers may run) is taken up first.
    this.context.toResume.add(jobId);
    const failures = (this.failedRounds.get(jobId) ?? 0) + 1;
    this.failedRounds.set(jobId, failures);
    const { initial, max } = this.options.retryDelayMs ?? { initial: 1_000, max: 30_000 };
    this.wakeAt(jobId, this.context.now() + Math.min(max, initial * 2 ** (failures - 1)));
  }

  private roundSucceeded(jobId: string): void {
    this.failedRounds.delete(jobId);
  }

  private wakeAt(jobId: string, at: number): void {
    const existing = this.timers.get(jobId);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(jobId);
      this.schedule(jobId);
    }, timerDelay(Math.max(0, at - this.context.now()) + 5));
    timer.unref();
    this.timers.set(jobId, timer);
  }
}

const ended = (deployment: Deployment | undefined | null) => deployment?.status === 'successful' || deployment?.status === 'failed' || deployment?.status === 'cancelled';

/** Whether a command changed what a round decided on: the job's version, its stop, its deployment's state. */
function changedMeanwhile(decidedOn: JobState, now: JobState | null): boolean {
  if (!now) return true;
  return (
    now.record.modifyIndex !== decidedOn.record.modifyIndex ||
    now.deployment?.id !== decidedOn.deployment?.id ||
    now.deployment?.status !== decidedOn.deployment?.status ||
    now.deployment?.groups.some((g, i) => g.promoted !== decidedOn.deployment?.groups[i]?.promoted) === true
  );
}

/** The job as one round sees it: its record, newest version and deployment, and the allocations meant to run. */
export function loadJobState(context: Pick<RolloutContext, 'store'>, jobId: string): JobState | null {
  const { store } = context;
  const record = store.getJob(jobId);
  const latest = record ? store.getVersion(jobId, record.version) : undefined;
  if (!record || !latest) return null;
  return {
    record,
    latest,
    deployment: store.listDeployments(jobId)[0] ?? null,
    allocations: store.listAllocations(jobId).filter((a) => a.desired === 'run'),
  };
}
