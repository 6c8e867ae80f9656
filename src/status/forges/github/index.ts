// GitHub (and GitHub Enterprise, Gitea) behind the StatusReporter interface.
export { GitHubReporter } from './github-reporter.js';
export type { GitHubReporterOptions, ReporterLog } from './github-reporter.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { PLAN_MARKER } from './plan-comment.js';
