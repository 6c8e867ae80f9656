// reconcile(): the job's newest version, its deployment and the allocations that
// run → what to do next, each decision with its reason. Pure, in the spirit of
// Nomad's scheduler/reconcile.go: the deployment watcher carries decisions out and
// calls it again whenever something changes.
//
// One rolling algorithm serves every format, with Kubernetes' budgets: at most
// `count + surge` allocations exist (those being stopped not counted, as terminating
// pods are not), at least `count - unavailable` are healthy.
// Nomad's max_parallel (stop-first) is `surge 0, unavailable N`; Swarm's start-first
// parallelism is `surge N, unavailable 0`; Kubernetes gives both numbers itself.
// Outside a deployment, replacing what fails keeps to the same budgets (keep-running.ts).
import type { Deployment, DeploymentGroupState, Group, Job, UpdateStrategy } from '../model/index.js';
import { formatDuration } from '../util/index.js';
import { budgets } from './budgets.js';
import { keepRunning } from './keep-running.js';
import { unmetDependencies } from './start-order.js';
import type { AllocationView, Decision, ReconcileInput } from './reconcile-types.js';
import { descriptions } from './reconcile-types.js';

export { budgets } from './budgets.js';

export function reconcile(input: ReconcileInput): Decision[] {
  const out: Decision[] = [];
  const { job, deployment } = input;
  if (!job) {
    for (const a of input.allocations) out.push({ kind: 'stop', allocId: a.id, reason: 'the job is stopped' });
    return out;
  }
  const active = deployment && deployment.jobVersion === input.version && (deployment.status === 'running' || deployment.status === 'paused') ? deployment : null;
  const wakeups: number[] = [];
  const waiting = new Set<string>();
  const unmet = active ? unmetDependencies(job, input.allocations, input.groupHashes) : new Map<string, string>();
  const results = job.groups.map((group) =>
    reconcileGroup({ ...input, job, group, deployment: active, latestDeployment: deployment, state: active?.groups.find((g) => g.name === group.name) ?? null, waitsFor: unmet.get(group.name) ?? null, out, wakeups, waiting }),
  );
  for (const a of input.allocations) {
    if (!job.groups.some((g) => g.name === a.group)) out.push({ kind: 'stop', allocId: a.id, reason: `group "${a.group}" is no longer in the job` });
  }
  if (active && unmet.size === 0 && active.description.startsWith(descriptions.waitingFor)) out.push({ kind: 'describe', description: descriptions.running });
  if (active) decideDeployment(active, results, input.now, out);
  forgetNotes(input.allocations, waiting, out);
  const next = Math.min(...wakeups.filter((t) => t > input.now));
  if (Number.isFinite(next) && !out.some((d) => d.kind === 'complete' || d.kind === 'fail')) out.push({ kind: 'wait', until: next, reason: 'a health or deadline timer' });
  return out;
}

interface GroupContext extends ReconcileInput {
  job: Job;
  group: Group;
  /** The deployment of the newest version while it runs or waits; null otherwise. */
  deployment: Deployment | null;
  latestDeployment: Deployment | null;
  state: DeploymentGroupState | null;
  /** A group it depends on that is not started or healthy yet (start-order.ts): nothing new is placed meanwhile. */
  waitsFor: string | null;
  out: Decision[];
  wakeups: number[];
  /** Allocations that wait to be replaced: they keep their note. */
  waiting: Set<string>;
}

interface GroupResult {
  name: string;
  done: boolean;
  /** All canaries healthy, waiting for promotion: the progress deadline does not run out then. */
  awaitingPromotion: boolean;
  unhealthy: number;
  failed: 'rollback' | 'pause' | null;
}

function strategyOf(group: Group, state: DeploymentGroupState | null): UpdateStrategy {
  return state?.strategy === 'rollback' && group.rollback ? group.rollback : group.update;
}

