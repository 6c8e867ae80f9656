// What the agent tells a forge (GitHub, GitHub Enterprise, Gitea) about its work:
// a status per job on the commit being deployed, and a plan on every pull request.
// Each forge is a folder beside this file implementing these interfaces (DESIGN.md:
// `status/<forge>/`), so the agent never depends on one forge's API.
//
// Reporting is fire-and-forget: the methods queue a report and return at once,
// never throw, and never wait for the network. A forge that is down or slow must
// not hold back a deployment; reports catch up when it is back, the newest state
// of each status winning.
import type { DeploymentStatus, Diagnostic } from '../model/index.js';

/** A deployment of one job, carried out for one commit. */
export interface DeploymentSubject {
  jobId: string;
  /**
   * The commit whose job file this deployment carries out. Report only deployments
   * of versions that came from Git: a revert's deployment repeats an older spec and
   * must not paint the failed commit green afterwards.
   */
  commitSha: string;
  deploymentId: string;
  /** The warnings and notices of the job's file on that commit: the status says how many, and the first. */
  warnings?: Diagnostic[];
}

export interface DeploymentProgress extends DeploymentSubject {
  /** One line for people, e.g. `4 of 6 allocations healthy`. */
  description: string;
}

export interface DeploymentOutcome extends DeploymentSubject {
  status: Extract<DeploymentStatus, 'successful' | 'failed' | 'cancelled'>;
  /**
   * The deployment's own description, e.g. `Deployment completed successfully` or
   * `Failed due to unhealthy allocations - rolling back to job version 1`.
   */
  description: string;
}

/** A job file on a commit that does not render: nothing in it is deployed. */
export interface RenderFailure {
  commitSha: string;
  /** The job the file held before, when known; otherwise the status is named after the file. */
  jobId: string | null;
  file: string;
  /** The file's errors, the first of which names the place. */
  diagnostics: Diagnostic[];
}

export interface PullRequestRef {
  number: number;
  /** The commit at the head of the pull request that was planned. */
  headSha: string;
}

export interface PullRequestPlan {
  /** The plan as markdown, from `formatPlansMarkdown()` (src/plan/format-markdown.ts). */
  markdown: string;
  /** Jobs the pull request would change. */
  changedJobs: number;
  /** Job files in the pull request that do not render. */
  failedFiles: number;
  /** Warnings and notices of the job files that render (shown in the comment). */
  warnings?: number;
}

export interface StatusReporter {
  /** The deployment began: the job's status on the commit turns `pending`. */
  deploymentStarted(deployment: DeploymentProgress): void;
  /** Progress while it runs; updates are rate-limited per job and commit. */
  deploymentProgressed(deployment: DeploymentProgress): void;
  /** `successful` turns the status `success`; `failed` (a rollback included) and `cancelled` turn it `failure`. */
  deploymentFinished(deployment: DeploymentOutcome): void;
  /** An `error` status pointing at the file and line. */
  renderFailed(failure: RenderFailure): void;

  /** Planning a pull request's head began: its plan status turns `pending`. */
  planStarted(pullRequest: PullRequestRef): void;
  /** Posts the plan as the pull request's one plan comment (edited in place) and sets its plan status. */
  planForPullRequest(pullRequest: PullRequestRef, plan: PullRequestPlan): void;
  /** Planning could not be done at all (e.g. the head could not be fetched): an `error` plan status. */
  planFailed(pullRequest: PullRequestRef, reason: string): void;

  /** Resolves when every report queued so far was delivered or given up. For tests and orderly shutdown. */
  idle(): Promise<void>;
  /** Stops: pending reports are dropped, requests under way are abandoned. */
  close(): Promise<void>;
}

/** An open pull request, for the agent's polling fallback when webhooks do not arrive. */
export interface PullRequestInfo {
  number: number;
  title: string;
  headSha: string;
  /** The branch name, e.g. `change-ports`. */
  headRef: string;
  baseRef: string;
  url: string;
}

/** Reading pull requests: unlike reporting, these calls are awaited and may reject. */
export interface PullRequestSource {
  openPullRequests(): Promise<PullRequestInfo[]>;
  pullRequest(number: number): Promise<PullRequestInfo | null>;
}

/** For an agent with no forge configured: every report goes nowhere. */
export const noReporter: StatusReporter = {
  deploymentStarted: () => {},
  deploymentProgressed: () => {},
  deploymentFinished: () => {},
  renderFailed: () => {},
  planStarted: () => {},
  planForPullRequest: () => {},
  planFailed: () => {},
  idle: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
