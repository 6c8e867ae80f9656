// The StatusReporter for GitHub (and GitHub Enterprise, and Gitea, which speak the
// same API for these calls): commit statuses per job, one plan comment per pull
// request. Every report goes through the delivery queue, so a slow or failing
// GitHub never blocks or fails a deployment.
import type {
  DeploymentOutcome,
  DeploymentProgress,
  PullRequestInfo,
  PullRequestPlan,
  PullRequestRef,
  PullRequestSource,
  RenderFailure,
  StatusReporter,
} from '../../reporter.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { createClient } from './client.js';
import {
  DESCRIPTION_LIMIT,
  outcomeStatus,
  planFailedStatus,
  planStartedStatus,
  planStatus,
  progressStatus,
  renderFailureStatus,
} from './commit-status.js';
import type { CommitStatus } from './commit-status.js';
import { DeliveryQueue } from './delivery-queue.js';
import type { DeliveryProblem, Pace } from './delivery-queue.js';
import { describeFailure, isWorthRetrying } from './failures.js';
import { GitHubApi, parseRepository } from './github-api.js';
import { planCommentBodies } from './plan-comment.js';
import { syncPlanComments } from './sync-plan-comments.js';
import { fitOnOneLine, redact } from './text.js';

/** Where problems go: pino's `logger.warn(details, message)` fits. Never given the token. */
export interface ReporterLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface GitHubReporterOptions {
  /** `owner/name`. */
  repository: string;
  /** Read by the caller from a file or the environment; used only in the Authorization header. */
  token: string;
  /** Default `https://api.github.com`; GitHub Enterprise: `https://HOST/api/v3`; Gitea: `https://HOST/api/v1`. */
  apiUrl?: string;
  /** The agent's public address; statuses link to `<publicUrl>/ui/deployments/<id>`. */
  publicUrl?: string | null;
  /** octokit's throttling and retry plugins; default on. Tests turn them off. */
  throttleAndRetry?: boolean;
  /** Default 30 s. */
  requestTimeoutMs?: number;
  /** First retry after this (default 1 s), doubling up to `maxRetryDelayMs` (default 5 min). */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Progress updates of one status go out at most this often (default 10 s). */
  progressIntervalMs?: number;
  clock?: Clock;
  log?: ReporterLog;
}

const DEFAULTS = {
  apiUrl: 'https://api.github.com',
  requestTimeoutMs: 30_000,
  initialRetryDelayMs: 1_000,
  maxRetryDelayMs: 5 * 60_000,
  progressIntervalMs: 10_000,
};

export class GitHubReporter implements StatusReporter, PullRequestSource {
  private readonly api: GitHubApi;
  private readonly queue: DeliveryQueue;
  private readonly publicUrl: string | null;
  private readonly token: string;
  private readonly log: ReporterLog;
  /** Aborts reads under way when the agent stops: a GitHub that does not answer must not hold the shutdown. */
  private readonly closing = new AbortController();

  constructor(options: GitHubReporterOptions) {
    this.token = options.token;
    this.publicUrl = options.publicUrl ?? null;
    this.log = options.log ?? { warn: () => {} };
    const octokit = createClient({
      apiUrl: options.apiUrl ?? DEFAULTS.apiUrl,
      token: options.token,
      throttleAndRetry: options.throttleAndRetry ?? true,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      warn: (message) => this.log.warn({ source: 'octokit' }, redact(message, this.token)),
    });
    this.api = new GitHubApi(octokit, parseRepository(options.repository));
    this.queue = new DeliveryQueue({
      clock: options.clock ?? systemClock,
      initialRetryDelayMs: options.initialRetryDelayMs ?? DEFAULTS.initialRetryDelayMs,
      maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
      progressIntervalMs: options.progressIntervalMs ?? DEFAULTS.progressIntervalMs,
      isWorthRetrying,
      describeFailure: (error) => describeFailure(error, this.token),
      onProblem: (problem) => this.reportProblem(problem),
    });
  }

  deploymentStarted(deployment: DeploymentProgress): void {
    this.sendStatus(progressStatus(deployment, this.publicUrl), 'now');
  }

  deploymentProgressed(deployment: DeploymentProgress): void {
    this.sendStatus(progressStatus(deployment, this.publicUrl), 'rate-limited');
  }

  deploymentFinished(deployment: DeploymentOutcome): void {
    this.sendStatus(outcomeStatus(deployment, this.publicUrl), 'now');
  }

  renderFailed(failure: RenderFailure): void {
    this.sendStatus(renderFailureStatus(failure), 'now');
  }

  planStarted(pullRequest: PullRequestRef): void {
    this.sendStatus(planStartedStatus(pullRequest.headSha), 'now');
  }

  planForPullRequest(pullRequest: PullRequestRef, plan: PullRequestPlan): void {
    const bodies = planCommentBodies(pullRequest.headSha, redact(plan.markdown, this.token));
    this.queue.offer(`comments #${pullRequest.number}`, {
      label: `plan comment on #${pullRequest.number} (${bodies.length} part${bodies.length === 1 ? '' : 's'})`,
      send: (signal) => syncPlanComments(this.api.comments(pullRequest.number, signal), bodies),
    });
    this.sendStatus(planStatus(pullRequest.headSha, plan), 'now');
  }

  planFailed(pullRequest: PullRequestRef, reason: string): void {
    this.sendStatus(planFailedStatus(pullRequest.headSha, reason), 'now');
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  close(): Promise<void> {
    this.closing.abort();
    return this.queue.close();
  }

  openPullRequests(): Promise<PullRequestInfo[]> {
    return this.withSafeErrors(() => this.api.openPullRequests(this.closing.signal));
  }

  pullRequest(number: number): Promise<PullRequestInfo | null> {
    return this.withSafeErrors(() => this.api.pullRequest(number, this.closing.signal));
  }

  private sendStatus(status: CommitStatus, pace: Pace): void {
    // Fitted again after redaction, which may lengthen it.
    const description = fitOnOneLine(redact(status.description, this.token), DESCRIPTION_LIMIT);
    const safe = { ...status, description, targetUrl: status.targetUrl && redact(status.targetUrl, this.token) };
    this.queue.offer(`status ${safe.sha} ${safe.context.toLowerCase()}`, {
      label: `status ${safe.context} (${safe.state}) on ${safe.sha.slice(0, 7)}`,
      send: (signal) => this.api.createStatus(safe, signal),
    }, pace);
  }

  private reportProblem(problem: DeliveryProblem): void {
    const outcome = problem.retryInMs === null ? 'given up' : `retrying in ${problem.retryInMs} ms`;
    this.log.warn({ source: 'github', report: problem.label, attempt: problem.attempt, reason: problem.reason, retryInMs: problem.retryInMs }, `GitHub: ${problem.label} failed (${problem.reason}); ${outcome}`);
  }

  /** Reading errors go to the caller, as messages that cannot carry the token or request headers. */
  private async withSafeErrors<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw Object.assign(new Error(`GitHub: ${describeFailure(error, this.token)}`), { status: (error as { status?: unknown }).status });
    }
  }
}
