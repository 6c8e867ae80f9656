// The store's contract: what the rest of deckhand may ask of it. Nothing outside
// src/store writes SQL; this interface is the border.
import type { AllocationRecord, Deployment, Job, JobEvent, JobRecord, JobVersion, VersionSource } from '../model/index.js';
import { sqliteErrorCode } from './sqlite.js';

export interface SubmitVersionInput {
  job: Job;
  specHash: string;
  source: VersionSource;
  sourceText: string | null;
  submittedAt: number;
  /** The version number of a job new to the store (0 when absent): a job adopted from running containers keeps the number they carry. */
  firstVersion?: number;
}

export interface EventQuery {
  jobId?: string;
  /** Only events with a larger seq. */
  afterSeq?: number;
  /** Newest last; at most this many (the newest). */
  limit?: number;
}

/**
 * Whether an error says the store could not write (disk full, I/O error, read-only
 * file, a lock held too long): the kind of trouble that ends when the disk does.
 */
export function isStorageError(error: unknown): boolean {
  return /^SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|PERM)/.test(sqliteErrorCode(error) ?? '');
}

/** Why the store cannot be written, since when (ms since the epoch). */
export interface StorageProblem {
  message: string;
  since: number;
}

export interface Store {
  /** Set while writes fail for want of a disk (full, read-only, I/O errors); null once one lands again. */
  readonly storageProblem: StorageProblem | null;
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;
  close(): void;

  getJob(id: string): JobRecord | undefined;
  listJobs(): JobRecord[];
  /** Adds the next version of a job (creating the job at version 0) and moves its modify index. */
  submitVersion(input: SubmitVersionInput): JobVersion;
  getVersion(jobId: string, version: number): JobVersion | undefined;
  /** Newest first. */
  listVersions(jobId: string): JobVersion[];
  setStable(jobId: string, version: number, stable: boolean): void;
  /** Marks a job stopped (or running again) and moves its modify index. */
  setStopped(jobId: string, stopped: boolean, at: number): void;
  /** Removes a job and everything recorded about it (`stop --purge`). */
  purgeJob(jobId: string): void;

  /** Inserts or replaces. */
  putDeployment(deployment: Deployment): void;
  getDeployment(id: string): Deployment | undefined;
  /** Deployments whose id starts with `prefix` (at most `limit`), in order of id: ids as people type them, shortened. */
  findDeployments(prefix: string, limit: number): Deployment[];
  /** Newest first. */
  listDeployments(jobId: string): Deployment[];

  /** Inserts or replaces. */
  putAllocation(allocation: AllocationRecord): void;
  getAllocation(id: string): AllocationRecord | undefined;
  /** Every allocation of a job (all jobs when omitted), oldest first. */
  listAllocations(jobId?: string): AllocationRecord[];
  deleteAllocation(id: string): void;

  appendEvent(event: Omit<JobEvent, 'seq'>): JobEvent;
  listEvents(query?: EventQuery): JobEvent[];

  /** Principle 5: a spec whose deployment failed and was reverted is not deployed again until it changes. */
  markSpecFailed(jobId: string, specHash: string, at: number): void;
  isSpecFailed(jobId: string, specHash: string): boolean;
  clearFailedSpecs(jobId: string): void;
}
