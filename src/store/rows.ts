// Rows as SQLite returns them, and their conversion to and from the model.
// SQLite has no booleans (0/1) and no JSON type (TEXT): both are handled here only.
import { withCurrentFields } from '../model/index.js';
import type { AllocationRecord, AllocationStatus, Deployment, DeploymentGroupState, DeploymentStatus, Job, JobEvent, JobRecord, JobVersion, VersionSourceKind } from '../model/index.js';

type Flag = 0 | 1;

export interface JobRow {
  id: string;
  version: number;
  /** Joined from the newest version. */
  spec_hash: string;
  modify_index: number;
  stopped: Flag;
  created_at: number;
  updated_at: number;
}

export interface JobVersionRow {
  job_id: string;
  version: number;
  job_json: string;
  spec_hash: string;
  modify_index: number;
  source_kind: string;
  source_commit: string | null;
  source_file: string | null;
  source_author: string | null;
  source_message: string | null;
  source_revert_of: number | null;
  source_text: string | null;
  stable: Flag;
  submitted_at: number;
}

export interface DeploymentRow {
  id: string;
  job_id: string;
  job_version: number;
  status: string;
  description: string;
  groups_json: string;
  created_at: number;
  updated_at: number;
}

export interface AllocationRow {
  id: string;
  job_id: string;
  group_name: string;
  alloc_index: number;
  job_version: number;
  spec_hash: string;
  deployment_id: string | null;
  desired: string;
  status: string;
  healthy: Flag | null;
  healthy_at: number | null;
  canary: Flag;
  containers_json: string;
  ports_json: string;
  description: string;
  created_at: number;
  modified_at: number;
}

export interface EventRow {
  seq: number;
  time: number;
  job_id: string;
  deployment_id: string | null;
  type: string;
  message: string;
  details_json: string | null;
}

export function flag(value: boolean): Flag {
  return value ? 1 : 0;
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    version: row.version,
    specHash: row.spec_hash,
    modifyIndex: row.modify_index,
    stopped: row.stopped === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function versionToRow(version: JobVersion): JobVersionRow {
  return {
    job_id: version.jobId,
    version: version.version,
    job_json: JSON.stringify(version.job),
    spec_hash: version.specHash,
    modify_index: version.modifyIndex,
    source_kind: version.source.kind,
    source_commit: version.source.commit,
    source_file: version.source.file,
    source_author: version.source.author,
    source_message: version.source.message,
    source_revert_of: version.source.revertOf,
    source_text: version.sourceText,
    stable: flag(version.stable),
    submitted_at: version.submittedAt,
  };
}

export function versionFromRow(row: JobVersionRow): JobVersion {
  return {
    jobId: row.job_id,
    version: row.version,
    job: withCurrentFields(JSON.parse(row.job_json) as Job),
    specHash: row.spec_hash,
    modifyIndex: row.modify_index,
    source: {
      kind: row.source_kind as VersionSourceKind,
      commit: row.source_commit,
      file: row.source_file,
      author: row.source_author,
      message: row.source_message,
      revertOf: row.source_revert_of,
    },
    sourceText: row.source_text,
    stable: row.stable === 1,
    submittedAt: row.submitted_at,
  };
}

export function deploymentToRow(deployment: Deployment): DeploymentRow {
  return {
    id: deployment.id,
    job_id: deployment.jobId,
    job_version: deployment.jobVersion,
    status: deployment.status,
    description: deployment.description,
    groups_json: JSON.stringify(deployment.groups),
    created_at: deployment.createdAt,
    updated_at: deployment.updatedAt,
  };
}

export function deploymentFromRow(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    jobId: row.job_id,
    jobVersion: row.job_version,
    status: row.status as DeploymentStatus,
    description: row.description,
    groups: JSON.parse(row.groups_json) as DeploymentGroupState[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function allocationToRow(allocation: AllocationRecord): AllocationRow {
  return {
    id: allocation.id,
    job_id: allocation.jobId,
    group_name: allocation.group,
    alloc_index: allocation.index,
    job_version: allocation.jobVersion,
    spec_hash: allocation.specHash,
    deployment_id: allocation.deploymentId,
    desired: allocation.desired,
    status: allocation.status,
    healthy: allocation.healthy === null ? null : flag(allocation.healthy),
    healthy_at: allocation.healthyAt,
    canary: flag(allocation.canary),
    containers_json: JSON.stringify(allocation.containers),
    ports_json: JSON.stringify(allocation.ports),
    description: allocation.description,
    created_at: allocation.createdAt,
    modified_at: allocation.modifiedAt,
  };
}

export function allocationFromRow(row: AllocationRow): AllocationRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    group: row.group_name,
    index: row.alloc_index,
    jobVersion: row.job_version,
    specHash: row.spec_hash,
    deploymentId: row.deployment_id,
    desired: row.desired as AllocationRecord['desired'],
    status: row.status as AllocationStatus,
    healthy: row.healthy === null ? null : row.healthy === 1,
    healthyAt: row.healthy_at,
    canary: row.canary === 1,
    containers: JSON.parse(row.containers_json) as Record<string, string>,
    ports: JSON.parse(row.ports_json) as Record<string, number>,
    description: row.description,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

export function eventToRow(event: Omit<JobEvent, 'seq'>): Omit<EventRow, 'seq'> {
  return {
    time: event.time,
    job_id: event.jobId,
    deployment_id: event.deploymentId,
    type: event.type,
    message: event.message,
    details_json: event.details === null ? null : JSON.stringify(event.details),
  };
}

export function eventFromRow(row: EventRow): JobEvent {
  return {
    seq: row.seq,
    time: row.time,
    jobId: row.job_id,
    deploymentId: row.deployment_id,
    type: row.type,
    message: row.message,
    details: row.details_json === null ? null : (JSON.parse(row.details_json) as Record<string, unknown>),
  };
}
