// What a forge hears of deckhand's work, taken from the bus: a status per job on
// the commit a deployment carries out, an error status for a file that does not
// render, a plan on every pull request. Only versions that came from Git are
// reported: a revert's deployment repeats an older spec and must not turn the
// failed commit green. A job file's warnings on a commit ride along in its statuses.
import type { DeckhandEvent, Deployment, Diagnostic } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { StatusReporter } from './reporter.js';

export function forgeReports(store: Store, reporter: StatusReporter): (event: DeckhandEvent) => void {
  // The newest commit's warnings of each job (one entry per job): its statuses on that commit say them.
  const warned = new Map<string, { commit: string; diagnostics: Diagnostic[] }>();
  const warningsOf = (jobId: string, commit: string) => {
    const entry = warned.get(jobId);
    return entry?.commit === commit ? { warnings: entry.diagnostics } : {};
  };
  return (event) => {
    switch (event.type) {
      case 'render-warning':
        if (event.jobId !== null) warned.set(event.jobId, { commit: event.commit, diagnostics: event.diagnostics });
        return;
      case 'submitted':
        return reporter.deploymentStarted({ jobId: event.jobId, commitSha: event.commit, deploymentId: event.deploymentId, description: event.description, ...warningsOf(event.jobId, event.commit) });
      case 'submit-refused':
        return reporter.deploymentFinished({ jobId: event.jobId, commitSha: event.commit, deploymentId: '', status: 'failed', description: event.message.replace(/^commit \w+: /, '') });
      case 'render-error':
        return reporter.renderFailed({ commitSha: event.commit, jobId: event.jobId, file: event.file, diagnostics: event.diagnostics });
      case 'plan-started':
        return reporter.planStarted({ number: event.pullRequest, headSha: event.headSha });
      case 'plan':
        return reporter.planForPullRequest({ number: event.pullRequest, headSha: event.headSha }, { markdown: event.markdown, changedJobs: event.changedJobs, failedFiles: event.failedFiles, warnings: event.warnings });
      case 'plan-failed':
        return reporter.planFailed({ number: event.pullRequest, headSha: event.headSha }, event.reason);
      case 'deployment':
        return reportDeployment(store, reporter, event.deployment, warningsOf);
      default:
        return;
    }
  };
}

type WarningsOf = (jobId: string, commit: string) => { warnings?: Diagnostic[] };

function reportDeployment(store: Store, reporter: StatusReporter, deployment: Deployment, warningsOf: WarningsOf): void {
  const version = store.getVersion(deployment.jobId, deployment.jobVersion);
  if (version?.source.kind !== 'git' || !version.source.commit) return;
  const subject = { jobId: deployment.jobId, commitSha: version.source.commit, deploymentId: deployment.id, ...warningsOf(deployment.jobId, version.source.commit) };
  if (deployment.status === 'successful' || deployment.status === 'failed' || deployment.status === 'cancelled') {
    reporter.deploymentFinished({ ...subject, status: deployment.status, description: deployment.description });
  } else {
    reporter.deploymentProgressed({ ...subject, description: progressText(deployment) });
  }
}

function progressText(d: Deployment): string {
  const desired = d.groups.reduce((n, g) => n + g.desiredTotal, 0);
  const healthy = d.groups.reduce((n, g) => n + g.healthy, 0);
  return `${d.description}: ${healthy} of ${desired} allocations healthy`;
}
