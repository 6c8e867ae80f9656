// The sync loop: one run at a time, triggers coalesce into one follow-up run,
// failures back off exponentially (capped), urgent triggers cut the wait short.
// A fake clock drives the backoff; runs finish when the test says so.
import type { RunOutcome, SyncLoopEvent, TriggerReason } from '../../src/sync/sync-loop.js';
import { SyncLoop } from '../../src/sync/sync-loop.js';
import { FakeTimers } from './fake-timers.js';

interface Call {
  reasons: TriggerReason[];
  finish: (outcome: RunOutcome) => void;
}

/** A run function whose calls the test awaits (`next`) and finishes by hand. */
function controlledRuns() {
  const calls: Call[] = [];
  const unclaimed: Call[] = [];
  const waiters: Array<(call: Call) => void> = [];
  let active = 0;
  let maxActive = 0;
  const run = (reasons: TriggerReason[]) =>
    new Promise<RunOutcome>((resolve) => {
      active++;
      maxActive = Math.max(maxActive, active);
      const finish = (outcome: RunOutcome) => {
        active--;
        resolve(outcome);
      };
      const call: Call = { reasons, finish };
      calls.push(call);
      const waiter = waiters.shift();
      if (waiter) waiter(call);
      else unclaimed.push(call);
    });
  const next = (): Promise<Call> => {
    const ready = unclaimed.shift();
    return ready ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve));
  };
  return { run, next, calls, maxActive: () => maxActive };
}

/** Lets promise callbacks that are already due run (no timers involved). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SyncLoop', () => {
  it('coalesces triggers during a run into exactly one follow-up run', async () => {
    const runs = controlledRuns();
    const loop = new SyncLoop({ run: runs.run, timers: new FakeTimers() });
    loop.trigger('start');
    const first = await runs.next();
    expect(first.reasons).toEqual(['start']);

    loop.trigger('poll');
    loop.trigger('watch');
    loop.trigger('webhook');
    loop.trigger('poll');
    await flush();
    expect(runs.calls).toHaveLength(1);

    first.finish({ ok: true });
    const followUp = await runs.next();
    expect(followUp.reasons).toEqual(['poll', 'watch', 'webhook']);
    followUp.finish({ ok: true });
    await loop.settled();
    expect(runs.calls).toHaveLength(2);
    expect(runs.maxActive()).toBe(1);
  });

  it('backs off exponentially after failures, capped, and resets after a success', async () => {
    const runs = controlledRuns();
    const timers = new FakeTimers();
    const events: SyncLoopEvent[] = [];
    const loop = new SyncLoop({ run: runs.run, timers, backoff: { initialMs: 1000, maxMs: 5000 }, onEvent: (e) => events.push(e) });
    const failures = () => events.flatMap((e) => (e.type === 'run-failed' ? [e] : []));

    loop.trigger('start');
    (await runs.next()).finish({ ok: false, error: new Error('network down') });
    await loop.settled();
    expect(failures()[0]).toMatchObject({ consecutiveFailures: 1, retryInMs: 1000, error: new Error('network down') });
    expect(timers.waiting).toEqual([1000]);

    // A poll while backing off waits for the retry instead of hammering the server.
    loop.trigger('poll');
    timers.advance(999);
    await flush();
    expect(runs.calls).toHaveLength(1);
    timers.advance(1);
    const retry = await runs.next();
    expect(retry.reasons).toEqual(['poll', 'retry']);

    retry.finish({ ok: false, error: 'again' });
    await loop.settled();
    for (const expected of [4000, 5000]) {
      timers.advance(timers.waiting[0]!);
      (await runs.next()).finish({ ok: false, error: 'again' });
      await loop.settled();
      expect(failures().at(-1)?.retryInMs).toBe(expected);
    }
    expect(failures().map((f) => f.retryInMs)).toEqual([1000, 2000, 4000, 5000]);
    expect(loop.consecutiveFailures).toBe(4);

    timers.advance(5000);
    (await runs.next()).finish({ ok: true });
    await loop.settled();
    expect(loop.consecutiveFailures).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'run-succeeded', reasons: ['retry'] });
    expect(timers.waiting).toEqual([]);
  });

  it('runs an urgent trigger (a webhook) at once, even while backing off', async () => {
    const runs = controlledRuns();
    const timers = new FakeTimers();
    const loop = new SyncLoop({ run: runs.run, timers });
    loop.trigger('start');
    (await runs.next()).finish({ ok: false, error: 'down' });
    await loop.settled();
    expect(timers.waiting).toEqual([1000]);

    loop.trigger('webhook', { urgent: true });
    const urgent = await runs.next();
    expect(urgent.reasons).toEqual(['webhook']);
    expect(timers.waiting).toEqual([]);
    urgent.finish({ ok: true });
    await loop.settled();
  });

  it('counts a run that throws as a failure', async () => {
    const events: SyncLoopEvent[] = [];
    const loop = new SyncLoop({
      run: async () => {
        throw new Error('bug');
      },
      timers: new FakeTimers(),
      onEvent: (e) => events.push(e),
    });
    loop.trigger('manual');
    await flush();
    await loop.settled();
    expect(events.map((e) => e.type)).toEqual(['run-started', 'run-failed']);
    await loop.stop();
  });

  it('stops: waits for the running sync, then ignores triggers and cancels the retry', async () => {
    const runs = controlledRuns();
    const timers = new FakeTimers();
    const loop = new SyncLoop({ run: runs.run, timers });
    loop.trigger('start');
    const running = await runs.next();
    loop.trigger('poll');
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);
    running.finish({ ok: false, error: 'x' });
    await stopping;
    loop.trigger('manual');
    timers.advance(60_000);
    await flush();
    expect(runs.calls).toHaveLength(1);
    expect(timers.waiting).toEqual([]);
  });
});
