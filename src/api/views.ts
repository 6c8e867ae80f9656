// The JSON shapes of docs/spec.md (status, history, deployments) built from what the
// store holds. Pure: the API serves them and the CLI prints them.
import type { AllocationRecord, Deployment, Diagnostic, JobRecord, JobVersion } from '../model/index.js';
import type { JobEndpoint } from '../rollout/index.js';
import type { JobSync } from '../status/index.js';

export interface DeploymentGroupView {
  name: string;
  desired: number;
  placed: number;
  healthy: number;
  unhealthy: number;
  canaries: number;
  promoted: boolean;
}

export interface DeploymentView {
  id: string;
  jobVersion: number;
  status: Deployment['status'];
  description: string;
  createdAt: number;
  updatedAt: number;
  groups: DeploymentGroupView[];
}

export interface AllocationView {
  id: string;
  group: string;
  index: number;
  version: number;
  image: string;
  desired: 'run' | 'stop';
  status: AllocationRecord['status'];
  healthy: boolean | null;
  canary: boolean;
  deployment: string | null;
  ports: Record<string, number>;
  description: string;
  createdAt: number;
  modifiedAt: number;
}

export type JobRunStatus = 'pending' | 'running' | 'dead';

export interface JobStatusView {
  id: string;
  version: number;
  status: JobRunStatus;
  stopped: boolean;
  modifyIndex: number;
  format: string;
  file: string | null;
  groups: Array<{ name: string; count: number; running: number; healthy: number }>;
  /** Where clients connect (the edge), and the allocations each endpoint sends connections to now. */
  endpoints: Array<{ address: string; port: number; group: string; portLabel: string; allocations: string[]; error: string | null }>;
  latestDeployment: DeploymentView | null;
  allocations: AllocationView[];
  /**
   * The errors and warnings of the job's file at the last synced commit, when the
   * agent follows a repository and there are some: what `deckhand status` shows above the summary.
   */
  fileDiagnostics?: { commit: string; diagnostics: Diagnostic[] };
  /** Whether what runs is what Git says (status/job-sync.ts); null for a job that did not come from Git, or an agent that follows no repository. */
  sync?: JobSync | null;
}

export interface JobSummaryView {
  id: string;
  version: number;
  status: JobRunStatus;
  modifyIndex: number;
  format: string;
  latestDeployment: { id: string; status: Deployment['status']; description: string } | null;
  /** As JobStatusView's. */
  sync?: JobSync | null;
}

export interface VersionView {
  version: number;
  stable: boolean;
  commit: string | null;
  submittedAt: number;
  specHash: string;
  modifyIndex: number;
  source: JobVersion['source'];
}

export function deploymentView(d: Deployment): DeploymentView {
  return {
    id: d.id,
    jobVersion: d.jobVersion,
    status: d.status,
    description: d.description,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    groups: d.groups.map((g) => ({
      name: g.name,
      desired: g.desiredTotal,
      placed: g.placed,
      healthy: g.healthy,
      unhealthy: g.unhealthy,
      canaries: g.desiredCanaries,
      promoted: g.promoted,
    })),
  };
}

/** Allocations that still matter to a person: those meant to run, and the newest that ended (why did it stop?). */
const shownStoppedAllocations = 20;

export function allocationViews(allocations: AllocationRecord[], versions: Map<number, JobVersion>): AllocationView[] {
  const running = allocations.filter((a) => a.desired === 'run');
  const stopped = allocations.filter((a) => a.desired === 'stop').slice(-shownStoppedAllocations);
  return [...running, ...stopped]
    .sort((a, b) => b.modifiedAt - a.modifiedAt || a.group.localeCompare(b.group) || a.index - b.index)
    .map((a) => {
      const group = versions.get(a.jobVersion)?.job.groups.find((g) => g.name === a.group);
      return {
        id: a.id,
        group: a.group,
        index: a.index,
        version: a.jobVersion,
        image: group?.tasks.map((t) => t.image).join(', ') ?? '',
        desired: a.desired,
        status: a.status,
        healthy: a.healthy,
        canary: a.canary,
        deployment: a.deploymentId,
        ports: a.ports,
        description: a.description,
        createdAt: a.createdAt,
        modifiedAt: a.modifiedAt,
      };
    });
}

export function jobRunStatus(record: JobRecord, allocations: AllocationRecord[]): JobRunStatus {
  if (record.stopped) return 'dead';
  return allocations.some((a) => a.desired === 'run' && a.status === 'running') ? 'running' : 'pending';
}

export interface JobStatusInput {
  record: JobRecord;
  latest: JobVersion;
  /** Every version an allocation refers to, for its image. */
  versions: Map<number, JobVersion>;
  deployment: Deployment | undefined;
  allocations: AllocationRecord[];
  endpoints: Array<JobEndpoint & { error: string | null }>;
}

export function jobStatusView(input: JobStatusInput): JobStatusView {
  const { record, latest, deployment, allocations } = input;
  const live = allocations.filter((a) => a.desired === 'run');
  return {
    id: record.id,
    version: record.version,
    status: jobRunStatus(record, allocations),
    stopped: record.stopped,
    modifyIndex: record.modifyIndex,
    format: latest.job.source.format,
    file: latest.source.file,
    groups: latest.job.groups.map((g) => {
      const mine = live.filter((a) => a.group === g.name);
      return {
        name: g.name,
        count: record.stopped ? 0 : g.count,
        running: mine.filter((a) => a.status === 'running').length,
        healthy: mine.filter((a) => a.status === 'running' && a.healthy === true).length,
      };
    }),
    endpoints: input.endpoints.map((e) => ({ address: e.address, port: e.port, group: e.group, portLabel: e.portLabel, allocations: e.backends.map((b) => b.id), error: e.error })),
    latestDeployment: deployment ? deploymentView(deployment) : null,
    allocations: allocationViews(allocations, input.versions),
  };
}

export function jobSummaryView(record: JobRecord, format: string, allocations: AllocationRecord[], deployment: Deployment | undefined): JobSummaryView {
  return {
    id: record.id,
    version: record.version,
    status: jobRunStatus(record, allocations),
    modifyIndex: record.modifyIndex,
    format,
    latestDeployment: deployment ? { id: deployment.id, status: deployment.status, description: deployment.description } : null,
  };
}

export function versionView(v: JobVersion): VersionView {
  return { version: v.version, stable: v.stable, commit: v.source.commit, submittedAt: v.submittedAt, specHash: v.specHash, modifyIndex: v.modifyIndex, source: v.source };
}
