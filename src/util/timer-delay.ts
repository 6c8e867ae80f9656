// Node turns a timer delay above 2^31 - 1 ms (24.8 days) into 1 ms, with only a
// warning: a poll interval, deadline or backoff that long would fire at once, and
// again and again. Every timer set from a value that comes from outside (a
// setting, a job file, a server's answer) goes through this.

/** The longest delay Node's timers take as it is. */
export const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * A delay Node keeps: at most 24.8 days (a longer wait wakes early, and its caller,
 * which looks again when woken, simply waits again), never negative or NaN.
 */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, maxTimerDelayMs);
}
