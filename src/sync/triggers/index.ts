// What makes a sync happen: polling with jitter, a cron schedule (node-cron), a
// watch on a local repository's refs (chokidar).
export { defaultPollIntervalMs, startPolling, startSchedule } from './triggers.js';
export type { CronScheduler, PollingOptions, ScheduleOptions, StoppableTrigger } from './triggers.js';
export { watchRepository } from './repository-watch.js';
export type { RepositoryWatch, RepositoryWatchOptions } from './repository-watch.js';
