// What the parts of the rollout share: the store, the runtime and its link, the
// event log, the clock, and the way back to the watcher.
import type { Driver } from '../runtime/driver.js';
import type { Store } from '../store/store.js';
import type { EventLog } from './event-log.js';
import type { RuntimeLink } from './runtime-link.js';

export interface RolloutContext {
  store: Store;
  driver: Driver;
  runtime: RuntimeLink;
  log: EventLog;
  now: () => number;
  /** Errors the rollout survives (a failed stop, a lost event stream). */
  onError: (error: unknown, context: string) => void;
  /** Asks the watcher to decide a job again. */
  schedule: (jobId: string) => void;
  /** Jobs to resume (placements and stops cut short) before they are decided again. */
  toResume: Set<string>;
}
