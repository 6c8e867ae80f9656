// Plans every job against the store, as `deckhand plan` does: the number of jobs with changes.
import type { Job } from '../src/model/job.js';
import { liveStateOf } from '../src/plan/live-state.js';
import { planJob } from '../src/plan/plan.js';
import type { Store } from '../src/store/store.js';

export function planAll(store: Store, jobs: Job[]): number {
  let changed = 0;
  for (const job of jobs) {
    const record = store.getJob(job.id);
    // The stored version is loaded only if the spec hashes differ.
    const current = record ? { job: () => store.getVersion(job.id, record.version)!.job, specHash: record.specHash, version: record.version, modifyIndex: record.modifyIndex, stopped: record.stopped } : null;
    if (planJob({ job, current, live: liveStateOf(store.listAllocations(job.id)) }).changes) changed++;
  }
  return changed;
}
