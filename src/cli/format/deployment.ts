// `deckhand deployment status ID` and `deckhand events`, as Nomad's CLI prints
// them: a key = value block and a table per group; one line per event. Pure.
import type { DeploymentView, StreamedEvent } from '../../api/index.js';
import { deploymentGroupsTable } from './status.js';
import { keyValues, table, timestamp } from './table.js';

export function formatDeploymentStatus(deployment: DeploymentView & { jobId: string }): string {
  const head = keyValues([
    ['ID', deployment.id],
    ['Job ID', deployment.jobId],
    ['Job Version', String(deployment.jobVersion)],
    ['Status', deployment.status],
    ['Description', deployment.description],
  ]);
  return `${head}\n\nDeployed\n${deploymentGroupsTable(deployment)}\n`;
}

/** Deployments a prefix matched, when it matched more than one: Nomad asks for more of the id. */
export function formatDeploymentMatches(prefix: string, matches: Array<DeploymentView & { jobId: string }>): string {
  const rows = matches.map((d) => [d.id, d.jobId, String(d.jobVersion), d.status, d.description]);
  return `Prefix "${prefix}" matched multiple deployments; give more of the id:\n\n${table(['ID', 'Job ID', 'Job Version', 'Status', 'Description'], rows)}\n`;
}

/** One event: when, which job, what kind, what happened. */
export function eventLine(event: StreamedEvent): string {
  return `${timestamp(event.time)}  ${event.jobId ?? '-'}  ${event.type}  ${event.message}\n`;
}
