// What the parts of the rollout share: the store, the runtime and its link, the
// event bus, the clock, and the way back to the watcher.
import type { Driver } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import type { DeckhandEvent } from '../model/index.js';
import type { EventBus } from '../util/index.js';
import type { RuntimeLink } from './runtime-link.js';
import type { TrafficSteering } from './traffic.js';

export interface RolloutContext {
  store: Store;
  driver: Driver;
  runtime: RuntimeLink;
  /** Where progress goes: the agent's one bus (the store's journal, logs, metrics, the API, reporters). */
  events: EventBus<DeckhandEvent>;
  now: () => number;
  /** Errors the rollout survives (a failed stop, a lost event stream). */
  onError: (error: unknown, context: string) => void;
  /** Asks the watcher to decide a job again. */
  schedule: (jobId: string) => void;
  /** Jobs to resume (placements and stops cut short) before they are decided again. */
  toResume: Set<string>;
  /** The endpoints' data path, when the agent runs one. */
  traffic: TrafficSteering | null;
}
