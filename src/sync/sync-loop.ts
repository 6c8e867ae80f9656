// One sync at a time per repository. Triggers (poll, schedule, watch, webhook,
// manual) only say "look again": while a run is going, any number of triggers
// coalesce into exactly one follow-up run, which sees the newest commit, so a
// newer commit supersedes an older one that was still queued. A failed run is
// retried with exponential backoff (capped); while backing off, triggers wait for
// the retry, except urgent ones (a webhook: new information, so try now).
import type { TimerHandle, Timers } from './timers.js';
import { realTimers } from './timers.js';

export type TriggerReason = 'start' | 'poll' | 'schedule' | 'watch' | 'webhook' | 'manual' | 'retry';

export type RunOutcome = { ok: true } | { ok: false; error: unknown };

export interface BackoffOptions {
  /** Wait after the first failure; default 1 s. */
  initialMs?: number;
  /** Never wait longer; default 5 min. */
  maxMs?: number;
  /** Growth per consecutive failure; default 2. */
  factor?: number;
}

export type SyncLoopEvent =
  | { type: 'run-started'; reasons: TriggerReason[]; at: number }
  | { type: 'run-succeeded'; reasons: TriggerReason[]; durationMs: number }
  | { type: 'run-failed'; reasons: TriggerReason[]; durationMs: number; error: unknown; consecutiveFailures: number; retryInMs: number };

export interface SyncLoopOptions {
  /** One sync; resolves with an outcome (a throw counts as a failure). SyncResult fits. */
  run: (reasons: TriggerReason[]) => Promise<RunOutcome>;
  backoff?: BackoffOptions;
  timers?: Timers;
  /** Progress and errors, for logs, metrics and the API. Must not throw. */
  onEvent?: (event: SyncLoopEvent) => void;
}

export class SyncLoop {
  private readonly run: SyncLoopOptions['run'];
  private readonly timers: Timers;
  private readonly onEvent: (event: SyncLoopEvent) => void;
  private readonly backoff: Required<BackoffOptions>;
  private pending = new Set<TriggerReason>();
  private running: Promise<void> | null = null;
  private retryTimer: TimerHandle | null = null;
  private failures = 0;
  private stopped = false;
  private settledWaiters: Array<() => void> = [];

  constructor(options: SyncLoopOptions) {
    this.run = options.run;
    this.timers = options.timers ?? realTimers;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.backoff = { initialMs: 1000, maxMs: 5 * 60_000, factor: 2, ...options.backoff };
  }

  /** Consecutive failed runs so far (0 after a success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /**
   * Asks for a sync. Returns at once: the run happens now, after the current
   * one, or (while backing off) at the retry unless `urgent`.
   */
  trigger(reason: TriggerReason, options: { urgent?: boolean } = {}): void {
    if (this.stopped) return;
    this.pending.add(reason);
    if (this.running) return;
    if (this.retryTimer !== null) {
      if (!options.urgent) return;
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.startRun();
  }

  /** Resolves when no run is going and none is due now (a backoff wait counts as settled). */
  settled(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** No more runs; resolves after the current one, if any, has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.settled();
  }

  private startRun(): void {
    const reasons = [...this.pending];
    this.pending = new Set();
    const startedAt = this.timers.now();
    this.onEvent({ type: 'run-started', reasons, at: startedAt });
    this.running = this.runSafely(reasons).then((outcome) => this.finish(reasons, startedAt, outcome));
  }

  private async runSafely(reasons: TriggerReason[]): Promise<RunOutcome> {
    try {
      return await this.run(reasons);
    } catch (error) {
      return { ok: false, error };
    }
  }

  private finish(reasons: TriggerReason[], startedAt: number, outcome: RunOutcome): void {
    this.running = null;
    const durationMs = this.timers.now() - startedAt;
    if (outcome.ok) {
      this.failures = 0;
      this.onEvent({ type: 'run-succeeded', reasons, durationMs });
    } else {
      this.failures++;
      const retryInMs = this.retryDelay();
      this.onEvent({ type: 'run-failed', reasons, durationMs, error: outcome.error, consecutiveFailures: this.failures, retryInMs });
      if (!this.stopped) this.scheduleRetry(retryInMs);
    }
    if (!this.stopped && this.pending.size > 0 && this.retryTimer === null) {
      this.startRun();
      return;
    }
    for (const resolve of this.settledWaiters.splice(0)) resolve();
  }

  private scheduleRetry(delayMs: number): void {
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.trigger('retry');
    }, delayMs);
  }

  private retryDelay(): number {
    const { initialMs, maxMs, factor } = this.backoff;
    return Math.min(maxMs, initialMs * factor ** (this.failures - 1));
  }
}
