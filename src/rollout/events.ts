// Typed progress events: what the CLI's progress display, the API's event
// stream, logs, metrics and GitHub statuses all consume.
import type { AllocationRecord, Deployment, JobVersion } from '../model/state.js';

export type ProgressEvent =
  | { type: 'version'; jobId: string; version: JobVersion; message: string }
  | { type: 'deployment'; jobId: string; deployment: Deployment; message: string }
  | { type: 'allocation'; jobId: string; allocation: AllocationRecord; message: string }
  | { type: 'job'; jobId: string; message: string }
  /** What ran was changed behind deckhand's back (removed, stopped, crashed); it is put back. */
  | { type: 'drift'; jobId: string; allocId: string; message: string }
  | { type: 'runtime'; jobId: string | null; message: string };

export type ProgressListener = (event: ProgressEvent) => void;
