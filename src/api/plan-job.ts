// A job's plan against what deckhand recorded: its newest version and the
// allocations meant to run. Shared by the agent's plan endpoint and `plan --data-dir`.
import type { Job } from '../model/index.js';
import { liveStateOf, planJob } from '../plan/index.js';
import type { JobPlan } from '../plan/index.js';
import { withPreviousDigests } from '../rollout/index.js';
import type { Store } from '../store/index.js';

export interface StoredPlan {
  plan: JobPlan;
  /** The job file's text at the newest version, for the file diff; null when unknown. */
  oldText: string | null;
}

export function planAgainstStore(store: Store, job: Job): StoredPlan {
  const record = store.getJob(job.id);
  const latest = record ? store.getVersion(job.id, record.version) : undefined;
  const current = record && latest ? { job: latest.job, specHash: latest.specHash, version: latest.version, modifyIndex: record.modifyIndex, stopped: record.stopped } : null;
  // A moving tag not asked of its registry here (a pull request's plan, a plan offline) is planned at the digest that runs.
  const plan = planJob({ job: withPreviousDigests(job, latest?.job), current, live: liveStateOf(store.listAllocations(job.id)) });
  return { plan, oldText: latest?.sourceText ?? null };
}
