// What deckhand remembers about jobs over time: versions, deployments,
// allocations and events. The store persists these; rollout and plan read them.
import type { Job } from './job.js';

/** `adopted`: rebuilt from the labels of running containers when the data directory had no record of the job. */
export type VersionSourceKind = 'git' | 'cli' | 'revert' | 'auto-revert' | 'adopted';

/** Where a job version came from: the commit that changed its file, a CLI submission, or a revert. */
export interface VersionSource {
  kind: VersionSourceKind;
  commit: string | null;
  /** The job file, relative to the repository root. */
  file: string | null;
  author: string | null;
  message: string | null;
  /** For a revert or rollback: the earlier version whose spec this version repeats. */
  revertOf: number | null;
}

export interface JobVersion {
  jobId: string;
  /** 0 for the first version, then +1 on every change. */
  version: number;
  job: Job;
  /** Hash of the job's spec, everything but where it came from (plan/spec-hash.ts). */
  specHash: string;
  /** The job's modify index when this version was submitted. */
  modifyIndex: number;
  source: VersionSource;
  /** The job file's text at this version, for file diffs in plans; null when unknown. */
  sourceText: string | null;
  /** True once a deployment of this version succeeded (Nomad's "stable"). */
  stable: boolean;
  /** Milliseconds since the epoch. */
  submittedAt: number;
}

export interface JobRecord {
  id: string;
  /** The newest version. */
  version: number;
  /** The newest version's spec hash: enough to tell whether a job file changed without loading the version. */
  specHash: string;
  /** Moves on every change to the job (a new version, a stop): `run --check-index` compares it. */
  modifyIndex: number;
  /** Stopped jobs keep their history; their allocations are stopped. */
  stopped: boolean;
  createdAt: number;
  updatedAt: number;
}

export type DeploymentStatus = 'running' | 'paused' | 'successful' | 'failed' | 'cancelled';

export interface DeploymentGroupState {
  name: string;
  desiredTotal: number;
  desiredCanaries: number;
  /** Allocation ids placed as canaries by this deployment. */
  canaries: string[];
  promoted: boolean;
  autoRevert: boolean;
  /** Which of the group's strategies drives this deployment: its `rollback` when the deployment is a rollback. */
  strategy: 'update' | 'rollback';
  placed: number;
  healthy: number;
  unhealthy: number;
  /** Milliseconds since the epoch by which the deployment must make progress; null: no deadline. */
  requireProgressBy: number | null;
}

export interface Deployment {
  id: string;
  jobId: string;
  jobVersion: number;
  status: DeploymentStatus;
  description: string;
  groups: DeploymentGroupState[];
  createdAt: number;
  updatedAt: number;
}

export type AllocationStatus = 'pending' | 'running' | 'failed' | 'complete' | 'lost';

export interface AllocationRecord {
  /** 8 to 36 hex characters; containers are named with its first 8. */
  id: string;
  jobId: string;
  group: string;
  /** The allocation's slot in its group, 0 to count-1. */
  index: number;
  jobVersion: number;
  /** The group's spec hash (what forces create/destroy updates) it was placed with. */
  specHash: string;
  deploymentId: string | null;
  desired: 'run' | 'stop';
  status: AllocationStatus;
  /** null while health is not yet known. */
  healthy: boolean | null;
  /** When it was found healthy (milliseconds since the epoch). */
  healthyAt: number | null;
  canary: boolean;
  /** Task name → Docker container id. */
  containers: Record<string, string>;
  /** Port label → host port. */
  ports: Record<string, number>;
  /** Why it is in its state, e.g. the engine's error for a missing image. */
  description: string;
  createdAt: number;
  modifiedAt: number;
}

export interface JobEvent {
  /** Increasing, for resuming an event stream. */
  seq: number;
  time: number;
  jobId: string;
  deploymentId: string | null;
  /** A stable kind, e.g. `version-submitted`, `allocation-placed`, `deployment-failed`, `drift`. */
  type: string;
  message: string;
  details: Record<string, unknown> | null;
}
