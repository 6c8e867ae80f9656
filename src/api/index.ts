// src/api's public surface: what other folders may use.
export type { StreamedEvent } from './event-routes.js';
export { bundleProblem, recordingEnvironment } from './job-bundle.js';
export type { JobBundle } from './job-bundle.js';
export { planAgainstStore } from './plan-job.js';
export { buildApi } from './server.js';
export type { WebhookHandler } from './server.js';
export type { PullRequestPlanView } from './deps.js';
export type { AllocationView, DeploymentView, JobStatusView, JobSummaryView, VersionView } from './views.js';
export { cookieValue, sessionCookie, tokenMatches } from './auth.js';
