// What sync produces and the agent consumes: a revision is one commit and the job
// folder's files at that commit. Nothing here knows what a job is.
import type { SourceTree } from '../model/index.js';
import type { SyncError } from './errors.js';

export interface CommitPerson {
  name: string;
  email: string;
}

export interface Revision {
  /** The commit's full sha. */
  sha: string;
  /** Branch the commit was read from (for a local repository without `branch`, the checked-out one, or `HEAD` when detached). */
  branch: string;
  /** The job folder inside the repository ('' for the root). */
  path: string;
  /** Object id of the job folder's tree: equal ids mean equal files, whatever else the commit changed. */
  pathTreeOid: string;
  author: CommitPerson;
  message: string;
  /** Committer time in ms since the epoch (when the commit was made, not when it was authored). */
  committedAt: number;
  /**
   * The files under `path`, keyed relative to it, as render's `renderTree` takes them.
   * Shared with the previous revision when the folder did not change: treat as read-only.
   */
  tree: SourceTree;
}

/**
 * How the new head relates to the baseline the caller last accepted:
 * - `initial`: no baseline given;
 * - `unchanged`: same commit;
 * - `fast-forward`: the baseline is an ancestor of the new head (the normal case);
 * - `rewritten`: it is not (a force-push, an amend, a reset): the caller decides what to do.
 */
export type HeadRelation = 'initial' | 'unchanged' | 'fast-forward' | 'rewritten';

/** Where a sync's time went, for the agent's debug log (push → container latency). */
export interface SyncTimings {
  /** Clone or fetch; null when nothing was fetched (a local repository, or the pushed commit was already here). */
  fetchMs: number | null;
  /** Ancestry check and reading the job folder's files. */
  readMs: number;
}

export type SyncResult =
  | { ok: true; revision: Revision; relation: HeadRelation; baseline: string | null; timings?: SyncTimings }
  | {
      ok: false;
      error: SyncError;
      /** The last revision this source produced, still valid: what runs keeps running. */
      lastRevision: Revision | null;
    };

export interface ChangedFile {
  /** Relative to the revision's `path`, as in `Revision.tree.files`. */
  path: string;
  change: 'added' | 'modified' | 'deleted';
}

export type ChangedFilesResult = { ok: true; files: ChangedFile[] } | { ok: false; error: SyncError };

export interface SyncOptions {
  /** Sha the caller last accepted (deployed); the result's `relation` is relative to it. */
  baseline?: string | null;
  /**
   * The commit a push announced (a webhook's `after`): when it already is the local
   * branch head (a poll or an earlier delivery brought it), the fetch is skipped.
   */
  pushed?: string | null;
}

/** A Git repository, remote (clone and fetch) or local (read in place), seen the same way. */
export interface RevisionSource {
  /** For logs and errors: the URL without credentials, or the local path. */
  readonly description: string;
  /** Fetches (when remote) and reads the branch head. Never throws: errors are values. */
  sync(options?: SyncOptions): Promise<SyncResult>;
  /** Files under the path that differ between two synced commits. Never throws. */
  changedFiles(fromSha: string, toSha: string): Promise<ChangedFilesResult>;
}
