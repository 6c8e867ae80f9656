// What `run` shows while a deployment goes on, in the manner of `docker service
// update`: overall progress, a line per allocation of the deployment, and what
// it is waiting for. Pure: a status snapshot in, lines out.
import type { DeploymentView, JobStatusView } from '../../api/index.js';

export function progressLines(job: JobStatusView, deployment: DeploymentView): string[] {
  const desired = deployment.groups.reduce((n, g) => n + g.desired, 0);
  // Allocations updated in place, or untouched because they already match, count as done: as in `docker service update`.
  const healthy = job.allocations.filter((a) => a.desired === 'run' && a.version === deployment.jobVersion && a.healthy === true).length;
  const mine = job.allocations.filter((a) => a.deployment === deployment.id).sort((a, b) => a.group.localeCompare(b.group) || a.index - b.index || a.createdAt - b.createdAt);
  const lines = [`overall progress: ${healthy} out of ${desired} allocations healthy (deployment ${deployment.id.slice(0, 8)}, version ${deployment.jobVersion})`];
  for (const a of mine) {
    const health = a.healthy === null ? (a.status === 'pending' || a.status === 'running' ? 'waiting for health' : '') : a.healthy ? 'healthy' : 'unhealthy';
    const state = a.desired === 'stop' ? 'stopped' : a.status;
    const why = a.healthy === false || a.status === 'failed' ? `  ${a.description}` : '';
    lines.push(`  ${a.id.slice(0, 8)}  ${a.group}[${a.index}]${a.canary ? ' canary' : ''}  ${state}  ${health}${why}`.trimEnd());
  }
  lines.push(`${verb(deployment)}: ${deployment.description}`);
  return lines;
}

function verb(d: DeploymentView): string {
  switch (d.status) {
    case 'running':
      return 'verify';
    case 'paused':
      return 'paused';
    default:
      return d.status;
  }
}

export function verdictLine(deployment: DeploymentView): string {
  const id = deployment.id.slice(0, 8);
  switch (deployment.status) {
    case 'successful':
      return `==> Deployment "${id}" successful: ${deployment.description}`;
    case 'failed':
      return `==> Deployment "${id}" failed: ${deployment.description}`;
    case 'cancelled':
      return `==> Deployment "${id}" cancelled: ${deployment.description}`;
    default:
      return `==> Deployment "${id}" is ${deployment.status}: ${deployment.description}`;
  }
}
