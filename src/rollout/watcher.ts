// The deployment watcher: one queue per job, so a job is decided by one round at a
// time; timers for health and deadlines; runtime events that wake the job they
// concern. A round reads the job's state once, asks reconcile() what to do, runs
// each decision through the one pure apply step, writes what changed in one
// transaction, reports it, and only then touches containers — stops together (with
// the placements a surge lets start beside them), then placements together — and
// decides again until nothing is left to do now.
//
// A round does not wait for what it asked of the runtime: its stops and placements
// run in the background, tracked per job, and the job can be decided again at once
// (the second allocation of a batch turning healthy while the first one's follow-up
// stop still drains). What the queue guaranteed holds because:
// - every record is written before its effect starts, so the next round sees what
//   is being placed (pending) and does not see what is being stopped (desired stop),
//   as reconcile's budgets expect;
// - a placement that must wait for stops (stop-first) is not even written while any
//   stop of the job runs: the job is decided again once they are done, from the
//   state then (a command may have changed it meanwhile); nor is a deployment's
//   success, which says the old allocations are gone;
// - a round does not change an allocation an effect still works on: it waits for
//   that effect and decides again;
// - recovery, settled() and close() wait for the job's effects as for its queue.
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

/** An effect a round started (a placement, a stop, a restart policy) that has not ended yet. */
interface InFlight {
  allocId: string;
  kind: Effect['kind'];
  /** Resolves once it ended and is no longer tracked; never rejects. */
  done: Promise<void>;
}

/** A round goes on deciding at most this often: a job that never settles must not hold its queue forever. */
const maxStepsPerRound = 50;

export class Watcher {
  private readonly queues = new Map<string, Promise<void>>();
  /** jobId → the effects of its rounds still running. */
  private readonly inFlight = new Map<string, Set<InFlight>>();
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

  /** Resolves once nothing of the job is in flight: its queued rounds have run and their effects are done. */
  async settled(jobId: string): Promise<void> {
    // A finished effect schedules its job again: loop until neither is left.
    for (;;) {
      const pending = [this.queues.get(jobId), ...this.effectsOf(jobId)].filter((p) => p !== undefined);
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
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
    // A round still running may start effects until its step ends.
    while (this.queues.size > 0 || this.inFlight.size > 0) {
      await Promise.allSettled([...this.queues.values(), ...[...this.inFlight.keys()].flatMap((jobId) => this.effectsOf(jobId))]);
    }
  }

  private async round(jobId: string): Promise<void> {
    const { runtime, toResume } = this.context;
    // Resuming acts on the job's allocations itself: not beside effects still working on them.
    if (toResume.has(jobId)) await Promise.allSettled(this.effectsOf(jobId));
    // Nothing is decided on a view the runtime did not give: the job waits for it to answer again.
    if (!runtime.up) return;
    if (toResume.delete(jobId)) await this.parts.recovery.resume(jobId);
    for (let step = 0; step < maxStepsPerRound && !this.closed && runtime.up; step++) {
      const state = loadJobState(this.context, jobId);
      if (!state) return;
      const decisions = this.decide(state);
      // A placement (or a restart policy) still running on an allocation this round would
      // change: its outcome (running, failed) is written when it ends and would overwrite the
      // round's record, so the round waits for it and decides again. (Allocations being
      // stopped are not read at all: a round decides nothing about them.)
      const busy = this.busyWith(jobId, decisions);
      if (busy.length > 0) {
        await Promise.allSettled(busy);
        continue;
      }
      const { bookkeeping, stops, places, endsDeployment } = roundOrder(decisions);
      if (bookkeeping.length + stops.length + places.length === 0) {
        const wait = Math.min(...decisions.filter((d): d is Extract<Decision, { kind: 'wait' }> => d.kind === 'wait').map((d) => d.until));
        if (Number.isFinite(wait)) this.wakeAt(jobId, wait);
        return;
      }
      // A deployment is counted successful once what it replaced is gone (`run` in the CLI and
      // the reporters take its end to mean so): not while a stop of the job still runs. The
      // rest is carried; the job is decided again once the stops are done.
      if (this.stopsRunning(jobId) && bookkeeping.some((d) => d.kind === 'complete')) {
        this.launch(jobId, this.carry(state, bookkeeping.filter((d) => d.kind !== 'complete')).effects);
        return;
      }
      const bookkept = this.carry(state, bookkeeping);
      this.launch(jobId, bookkept.effects);
      if (endsDeployment) continue;
      const stopped = this.carry(bookkept.state, stops);
      this.launch(jobId, stopped.effects);
      if (places.length === 0) continue;
      // Stop-first: these placements start only once no stop of the job runs (one that does
      // not reach the runtime leaves it down, and nothing more is placed). They are not
      // written now: once the stops are done the job is decided again (each finished
      // effect schedules it), on its state then: a command may have changed it meanwhile
      // (a newer version, a stop), and placements decided before would be superseded.
      if (this.stopsRunning(jobId)) return;
      this.launch(jobId, this.carry(stopped.state, places).effects);
    }
  }

  /**
   * Starts effects without waiting for them; each is tracked on its job until it ends,
   * and then the job is decided again (a placement failed, the stops a placement waited
   * for are done). One that throws (a write to a full disk) fails like a round.
   */
  private launch(jobId: string, effects: Effect[]): void {
    for (const effect of effects) {
      const running = this.inFlight.get(jobId) ?? new Set<InFlight>();
      this.inFlight.set(jobId, running);
      const ended = this.parts.placement.carryOut(effect).then(
        () => true,
        (error: unknown) => {
          this.roundFailed(jobId, error);
          return false;
        },
      );
      // Untracked before the job is scheduled: the round that follows must not find it still running.
      const entry: InFlight = {
        allocId: effect.allocation.id,
        kind: effect.kind,
        done: ended.then((succeeded) => {
          running.delete(entry);
          if (running.size === 0 && this.inFlight.get(jobId) === running) this.inFlight.delete(jobId);
          if (succeeded) this.schedule(jobId);
        }),
      };
      running.add(entry);
    }
  }

  private effectsOf(jobId: string): Array<Promise<void>> {
    return [...(this.inFlight.get(jobId) ?? [])].map((e) => e.done);
  }

  private stopsRunning(jobId: string): boolean {
    return [...(this.inFlight.get(jobId) ?? [])].some((e) => e.kind === 'stop');
  }

  /** Effects still running on allocations the decisions would change. */
  private busyWith(jobId: string, decisions: Decision[]): Array<Promise<void>> {
    const changed = new Set(decisions.flatMap((d) => (d.kind === 'stop' || d.kind === 'set-health' || d.kind === 'update-in-place' ? [d.allocId] : [])));
    return [...(this.inFlight.get(jobId) ?? [])].filter((e) => changed.has(e.allocId)).map((e) => e.done);
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