function reconcileGroup(ctx: GroupContext): GroupResult {
  const { group, deployment, state, out, now } = ctx;
  const strategy = strategyOf(group, state);
  const hash = ctx.groupHashes[group.name];
  const allocations = ctx.allocations.filter((a) => a.group === group.name);
  const result: GroupResult = { name: group.name, done: false, awaitingPromotion: false, unhealthy: state?.unhealthy ?? 0, failed: null };

  const health = decideHealth(allocations, strategy, deployment, ctx);
  const isCurrent = (a: AllocationView) => a.specHash === hash;

  // In place: same containers, newer version.
  for (const a of allocations) {
    if (isCurrent(a) && a.jobVersion !== ctx.version && health.get(a.id) !== false) {
      out.push({ kind: 'update-in-place', allocId: a.id, reason: `version ${a.jobVersion} → ${ctx.version} changes nothing its containers run` });
    }
  }

  if (!deployment) {
    // After a failed deployment nothing is placed until a new version comes (principle 5: no retry loop).
    const failedVersion = ctx.latestDeployment?.jobVersion === ctx.version && ctx.latestDeployment.status === 'failed';
    keepRunning({ now, group, format: ctx.job.source.format, allocations, health, frozen: failedVersion, out, wakeups: ctx.wakeups, waiting: ctx.waiting });
    return { ...result, done: true };
  }

  const ofDeployment = (a: AllocationView) => a.deploymentId === deployment.id;
  const unhealthy = allocations.filter((a) => isCurrent(a) && ofDeployment(a) && health.get(a.id) === false);
  const newlyUnhealthy = unhealthy.filter((a) => a.healthy !== false).length;
  result.unhealthy += newlyUnhealthy;

  if (deployment.status === 'paused') return result;
  // Waiting changes nothing for a group already at its new version (its dependency is being updated).
  const atNewVersion = allocations.length === group.count && allocations.every((a) => isCurrent(a) && health.get(a.id) === true);
  if (ctx.waitsFor !== null && !atNewVersion) {
    const description = `${descriptions.waitingFor} ${ctx.waitsFor}`;
    if (deployment.description !== description) out.push({ kind: 'describe', description });
    return result;
  }

  // Unhealthy allocations: replaced (until the deadline), or counted as failures.
  if (strategy.onUnhealthy === 'fail' && result.unhealthy > strategy.maxFailureRatio * group.count) {
    if (strategy.failureAction === 'rollback') return { ...result, failed: 'rollback' };
    if (strategy.failureAction === 'pause') return { ...result, failed: 'pause' };
  }
  for (const a of unhealthy) {
    const delay = group.restart.delayMs;
    const at = (a.unhealthyAt ?? now) + delay;
    if (now < at) {
      ctx.wakeups.push(at);
      continue;
    }
    out.push({ kind: 'stop', allocId: a.id, reason: `unhealthy (${a.failure ?? 'not healthy in time'}): replaced` });
    out.push({ kind: 'place', group: group.name, index: a.index, canary: a.canary, reason: `replaces unhealthy allocation ${a.id.slice(0, 8)}` });
  }

  const live = allocations.filter((a) => a.status === 'pending' || a.status === 'running' || health.get(a.id) === false);
  const current = live.filter(isCurrent);
  const old = live.filter((a) => !isCurrent(a));
  const healthyNew = current.filter((a) => health.get(a.id) === true || (!ofDeployment(a) && a.status === 'running' && a.probe !== 'failed'));

  // Canaries first: placed beside the old allocations, then promotion.
  const canaryTarget = state && !state.promoted && old.length > 0 ? state.desiredCanaries : 0;
  if (canaryTarget > 0) {
    const canaries = current.filter((a) => a.canary && ofDeployment(a));
    const free = freeIndexes(group.count, canaries, old);
    for (let i = canaries.length; i < canaryTarget; i++) {
      out.push({ kind: 'place', group: group.name, index: free.shift() ?? i, canary: true, reason: `canary ${i + 1} of ${canaryTarget}` });
    }
    const allHealthy = canaries.length === canaryTarget && canaries.every((a) => health.get(a.id) === true);
    if (allHealthy) {
      if (strategy.autoPromote) out.push({ kind: 'promote', reason: 'every canary is healthy and auto_promote is set' });
      else if (deployment.description !== descriptions.needsPromotion) out.push({ kind: 'describe', description: descriptions.needsPromotion });
      return { ...result, awaitingPromotion: !strategy.autoPromote };
    }
    return result;
  }

  const desired = group.count;
  const { surge, unavailable } = budgets(strategy, desired);
  const pendingNew = current.filter((a) => !healthyNew.includes(a));

  // Swarm's delay: a pause between one batch turning healthy and the next starting. (Swarm's
  // updater gives each of its `parallelism` workers its own pause after its own task; deckhand
  // keeps batches, as its plans show them.) The allocations of a batch may turn healthy
  // apart: the next batch waits for the last of them.
  // One that turned healthy in this very round has no healthyAt on its record yet: it is now.
  const lastHealthy = Math.max(...current.filter((a) => ofDeployment(a)).map((a) => a.healthyAt ?? (health.get(a.id) === true ? now : 0)), 0);
  const moreToDo = old.length > 0 || current.length < desired;

  // Old allocations that are not running are no help to anyone: they go first, free.
  const oldDown = old.filter((a) => a.status !== 'running' || a.probe === 'failed');
  for (const a of oldDown) out.push({ kind: 'stop', allocId: a.id, reason: 'an old version that is not running' });
  const oldUp = old.filter((a) => !oldDown.includes(a));

  // The delay holds the next batch, not the group's strength: nothing more is stopped
  // meanwhile, but an old allocation that went down is replaced at once (as Swarm's
  // orchestrator restarts a failed task's slot).
  const delayed = strategy.delayMs > 0 && moreToDo && lastHealthy > 0 && (pendingNew.length > 0 || now < lastHealthy + strategy.delayMs);
  if (delayed && pendingNew.length === 0) ctx.wakeups.push(lastHealthy + strategy.delayMs);

  const available = healthyNew.length + oldUp.length;
  const canStop = delayed ? 0 : Math.min(oldUp.length, available - (desired - unavailable));
  const stopping = stopOrder(oldUp, current).slice(0, Math.max(0, canStop));
  for (const a of stopping) out.push({ kind: 'stop', allocId: a.id, reason: 'replaced by the new version' });

  // Allocations being stopped do not count against count + surge (as terminating pods do
  // not in Kubernetes, nor shutting-down tasks in Swarm): the next batch is placed in the
  // round that stops the previous batch's old ones. With a surge (start-first) it starts
  // beside those stops; without one (stop-first) after them.
  const staying = oldUp.filter((a) => !stopping.includes(a));
  const budget = Math.min(desired - current.length, desired + surge - (current.length + staying.length));
  const room = delayed ? Math.min(budget, oldDown.length) : budget;
  const indexes = freeIndexes(desired, current, staying);
  const alongsideStops = surge > 0 && stopping.length > 0 ? { alongsideStops: true as const } : {};
  const reason = delayed ? 'replaces an old allocation that is not running' : placeReason(oldUp.length > 0);
  for (let i = 0; i < room; i++) {
    out.push({ kind: 'place', group: group.name, index: indexes.shift() ?? desired + i, canary: false, reason, ...alongsideStops });
  }
  if (delayed) return result;

  // Fewer wanted than run (the count went down): the highest indexes go.
  const extra = current.length - desired;
  if (extra > 0 && old.length === 0) {
    for (const a of [...current].sort((x, y) => y.index - x.index).slice(0, extra)) out.push({ kind: 'stop', allocId: a.id, reason: `count is ${desired}` });
  }

  result.done = old.length === 0 && current.length === desired && healthyNew.length === desired && monitored(current.filter(ofDeployment), strategy, ctx);
  return result;
}

