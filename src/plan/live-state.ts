// The LiveState of a job from what deckhand recorded about its allocations.
import type { AllocationRecord } from '../model/index.js';
import type { LiveState } from './group-plan.js';

/** Allocations that should run and have not ended count as live. */
export function liveStateOf(allocations: AllocationRecord[]): LiveState {
  return {
    allocations: allocations
      .filter((a) => a.desired === 'run' && (a.status === 'running' || a.status === 'pending'))
      .map((a) => ({ id: a.id, group: a.group, index: a.index, version: a.jobVersion, specHash: a.specHash, healthy: a.healthy })),
  };
}
