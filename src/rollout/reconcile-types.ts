// The values reconcile() reads and the decisions it returns.
import type { AllocationStatus, Deployment, Job } from '../model/index.js';

/** What the runtime says of an allocation right now, boiled down for health. */
export type Probe = 'ready' | 'not-ready' | 'failed';

/** An allocation that should run, with what its record and the runtime say. */
export interface AllocationView {
  id: string;
  group: string;
  index: number;
  jobVersion: number;
  specHash: string;
  deploymentId: string | null;
  canary: boolean;
  status: AllocationStatus;
  /** The health decided so far (by an earlier reconcile, or by hand for `health_check = "manual"`). */
  healthy: boolean | null;
  healthyAt: number | null;
  /** When it was found unhealthy; it is replaced a restart delay later. */
  unhealthyAt: number | null;
  createdAt: number;
  probe: Probe;
  /** Since when `probe` has been 'ready' without a break; null when it is not ready. */
  readySince: number | null;
  /** Why it failed (the engine's message, a task's exit), for descriptions. */
  failure: string | null;
  /**
   * Every task's container runs. One that fails its checks while they run may still
   * serve (an overloaded host's checks time out), so replacing it costs availability;
   * one whose containers are gone or exited costs nothing to stop.
   */
  tasksRunning: boolean;
  /** The last note the watcher told about it (why it waits); null when none. */
  note: string | null;
}

export interface ReconcileInput {
  now: number;
  /** The job's newest version; null when the job is stopped. */
  job: Job | null;
  version: number;
  /** Group name → group spec hash of the newest version. */
  groupHashes: Record<string, string>;
  /** The job's newest deployment, whatever its version and status. */
  deployment: Deployment | null;
  /** Allocations that should run (desired run), of every version. */
  allocations: AllocationView[];
}

export type Decision =
  | { kind: 'set-health'; allocId: string; healthy: boolean; reason: string }
  /** `alongsideStops`: carried out together with the round's stops, not after them (a surge allows it: start-first). */
  | { kind: 'place'; group: string; index: number; canary: boolean; reason: string; alongsideStops?: true }
  /** `drift`: it ran and was changed behind deckhand's back (removed, stopped, crashed); it is put back. */
  | { kind: 'stop'; allocId: string; reason: string; drift?: boolean }
  | { kind: 'update-in-place'; allocId: string; reason: string }
  | { kind: 'promote'; reason: string }
  | { kind: 'progress'; group: string; requireProgressBy: number; reason: string }
  | { kind: 'describe'; description: string }
  /** Why an allocation is left as it is for now, told once: only when it differs from the allocation's `note` (null: clears it). */
  | { kind: 'note'; allocId: string; reason: string | null }
  | { kind: 'complete'; description: string }
  | { kind: 'fail'; description: string; revert: boolean }
  | { kind: 'pause'; description: string }
  | { kind: 'wait'; until: number; reason: string };

export const descriptions = {
  running: 'Deployment is running',
  needsPromotion: 'Deployment is running but requires manual promotion',
  /** Followed by what it waits for: `group "db" to be healthy` (start-order.ts). */
  waitingFor: 'Deployment is waiting for',
  successful: 'Deployment completed successfully',
  unhealthy: 'Failed due to unhealthy allocations',
  deadline: 'Failed due to progress deadline',
  paused: 'Deployment paused due to unhealthy allocations',
  newerVersion: 'Cancelled due to newer version of job',
  stopped: 'Cancelled because job is stopped',
} as const;
