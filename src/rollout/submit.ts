// Submitting a job: a new version when its spec changed, guarded by check-index.
import type { Job, JobVersion, VersionSource } from '../model/index.js';
import { jobSpecHash } from '../model/index.js';
import type { Store } from '../store/index.js';

export class CheckIndexError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number | null,
  ) {
    super(
      actual === null
        ? `Enforcing job modify index ${expected}: job does not exist`
        : `Enforcing job modify index ${expected}: job exists with conflicting job modify index: ${actual}`,
    );
    this.name = 'CheckIndexError';
  }
}

export interface SubmitInput {
  job: Job;
  source: VersionSource;
  sourceText: string | null;
  /** `run --check-index N`: refuse unless the job's modify index is N (0: the job must not exist). */
  checkIndex?: number;
  now: number;
}

export interface SubmitResult {
  version: JobVersion;
  /** False when the spec equals the newest version and the job runs: nothing new was recorded. */
  changed: boolean;
}

export function submitJob(store: Store, input: SubmitInput): SubmitResult {
  return store.transaction(() => {
    const record = store.getJob(input.job.id);
    if (input.checkIndex !== undefined) {
      const actual = record?.modifyIndex ?? null;
      if ((actual ?? 0) !== input.checkIndex) throw new CheckIndexError(input.checkIndex, actual);
    }
    const specHash = jobSpecHash(input.job);
    const latest = record ? store.getVersion(record.id, record.version) : undefined;
    if (record && latest && latest.specHash === specHash && !record.stopped) return { version: latest, changed: false };
    const version = store.submitVersion({ job: input.job, specHash, source: input.source, sourceText: input.sourceText, submittedAt: input.now });
    if (record?.stopped) store.setStopped(record.id, false, input.now);
    return { version, changed: true };
  });
}
