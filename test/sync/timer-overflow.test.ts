// Node turns a timer delay above 24.8 days into 1 ms: a poll interval, backoff,
// deadline or check interval that long would fire at once, again and again. The
// timers deckhand sets from outside values keep such delays as long waits.
import { afterEach, jest } from '@jest/globals';
import { systemClock } from '../../src/status/forges/github/clock.js';
import { startPolling } from '../../src/sync/triggers/triggers.js';
import { realTimers } from '../../src/sync/timers.js';
import { maxTimerDelayMs, timerDelay } from '../../src/util/timer-delay.js';

const days30 = 30 * 24 * 3_600_000;

afterEach(() => {
  jest.useRealTimers();
});

describe('timer delays past what Node keeps', () => {
  it('are cut to 24.8 days, and negative or NaN delays to none', () => {
    expect(timerDelay(days30)).toBe(maxTimerDelayMs);
    expect(timerDelay(1500)).toBe(1500);
    expect(timerDelay(-5)).toBe(0);
    expect(timerDelay(Number.NaN)).toBe(0);
    expect(timerDelay(Number.POSITIVE_INFINITY)).toBe(maxTimerDelayMs);
  });

  // The fake clock behaves as Node does: a delay over 2^31 - 1 ms becomes 1 ms.
  it('make the sync triggers wait, not fire at once', async () => {
    jest.useFakeTimers();
    let fired = 0;
    const polling = startPolling(() => fired++, { intervalMs: days30, jitter: 0, timers: realTimers });
    jest.advanceTimersByTime(60_000);
    expect(fired).toBe(0);
    jest.advanceTimersByTime(maxTimerDelayMs);
    expect(fired).toBe(1);
    await polling.stop();
  });

  it('make the GitHub reporter wait for a long retry', () => {
    jest.useFakeTimers();
    let fired = 0;
    systemClock.setTimeout(() => fired++, days30);
    jest.advanceTimersByTime(60_000);
    expect(fired).toBe(0);
  });
});
