// src/status's public surface: what other folders may use.
export { forgeReports } from './forge-reports.js';
export { journal } from './journal.js';
export { Metrics } from './metrics.js';
export { noReporter } from './reporter.js';
export type { PullRequestRef, PullRequestSource, StatusReporter } from './reporter.js';
export { countSyncStates, isGitOwned, jobSyncState, syncStateNames } from './job-sync.js';
export type { JobSync, JobSyncInput, RepositorySync, SyncStateName } from './job-sync.js';
export { storedJobSync } from './job-sync-store.js';