/** Swarm's monitor: the deployment completes once its last new allocation has been healthy for the window. */
function monitored(placed: AllocationView[], strategy: UpdateStrategy, ctx: GroupContext): boolean {
  if (!(strategy.monitorMs > 0) || placed.length === 0) return true;
  // Turned healthy in this very round: its record does not say so yet.
  const until = Math.max(...placed.map((a) => (a.healthyAt ?? ctx.now) + strategy.monitorMs));
  if (ctx.now >= until) return true;
  ctx.wakeups.push(until);
  return false;
}

/** Health decisions for allocations whose health is not known yet. */
function decideHealth(allocations: AllocationView[], strategy: UpdateStrategy, deployment: Deployment | null, ctx: GroupContext): Map<string, boolean | null> {
  const health = new Map<string, boolean | null>();
  for (const a of allocations) {
    let healthy = a.healthy;
    if (healthy === null) healthy = judge(a, strategy, ctx);
    const watched = failedWithinMonitor(a, strategy, deployment, ctx.now);
    if (watched) healthy = false;
    if (healthy !== a.healthy && healthy !== null) {
      const reason = watched ? `${a.failure ?? 'it failed'} within ${formatDuration(strategy.monitorMs)} of turning ready (monitor)` : healthy ? readyReason(strategy) : a.failure ?? 'not healthy in time';
      ctx.out.push({ kind: 'set-health', allocId: a.id, healthy, reason });
      const progressDeadline = strategy.progressDeadlineMs;
      if (healthy && deployment && a.deploymentId === deployment.id && progressDeadline > 0) {
        ctx.out.push({ kind: 'progress', group: a.group, requireProgressBy: ctx.now + progressDeadline, reason: `allocation ${a.id.slice(0, 8)} is healthy` });
      }
    }
    health.set(a.id, healthy);
  }
  return health;
}

