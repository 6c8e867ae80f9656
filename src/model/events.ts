// Everything deckhand tells as it works, as one typed union on one bus
// (util/event-bus.ts): the rollout's progress, what a sync could not carry out,
// pull-request plans. Subscribers — the store's journal, logs, metrics, the API's
// event stream (and through it the CLI), forges and notifiers — each take what
// concerns them. `type` is also the kind recorded in a job's events.
import type { Diagnostic } from './diagnostic.js';
import type { AllocationRecord, Deployment, JobVersion } from './state.js';

/** The rollout: versions, deployments, allocations, the runtime. */
export type RolloutEvent =
  | { type: 'version'; jobId: string; version: JobVersion; message: string }
  | { type: 'deployment'; jobId: string; deployment: Deployment; message: string }
  | { type: 'allocation'; jobId: string; allocation: AllocationRecord; message: string }
  | { type: 'job'; jobId: string; message: string }
  /** What ran was changed behind deckhand's back (removed, stopped, crashed); it is put back. */
  | { type: 'drift'; jobId: string; allocId: string; message: string }
  | { type: 'runtime'; jobId: string | null; message: string };

/** The GitOps loop: what a commit started, and what it could not carry out (nothing was touched for it). */
export type SyncEvent =
  /** A commit's job was submitted and its deployment started. */
  | { type: 'submitted'; jobId: string; commit: string; deploymentId: string; description: string; message: string }
  /** The repository could not be read or its head was refused (for each followed job, and once with no job). */
  | { type: 'sync-error'; jobId: string | null; message: string }
  /** A job file does not render; the job it held (if any) keeps running as it is. */
  | { type: 'render-error'; jobId: string | null; commit: string; file: string; diagnostics: Diagnostic[]; message: string }
  /** A job file renders with warnings or notices (a deprecated form, a setting read another way); its jobs are carried out. */
  | { type: 'render-warning'; jobId: string | null; commit: string; file: string; diagnostics: Diagnostic[]; message: string }
  /** A job's file is gone from the repository; without --prune it keeps running. */
  | { type: 'file-removed'; jobId: string; commit: string; file: string | null; message: string }
  /** The rollout refused a commit's job (a spec that failed before, say). */
  | { type: 'submit-refused'; jobId: string; commit: string; message: string };

/** Plans of pull requests: nothing from them is ever deployed. */
export type PlanEvent =
  | { type: 'plan-started'; jobId: null; pullRequest: number; headSha: string; message: string }
  | { type: 'plan'; jobId: null; pullRequest: number; headSha: string; markdown: string; changedJobs: number; failedFiles: number; warnings: number; message: string }
  | { type: 'plan-failed'; jobId: null; pullRequest: number; headSha: string; reason: string; message: string };

export type DeckhandEvent = RolloutEvent | SyncEvent | PlanEvent;

const rolloutTypes: ReadonlySet<string> = new Set(['version', 'deployment', 'allocation', 'job', 'drift', 'runtime']);

export function isRolloutEvent(event: DeckhandEvent): event is RolloutEvent {
  return rolloutTypes.has(event.type);
}

export type EventListener = (event: DeckhandEvent) => void;
