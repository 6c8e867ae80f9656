// What changed between two readings of a swarm's tasks, as the RuntimeEvents the
// watcher knows (pure). The Engine API has no task events: the poller compares
// each reading with the one before and reports one event per allocation changed.
import type { RuntimeEvent, RuntimeEventKind } from '../driver.js';
import type { SwarmAllocationObservation } from './observe.js';

/** What of an allocation a change is reported for. */
export interface TaskSnapshot {
  jobId: string;
  /** The allocation's current container: Swarm restarting it (on another node too) is a change even when both run. */
  containerId: string | null;
  state: string;
  health: string;
  lost: boolean;
}

export type TaskSnapshots = Map<string, TaskSnapshot>;

export function snapshotOf(allocations: SwarmAllocationObservation[]): TaskSnapshots {
  return new Map(allocations.map((alloc) => [alloc.allocId, { jobId: alloc.jobId, containerId: alloc.tasks[0].containerId, state: alloc.tasks[0].state, health: alloc.tasks[0].health, lost: alloc.tasks[0].lost }]));
}

function kindOf(before: TaskSnapshot, after: TaskSnapshot): RuntimeEventKind | null {
  if (before.state !== after.state || before.lost !== after.lost || before.containerId !== after.containerId) return after.state === 'exited' || after.state === 'missing' ? 'die' : 'start';
  return before.health !== after.health ? 'health' : null;
}

/** One event per task that appeared (`start`), changed state (`start` / `die`) or health (`health`), or went (`destroy`). */
export function taskChanges(before: TaskSnapshots, after: TaskSnapshots, time: number): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  for (const [allocId, now] of after) {
    const was = before.get(allocId);
    const kind = was ? kindOf(was, now) : now.state === 'exited' || now.state === 'missing' ? 'die' : 'start';
    if (kind) events.push({ kind, allocId, jobId: now.jobId, time });
  }
  for (const [allocId, was] of before) if (!after.has(allocId)) events.push({ kind: 'destroy', allocId, jobId: was.jobId, time });
  return events;
}
