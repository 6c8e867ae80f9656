// Allocations as reconcile() sees them: each record with what the runtime says of
// it now (probe, readiness, failure) and what the watcher remembers between rounds
// (since when it has been ready, the note last told about it). Readiness is dated by
// the runtime (when the container started, its HEALTHCHECK turned healthy, its checks
// came to pass), so min_healthy_time counts from the event, not from the round that
// read it. Notes are memory only: after a restart a note is told once more.
import { longRunningTasks } from '../model/index.js';
import type { AllocationRecord, Job } from '../model/index.js';
import type { Driver } from '../runtime/index.js';
import { probeAllocation } from './health-probe.js';
import type { AllocationView } from './reconcile-types.js';
import type { RuntimeLink } from './runtime-link.js';

export class AllocationViews {
  /** allocId → since when it has been ready. */
  private readonly readySince = new Map<string, number>();
  /** allocId → when a read last saw it not ready (the agent's clock). */
  private readonly seenNotReady = new Map<string, number>();
  /** allocId → the note last told about it (why it waits). */
  private readonly notes = new Map<string, string>();

  constructor(
    private readonly runtime: RuntimeLink,
    private readonly driver: Driver,
  ) {}

  view(a: AllocationRecord, job: Job, now: number): AllocationView {
    const group = job.groups.find((g) => g.name === a.group);
    const base = {
      id: a.id, group: a.group, index: a.index, jobVersion: a.jobVersion, specHash: a.specHash, deploymentId: a.deploymentId, canary: a.canary,
      status: a.status, healthy: a.healthy, healthyAt: a.healthyAt, unhealthyAt: a.healthy === false ? a.modifiedAt : null, createdAt: a.createdAt,
      note: this.notes.get(a.id) ?? null,
    };
    if (a.status === 'pending') return { ...base, probe: 'not-ready', readySince: null, failure: null, tasksRunning: false };
    if (a.status === 'failed') return { ...base, probe: 'failed', readySince: null, failure: a.description || 'it failed', tasksRunning: false };
    const mode = group?.update.healthCheck ?? 'task_states';
    const result = probeAllocation(this.runtime.observations.get(a.id), this.driver.checkStatus(a.id), mode, (group ? longRunningTasks(group) : []).map((t) => t.name));
    if (result.probe === 'ready') {
      // From the runtime's own time of it (a health event, a start), not from this read, which
      // may come late; never before the allocation was placed or last seen not ready (an
      // engine whose clock runs behind the agent's must not shorten min_healthy_time), nor after now.
      const floor = Math.max(a.createdAt, this.seenNotReady.get(a.id) ?? 0);
      if (!this.readySince.has(a.id)) this.readySince.set(a.id, Math.min(now, Math.max(floor, result.readyAt ?? now)));
    } else {
      this.readySince.delete(a.id);
      this.seenNotReady.set(a.id, now);
    }
    return { ...base, probe: result.probe, readySince: this.readySince.get(a.id) ?? null, failure: result.reason, tasksRunning: result.tasksRunning };
  }

  setNote(allocId: string, note: string | null): void {
    if (note === null) this.notes.delete(allocId);
    else this.notes.set(allocId, note);
  }

  /** A stopped allocation: nothing of it is remembered. */
  forget(allocId: string): void {
    this.readySince.delete(allocId);
    this.seenNotReady.delete(allocId);
    this.notes.delete(allocId);
  }
}