function readyReason(strategy: UpdateStrategy): string {
  const ready = strategy.minHealthyTimeMs > 0 || !(strategy.monitorMs > 0) ? `ready for ${strategy.minHealthyTimeMs} ms` : 'ready';
  return strategy.monitorMs > 0 ? `${ready} (failures in the next ${formatDuration(strategy.monitorMs)} count against max_failure_ratio: monitor)` : ready;
}

/**
 * Swarm's monitor: an allocation of the deployment counted healthy that fails within the
 * window of turning so is a failure of the update (swarmkit's updater counts a task that
 * fails within `monitor` of running), against maxFailureRatio as one never healthy.
 */
function failedWithinMonitor(a: AllocationView, strategy: UpdateStrategy, deployment: Deployment | null, now: number): boolean {
  if (a.healthy !== true || !(strategy.monitorMs > 0) || !deployment || a.deploymentId !== deployment.id || a.healthyAt === null) return false;
  return (a.status === 'failed' || a.probe === 'failed') && now <= a.healthyAt + strategy.monitorMs;
}

function judge(a: AllocationView, strategy: UpdateStrategy, ctx: GroupContext): boolean | null {
  if (a.status === 'failed' || a.probe === 'failed') return false;
  if (strategy.healthCheck === 'manual') return null;
  if (a.readySince !== null) {
    const at = a.readySince + strategy.minHealthyTimeMs;
    if (ctx.now >= at) return true;
    ctx.wakeups.push(at);
  }
  if (strategy.healthyDeadlineMs > 0) {
    const deadline = a.createdAt + strategy.healthyDeadlineMs;
    if (ctx.now >= deadline) return false;
    ctx.wakeups.push(deadline);
  }
  return null;
}

/** A note no longer told (the allocation does not wait any more) is forgotten, so it is told again if it waits again. */
function forgetNotes(allocations: AllocationView[], waiting: Set<string>, out: Decision[]): void {
  const stopped = new Set(out.flatMap((d) => (d.kind === 'stop' ? [d.allocId] : [])));
  for (const a of allocations) if (a.note !== null && !waiting.has(a.id) && !stopped.has(a.id)) out.push({ kind: 'note', allocId: a.id, reason: null });
}

function decideDeployment(deployment: Deployment, results: GroupResult[], now: number, out: Decision[]): void {
  if (results.some((r) => r.failed === 'rollback')) {
    out.push({ kind: 'fail', description: descriptions.unhealthy, revert: true });
    return;
  }
  if (results.some((r) => r.failed === 'pause')) {
    if (deployment.status !== 'paused') out.push({ kind: 'pause', description: descriptions.paused });
    return;
  }
  if (deployment.status === 'paused') return;
  if (results.every((r) => r.done)) {
    out.push({ kind: 'complete', description: descriptions.successful });
    return;
  }
  for (const result of results) {
    const state = deployment.groups.find((g) => g.name === result.name);
    const deadline = state?.requireProgressBy ?? null;
    if (deadline === null || result.done || result.awaitingPromotion) continue;
    if (now >= deadline) {
      out.push({ kind: 'fail', description: result.unhealthy > 0 ? descriptions.unhealthy : descriptions.deadline, revert: state?.autoRevert ?? false });
      return;
    }
    out.push({ kind: 'wait', until: deadline, reason: `progress deadline of group "${result.name}"` });
  }
}

/** Indexes below `count` for new allocations: first those no allocation holds, then those old ones hold. */
function freeIndexes(count: number, current: AllocationView[], old: AllocationView[]): number[] {
  const taken = new Set(current.map((a) => a.index));
  const heldByOld = new Set(old.map((a) => a.index));
  const all = Array.from({ length: count }, (_, i) => i).filter((i) => !taken.has(i));
  return [...all.filter((i) => !heldByOld.has(i)), ...all.filter((i) => heldByOld.has(i))];
}

/** Old allocations to stop first: those whose index a new one already holds, then in slot order (as Swarm updates). */
function stopOrder(old: AllocationView[], current: AllocationView[]): AllocationView[] {
  const taken = new Set(current.map((a) => a.index));
  return [...old].sort((a, b) => Number(taken.has(b.index)) - Number(taken.has(a.index)) || a.index - b.index);
}

function placeReason(replacing: boolean): string {
  return replacing ? 'rolling update: a new-version allocation' : 'the group needs more allocations';
}
