// What the API serves from: the rollout, the store, metrics, the GitOps loop, the
// forges' webhook handlers. Apart from server.ts, so the route files need not
// import the server that registers them.
import type { Logger } from 'pino';
import type { Diagnostic } from '../model/index.js';
import type { JobLimits } from '../render/index.js';
import type { RolloutEngine } from '../rollout/index.js';
import type { Metrics, RepositorySync } from '../status/index.js';
import type { Store } from '../store/index.js';

export interface WebhookHandler {
  /** Answers a forge's webhook delivery; must not wait for the sync it queues. */
  (request: { headers: Record<string, string | string[] | undefined>; rawBody: Buffer }): { status: number; body: unknown };
}

/** The plan deckhand last made for an open pull request's head (`GET /v1/pull-requests`). */
export interface PullRequestPlanView {
  number: number;
  headSha: string;
  /** The comment posted on the pull request (plans, files that do not render, warnings). */
  markdown: string;
  changedJobs: number;
  failedFiles: number;
  warnings: number;
  plannedAt: number;
}

export interface ApiDeps {
  engine: RolloutEngine;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  /** When set, every call but the health check and webhooks (which carry their own signature) needs `Authorization: Bearer <token>`. */
  apiToken: string | null;
  /** Forge name → its webhook handler, served at `POST /v1/webhooks/<name>`. */
  webhooks?: Record<string, WebhookHandler>;
  /** The GitOps loop, when the agent follows a repository: `GET /v1/sync` and `POST /v1/sync`. */
  gitops?: {
    syncState: Omit<RepositorySync, 'selfHeal'> & { diagnostics: Diagnostic[] };
    /** Manual run/stop/revert of a job Git defines are refused unless forced, and undone at the next sync. */
    selfHeal: boolean;
    trigger(reason: 'manual', urgent?: boolean): void;
  };
  /** The pull-request planner, when the agent reports to a forge: `GET /v1/pull-requests`. */
  pullRequests?: { plans(): PullRequestPlanView[] };
  /** The agent's max-count, max-groups, max-tasks for submitted jobs; default validate.ts's. */
  jobLimits?: JobLimits;
}


/** What the GitOps loop last did, as the sync state of jobs reads it; null when the agent follows no repository. */
export function repositorySync(deps: Pick<ApiDeps, 'gitops'>): RepositorySync | null {
  if (!deps.gitops) return null;
  const { sha, diagnostics, refused, removed, jobIds } = deps.gitops.syncState;
  return { sha, diagnostics, refused, removed, jobIds, selfHeal: deps.gitops.selfHeal };
}
