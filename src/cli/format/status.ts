// `deckhand status` as `nomad job status` lays it out.
import type { AllocationView, DeploymentView, JobStatusView, JobSummaryView } from '../../api/index.js';
import { formatDiagnostic } from '../../model/index.js';
import { ago, keyValues, table } from './table.js';

export function formatJobList(jobs: JobSummaryView[]): string {
  if (jobs.length === 0) return 'No running jobs\n';
  // The Sync column only where an agent follows a repository: jobs from Git have a state.
  const synced = jobs.some((j) => j.sync);
  const rows = jobs.map((j) => [
    j.id,
    j.format,
    String(j.version),
    j.status,
    ...(synced ? [j.sync ? j.sync.state : '-'] : []),
    j.latestDeployment ? `${j.latestDeployment.id.slice(0, 8)} ${j.latestDeployment.status}` : '-',
  ]);
  return `${table(['ID', 'Format', 'Version', 'Status', ...(synced ? ['Sync'] : []), 'Latest Deployment'], rows)}\n`;
}

/** `out of sync (manual run (version 3))`, with the commit it is about. */
function syncText(sync: NonNullable<JobStatusView['sync']>): string {
  const commit = sync.commit && !sync.reason?.includes(sync.commit.slice(0, 7)) ? ` at ${sync.commit.slice(0, 7)}` : '';
  return sync.reason ? `${sync.state}${commit}: ${sync.reason}` : `${sync.state}${commit}`;
}

export function formatJobStatus(job: JobStatusView, now: number): string {
  const parts = [
    keyValues([
      ['ID', job.id],
      ['Type', 'service'],
      ['Format', job.file ? `${job.format} (${job.file})` : job.format],
      ['Version', String(job.version)],
      ['Status', job.status],
      ...(job.sync ? [['Sync', syncText(job.sync)] as [string, string]] : []),
      ['Modify Index', String(job.modifyIndex)],
    ]),
    ...fileDiagnostics(job),
    `Summary\n${table(['Task Group', 'Desired', 'Running', 'Healthy'], job.groups.map((g) => [g.name, String(g.count), String(g.running), String(g.healthy)]))}`,
  ];
  if (job.endpoints?.length) {
    const rows = job.endpoints.map((e) => [`${e.address}:${e.port}`, e.group, e.portLabel, e.error ? `cannot listen: ${e.error}` : e.allocations.length ? `${e.allocations.length} healthy allocation${e.allocations.length === 1 ? '' : 's'}` : 'no healthy allocation']);
    parts.push(`Endpoints\n${table(['Address', 'Task Group', 'Port', 'Serving'], rows)}`);
  }
  if (job.latestDeployment) parts.push(formatDeployment(job.latestDeployment, 'Latest Deployment'));
  parts.push(`Allocations\n${job.allocations.length ? formatAllocations(job.allocations, now) : 'No allocations placed'}`);
  const failures = recentFailures(job.allocations);
  if (failures) parts.push(failures);
  return `${parts.join('\n\n')}\n`;
}

/** The errors and warnings of a Git-synced job's file at the last synced commit, as `deckhand validate` prints them. */
function fileDiagnostics(job: JobStatusView): string[] {
  if (!job.fileDiagnostics) return [];
  const { commit, diagnostics } = job.fileDiagnostics;
  return [`Job File Diagnostics (commit ${commit.slice(0, 7)})\n${diagnostics.map(formatDiagnostic).join('\n')}`];
}

/** A deployment's groups as Nomad's table: Promoted and Canaries only when it has canaries. */
export function deploymentGroupsTable(d: DeploymentView): string {
  const canaries = d.groups.some((g) => g.canaries > 0);
  const header = ['Task Group', ...(canaries ? ['Promoted'] : []), 'Desired', ...(canaries ? ['Canaries'] : []), 'Placed', 'Healthy', 'Unhealthy'];
  const rows = d.groups.map((g) => [
    g.name,
    ...(canaries ? [String(g.promoted)] : []),
    String(g.desired),
    ...(canaries ? [String(g.canaries)] : []),
    String(g.placed),
    String(g.healthy),
    String(g.unhealthy),
  ]);
  return table(header, rows);
}

export function formatDeployment(d: DeploymentView, title: string): string {
  const summary = keyValues([
    ['ID', d.id.slice(0, 8)],
    ['Job Version', String(d.jobVersion)],
    ['Status', d.status],
    ['Description', d.description],
  ]);
  return `${title}\n${summary}\n\nDeployed\n${deploymentGroupsTable(d)}`;
}

export function formatAllocations(allocations: AllocationView[], now: number): string {
  const rows = allocations.map((a) => [
    a.id.slice(0, 8),
    a.group,
    String(a.index),
    String(a.version),
    a.image,
    a.desired,
    a.status,
    healthText(a),
    Object.entries(a.ports).map(([label, port]) => `${label}=${port}`).join(',') || '-',
    ago(a.modifiedAt, now),
  ]);
  return table(['ID', 'Task Group', 'Index', 'Version', 'Image', 'Desired', 'Status', 'Health', 'Ports', 'Modified'], rows);
}

/** Why allocations failed to start or run, newest first (an image the registry refused, say), as `nomad alloc status` tells a driver failure. */
function recentFailures(allocations: AllocationView[]): string | null {
  const failed = allocations.filter((a) => a.status === 'failed' && a.description !== '').sort((a, b) => b.modifiedAt - a.modifiedAt).slice(0, 5);
  if (failed.length === 0) return null;
  return `Recent Failures\n${table(['ID', 'Version', 'Description'], failed.map((a) => [a.id.slice(0, 8), String(a.version), a.description]))}`;
}

function healthText(a: AllocationView): string {
  const health = a.healthy === null ? (a.status === 'running' || a.status === 'pending' ? 'pending' : '-') : a.healthy ? 'healthy' : 'unhealthy';
  return a.canary ? `${health} (canary)` : health;
}
