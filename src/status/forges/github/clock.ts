// Time as a parameter (DESIGN.md principle 1): the reporter waits between retries
// and between progress updates through this, so tests can run those waits on a
// virtual clock instead of sleeping.
import { timerDelay } from '../../../util/index.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` after `delayMs`; the returned function cancels it. */
  setTimeout(callback: () => void, delayMs: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const timer = setTimeout(callback, timerDelay(delayMs));
    // A report waiting for its retry must not keep the process alive on shutdown.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
