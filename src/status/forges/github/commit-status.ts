// What each report looks like as a GitHub commit status: its context, state,
// description (GitHub refuses more than 140 characters) and link.
import { formatDiagnostic, isError } from '../../../model/index.js';
import type { Diagnostic } from '../../../model/index.js';
import type { DeploymentOutcome, DeploymentProgress, PullRequestPlan, RenderFailure } from '../../reporter.js';
import { fitOnOneLine } from './text.js';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  sha: string;
  context: string;
  state: CommitState;
  description: string;
  targetUrl: string | null;
}

export const DESCRIPTION_LIMIT = 140;
export const PLAN_CONTEXT = 'deckhand/plan';

export function jobContext(jobId: string): string {
  return `deckhand/${jobId}`;
}

/** The agent's page for a deployment, when it has a public address. */
export function deploymentUrl(publicUrl: string | null, deploymentId: string): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/ui/deployments/${encodeURIComponent(deploymentId)}` : null;
}

export function progressStatus(deployment: DeploymentProgress, publicUrl: string | null): CommitStatus {
  return {
    sha: deployment.commitSha,
    context: jobContext(deployment.jobId),
    state: 'pending',
    description: withWarnings(deployment.description || 'Deployment running', deployment.warnings),
    targetUrl: deploymentUrl(publicUrl, deployment.deploymentId),
  };
}

/**
 * A rollback is a failure: the commit's version did not make it. A cancelled
 * deployment (a newer version overtook it, or the job was stopped) did not make it
 * either. `error` is kept for "deckhand could not even try".
 */
export function outcomeStatus(outcome: DeploymentOutcome, publicUrl: string | null): CommitStatus {
  const successful = outcome.status === 'successful';
  const fallback = successful ? 'Deployment completed successfully' : `Deployment ${outcome.status}`;
  return {
    sha: outcome.commitSha,
    context: jobContext(outcome.jobId),
    state: successful ? 'success' : 'failure',
    description: withWarnings(outcome.description || fallback, outcome.warnings),
    targetUrl: deploymentUrl(publicUrl, outcome.deploymentId),
  };
}

/**
 * `Deployment completed successfully (1 warning: web.nomad:6:7: warning: …)`: the
 * job file's warnings travel with its status, the outcome first so it survives the cut.
 */
export function withWarnings(description: string, warnings: Diagnostic[] = []): string {
  const first = warnings[0];
  if (!first) return fitOnOneLine(description, DESCRIPTION_LIMIT);
  const count = warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`;
  return fitOnOneLine(`${description} (${count}: ${formatDiagnostic(first)})`, DESCRIPTION_LIMIT);
}

/** `jobs/web.nomad:12:5: update.canary: must be … (+2 more)`: the place first, so it survives truncation. */
export function renderFailureStatus(failure: RenderFailure): CommitStatus {
  const errors = failure.diagnostics.filter(isError);
  const first = errors[0];
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
  const what = first ? formatDiagnostic(first) : `${failure.file}: does not render`;
  return {
    sha: failure.commitSha,
    context: jobContext(failure.jobId ?? failure.file),
    state: 'error',
    description: `${fitOnOneLine(what, DESCRIPTION_LIMIT - more.length)}${more}`,
    targetUrl: null,
  };
}

export function planStartedStatus(headSha: string): CommitStatus {
  return { sha: headSha, context: PLAN_CONTEXT, state: 'pending', description: 'Planning the jobs this pull request changes', targetUrl: null };
}

export function planStatus(headSha: string, plan: PullRequestPlan): CommitStatus {
  if (plan.failedFiles > 0) {
    const files = plan.failedFiles === 1 ? '1 job file does not render' : `${plan.failedFiles} job files do not render`;
    return { sha: headSha, context: PLAN_CONTEXT, state: 'failure', description: `${files}; see the plan comment`, targetUrl: null };
  }
  const changes = plan.changedJobs === 0 ? 'No changes to jobs' : plan.changedJobs === 1 ? '1 job changes when merged' : `${plan.changedJobs} jobs change when merged`;
  const warnings = plan.warnings ? `; ${plan.warnings === 1 ? '1 warning' : `${plan.warnings} warnings`}, see the plan comment` : '';
  return { sha: headSha, context: PLAN_CONTEXT, state: 'success', description: `${changes}${warnings}`, targetUrl: null };
}

export function planFailedStatus(headSha: string, reason: string): CommitStatus {
  return { sha: headSha, context: PLAN_CONTEXT, state: 'error', description: fitOnOneLine(`Could not plan: ${reason}`, DESCRIPTION_LIMIT), targetUrl: null };
}
