// src/sync's light surface: what a revision is, the loop that takes revisions in
// one at a time, folders on disk read as trees, repository URLs. The Git sources
// (isomorphic-git) are in sync/git and the triggers (cron, watching) in
// sync/triggers, entered through their own index.ts, so a CLI command or an
// agent without a repository never loads them. Nothing here knows what a job is.
export type { ChangedFile, ChangedFilesResult, CommitPerson, HeadRelation, Revision, RevisionSource, SyncOptions, SyncResult } from './revision.js';
export { SyncError } from './errors.js';
export type { SyncErrorCode } from './errors.js';
export { SyncLoop } from './sync-loop.js';
export type { BackoffOptions, RunOutcome, SyncLoopEvent, SyncLoopOptions, TriggerReason } from './sync-loop.js';
export { realTimers } from './timers.js';
export type { Timers } from './timers.js';
export { cleartextCredentials, cloneFolderName, repositoryNameFromUrl, sameRepository, splitCredentials } from './repository-url.js';
export { readDirectoryTree, treeAroundFile } from './directory.js';
