// What makes a sync happen: a poll every interval (with jitter, so many agents do
// not hit one server in step), a cron schedule, or a watch on a local repository.
// Each only calls `fire`; the SyncLoop decides when a sync actually runs. The
// webhook calls `SyncLoop.trigger('webhook', { urgent: true })` directly.
import cron from 'node-cron';
import type { TimerHandle, Timers } from '../timers.js';
import { realTimers } from '../timers.js';

export interface StoppableTrigger {
  stop(): Promise<void>;
}

export interface PollingOptions {
  intervalMs: number;
  /** Each wait is the interval ± this fraction of it, at random; default 0.1. */
  jitter?: number;
  timers?: Timers;
  /** For tests: a source of numbers in [0, 1). */
  random?: () => number;
}

export const defaultPollIntervalMs = 30_000;
const defaultJitter = 0.1;

/** Fires every interval (± jitter); the first time one interval after starting. */
export function startPolling(fire: () => void, options: PollingOptions): StoppableTrigger {
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;
  const jitter = Math.min(Math.max(options.jitter ?? defaultJitter, 0), 1);
  let handle: TimerHandle | null = null;
  let stopped = false;
  const scheduleNext = () => {
    handle = timers.setTimeout(() => {
      if (stopped) return;
      fire();
      scheduleNext();
    }, jitteredInterval(options.intervalMs, jitter, random()));
  };
  scheduleNext();
  return {
    stop: async () => {
      stopped = true;
      if (handle !== null) timers.clearTimeout(handle);
    },
  };
}

/** `interval × (1 − jitter + 2 × jitter × r)`: uniform in interval ± jitter. */
export function jitteredInterval(intervalMs: number, jitter: number, r: number): number {
  return Math.max(1, Math.round(intervalMs * (1 - jitter + 2 * jitter * r)));
}

/** What node-cron's `schedule` is to this module; tests pass a fake one. */
export type CronScheduler = (expression: string, task: () => void) => { destroy(): void | Promise<void> };

export interface ScheduleOptions {
  /** IANA time zone for the expression; default the machine's. */
  timezone?: string;
  scheduler?: CronScheduler;
}

/** An error value when the expression is not valid cron (5 fields, or 6 with seconds). */
export function startSchedule(expression: string, fire: () => void, options: ScheduleOptions = {}): { ok: true; trigger: StoppableTrigger } | { ok: false; message: string } {
  const check = cron.validateDetailed(expression);
  if (!check.valid) {
    const reasons = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return { ok: false, message: `--schedule '${expression}' is not a valid cron expression${reasons ? ` (${reasons})` : ''}` };
  }
  const scheduler: CronScheduler =
    options.scheduler ?? ((expr, task) => cron.schedule(expr, task, { name: 'deckhand-sync', noOverlap: true, ...(options.timezone ? { timezone: options.timezone } : {}) }));
  const task = scheduler(expression, fire);
  return {
    ok: true,
    trigger: {
      stop: async () => {
        await task.destroy();
      },
    },
  };
}
