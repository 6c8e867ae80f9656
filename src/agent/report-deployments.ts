// Deployment progress to the forge: a status per job on the commit whose file the
// deployment carries out. Only versions that came from Git are reported: a
// revert's deployment repeats an older spec and must not turn the failed commit green.
import type { Deployment } from '../model/state.js';
import type { ProgressEvent } from '../rollout/events.js';
import type { StatusReporter } from '../status/reporter.js';
import type { Store } from '../store/store.js';

export function reportDeployments(store: Store, reporter: StatusReporter): (event: ProgressEvent) => void {
  return (event) => {
    if (event.type !== 'deployment') return;
    const { deployment } = event;
    const version = store.getVersion(deployment.jobId, deployment.jobVersion);
    if (version?.source.kind !== 'git' || !version.source.commit) return;
    const subject = { jobId: deployment.jobId, commitSha: version.source.commit, deploymentId: deployment.id };
    if (deployment.status === 'successful' || deployment.status === 'failed' || deployment.status === 'cancelled') {
      reporter.deploymentFinished({ ...subject, status: deployment.status, description: deployment.description });
    } else {
      reporter.deploymentProgressed({ ...subject, description: progressText(deployment) });
    }
  };
}

function progressText(d: Deployment): string {
  const desired = d.groups.reduce((n, g) => n + g.desiredTotal, 0);
  const healthy = d.groups.reduce((n, g) => n + g.healthy, 0);
  return `${d.description}: ${healthy} of ${desired} allocations healthy`;
}
