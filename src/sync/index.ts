// src/sync's public surface: Git sources that produce revisions (sha + files),
// which files changed between two of them, and triggers.
// Nothing here knows what a job is; the agent renders what a revision holds.
export type { ChangedFile, ChangedFilesResult, CommitPerson, HeadRelation, Revision, RevisionSource, SyncOptions, SyncResult } from './revision.js';
export { SyncError } from './errors.js';
export type { SyncErrorCode } from './errors.js';
export { GitSource } from './git-source.js';
export type { GitSourceOptions } from './git-source.js';
export { LocalRepositorySource } from './local-source.js';
export type { LocalSourceOptions } from './local-source.js';
export { SyncLoop } from './sync-loop.js';
export type { BackoffOptions, RunOutcome, SyncLoopEvent, SyncLoopOptions, TriggerReason } from './sync-loop.js';
export { defaultPollIntervalMs, startPolling, startSchedule } from './triggers.js';
export type { CronScheduler, PollingOptions, ScheduleOptions, StoppableTrigger } from './triggers.js';
export { watchRepository } from './repository-watch.js';
export type { RepositoryWatch, RepositoryWatchOptions } from './repository-watch.js';
export { realTimers } from './timers.js';
export type { Timers } from './timers.js';
export { sameRepository, splitCredentials } from './repository-url.js';
export { readDirectoryTree, treeAroundFile } from './directory.js';
