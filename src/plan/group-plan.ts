// What a rollout will do to one group: counts over every allocation that will
// change (docs/spec.md), from the desired group and the allocations that run.
import type { Group } from '../model/index.js';
import { groupSpecHash } from '../model/index.js';

/** An allocation that runs now: what plan needs to know of it. */
export interface LiveAllocation {
  id: string;
  group: string;
  index: number;
  version: number;
  /** The group spec hash it was placed with (change-rules.ts). */
  specHash: string;
  healthy: boolean | null;
}

export interface LiveState {
  /** Allocations that should run and have not ended. */
  allocations: LiveAllocation[];
}

export interface GroupPlan {
  name: string;
  create: number;
  destroy: number;
  ignore: number;
  inPlaceUpdate: number;
  destructiveUpdate: number;
  canary: number;
  /** Rollout steps of at most maxParallel replacements; canaries are one step of their own. */
  batches: number;
}

/**
 * Plans one group. `group` null: the group is going away. `targetVersion` is the
 * version the job will have after the submission (the current one if nothing changed).
 */
export function planGroup(name: string, group: Group | null, live: LiveAllocation[], targetVersion: number): GroupPlan {
  const plan: GroupPlan = { name, create: 0, destroy: 0, ignore: 0, inPlaceUpdate: 0, destructiveUpdate: 0, canary: 0, batches: 0 };
  if (!group) {
    plan.destroy = live.length;
    plan.batches = live.length ? 1 : 0;
    return plan;
  }
  const desiredHash = groupSpecHash(group);
  // Highest indexes go first when the group shrinks, as Nomad stops them first.
  const ordered = [...live].sort((a, b) => a.index - b.index || a.id.localeCompare(b.id));
  const replace = ordered.filter((a) => a.specHash !== desiredHash);
  const update = ordered.filter((a) => a.specHash === desiredHash && a.version !== targetVersion);
  const keep = ordered.filter((a) => a.specHash === desiredHash && a.version === targetVersion);

  // Shrinking: an allocation that would be replaced is simply stopped instead.
  let excess = Math.max(0, ordered.length - group.count);
  plan.destroy = excess;
  for (const list of [replace, update, keep]) {
    const cut = Math.min(excess, list.length);
    list.splice(list.length - cut, cut);
    excess -= cut;
  }
  plan.create = Math.max(0, group.count - ordered.length);
  plan.destructiveUpdate = replace.length;
  plan.inPlaceUpdate = update.length;
  plan.ignore = keep.length;
  plan.canary = replace.length > 0 ? Math.min(group.update.canary, group.count) : 0;
  plan.batches = batchesFor(plan, group.update.maxParallel);
  return plan;
}

function batchesFor(plan: GroupPlan, maxParallel: number): number {
  if (plan.destructiveUpdate > 0) {
    const afterCanaries = Math.max(0, plan.destructiveUpdate - plan.canary);
    const steps = maxParallel > 0 ? Math.ceil(afterCanaries / maxParallel) : afterCanaries > 0 ? 1 : 0;
    return (plan.canary > 0 ? 1 : 0) + steps;
  }
  return plan.create || plan.destroy || plan.inPlaceUpdate ? 1 : 0;
}
