// Outside a deployment: keep a group's `count` allocations running, replacing the
// ones that fail. Pure, a part of reconcile().
//
// An allocation that cannot serve (its containers are gone or exited, or it never
// became healthy) costs nothing to stop: it is replaced at once, a restart delay
// after it was found unhealthy. One that was healthy and whose containers still
// run while its checks fail may well still serve (on an overloaded host the checks
// time out before the service does), so it is replaced as a rolling update would
// replace it: up to `surge` replacements started beside their unhealthy allocation
// first, which stops once its replacement is healthy (start-first, maxSurge); at
// most `unavailable` slots down or being replaced at a time (Nomad's max_parallel,
// Swarm's parallelism, Kubernetes' maxUnavailable); and never the group's last
// healthy allocation while a replacement is not healthy yet.
import type { Group, JobFormat } from '../model/index.js';
import { budgetWords, budgets } from './budgets.js';
import type { AllocationView, Decision } from './reconcile-types.js';

export interface KeepRunningInput {
  now: number;
  group: Group;
  format: JobFormat;
  /** The group's allocations that should run. */
  allocations: AllocationView[];
  /** Health as decided this round. */
  health: Map<string, boolean | null>;
  /** The version's deployment failed: what failed is stopped and nothing is placed (principle 5: no retry loop). */
  frozen: boolean;
  out: Decision[];
  wakeups: number[];
  /** Gets the ids of the allocations that wait (and keep their note). */
  waiting: Set<string>;
}

export function keepRunning(input: KeepRunningInput): void {
  if (input.frozen) {
    stopFailed(input);
    return;
  }
  const { group, health, now, out } = input;
  const healthy = (a: AllocationView) => health.get(a.id) === true;
  const failing = (a: AllocationView) => a.status === 'failed' || a.probe === 'failed' || health.get(a.id) === false;
  const mayServe = (a: AllocationView) => a.status === 'running' && a.tasksRunning && healthy(a);
  const alive = input.allocations.filter((a) => !failing(a));
  const sick = input.allocations.filter((a) => failing(a) && mayServe(a));
  const down = input.allocations.filter((a) => failing(a) && !mayServe(a));

  const stopped = new Set<string>();
  const placed = new Set<number>();
  const stop = (a: AllocationView, reason: string, drift = false) => {
    stopped.add(a.id);
    out.push({ kind: 'stop', allocId: a.id, reason, ...(drift ? { drift: true } : {}) });
  };
  const place = (index: number, reason: string) => {
    placed.add(index);
    out.push({ kind: 'place', group: group.name, index, canary: false, reason });
  };

  // An index's oldest allocation holds it. A start-first replacement shares its index with the
  // unhealthy allocation it replaces: they are held apart (alive, sick), so the replacement is
  // no "second allocation"; should the unhealthy one recover first, both are alive and the newer goes.
  const aliveAt = holdIndexes(alive, group.count, stop);
  const sickAt = holdIndexes(sick, group.count, stop);

  for (const a of down) {
    const at = (a.unhealthyAt ?? now) + group.restart.delayMs;
    if (health.get(a.id) === false && now < at) {
      input.wakeups.push(at);
      continue;
    }
    stop(a, `failed (${a.failure ?? 'its containers are gone'}): replaced`, a.status === 'running');
    // An unhealthy allocation that holds the index is replaced below, within the budget.
    if (a.index < group.count && !aliveAt.has(a.index) && !sickAt.has(a.index) && !placed.has(a.index)) {
      place(a.index, `replaces failed allocation ${a.id.slice(0, 8)}`);
    }
  }
  const used = new Set(input.allocations.map((a) => a.index));
  for (let index = 0; index < group.count; index++) {
    if (!used.has(index)) place(index, `count is ${group.count}`);
  }

  // Unhealthy allocations that may serve: stopped once a replacement beside them is healthy, else
  // replaced within the budget. Not drift: nothing changed behind deckhand's back, their checks fail.
  const kept = () => input.allocations.filter((a) => !stopped.has(a.id));
  const besides = (u: AllocationView) => kept().filter((b) => b.index === u.index && b.id !== u.id);
  const waiting: AllocationView[] = [];
  for (const u of sickAt.values()) {
    const replacement = besides(u).find(healthy);
    if (replacement) stop(u, `${unhealthy(u)}: replaced by allocation ${replacement.id.slice(0, 8)}, which is healthy`);
    else if (besides(u).length === 0) waiting.push(u);
  }
  if (waiting.length === 0) return;

  const budget = budgets(group.update, group.count);
  const words = budgetWords(group.update, input.format, budget);
  const serving = kept().filter(healthy);
  /** Replacements started beside the unhealthy allocation they replace (surge). */
  let started = [...sickAt.values()].filter((u) => !stopped.has(u.id) && besides(u).length > 0).length;
  /** Slots no healthy allocation holds: down, or being replaced (unavailable). */
  let vacant = group.count - new Set(serving.map((a) => a.index)).size;
  let healthyLeft = serving.length;
  const underWay = () => Math.min(started, budget.surge) + Math.min(vacant, budget.unavailable);
  const limit = budget.surge + budget.unavailable;
  for (const u of waiting) {
    if (started < budget.surge) {
      started += 1;
      place(u.index, `replaces unhealthy allocation ${u.id.slice(0, 8)}, which stops once this one is healthy (${words})`);
      continue;
    }
    const replacing = started + vacant;
    if (vacant < budget.unavailable && !(healthyLeft <= 1 && replacing > 0)) {
      vacant += 1;
      healthyLeft -= 1;
      stop(u, `${unhealthy(u)}: replaced, ${underWay()} of ${limit} replacements under way (${words})`);
      place(u.index, `replaces unhealthy allocation ${u.id.slice(0, 8)}`);
      continue;
    }
    const why =
      vacant < budget.unavailable
        ? `it is the group's last healthy allocation and ${replacing} replacement${replacing === 1 ? ' is' : 's are'} not healthy yet`
        : `${underWay()} of ${limit} replacements under way (${words})`;
    const reason = `${unhealthy(u)}: waiting to replace it, ${why}`;
    input.waiting.add(u.id);
    if (u.note !== reason) out.push({ kind: 'note', allocId: u.id, reason });
  }
}

/** After a failed deployment: what failed is stopped, nothing takes its place until a new version comes. */
function stopFailed({ allocations, out }: KeepRunningInput): void {
  for (const a of allocations) {
    if (a.status === 'failed' || a.probe === 'failed') out.push({ kind: 'stop', allocId: a.id, reason: `failed (${a.failure ?? 'not healthy'}); not replaced: its version's deployment failed` });
  }
}

/** One allocation per index below `count`: the oldest holds it; the others are stopped. */
function holdIndexes(allocations: AllocationView[], count: number, stop: (a: AllocationView, reason: string) => void): Map<number, AllocationView> {
  const held = new Map<number, AllocationView>();
  for (const a of [...allocations].sort((x, y) => x.index - y.index || x.createdAt - y.createdAt)) {
    if (a.index >= count) stop(a, `count is ${count}`);
    else if (held.has(a.index)) stop(a, `a second allocation for index ${a.index}`);
    else held.set(a.index, a);
  }
  return held;
}

function unhealthy(a: AllocationView): string {
  return `unhealthy (${a.failure ?? 'its checks fail'})`;
}
