// Sends one target's notifications in order, without ever making the bus or a
// rollout wait: `offer` only queues. One request at a time per target; a failure
// worth retrying (no answer, a timeout, 408, 429, 5xx) is tried again after a
// capped exponential backoff (or the receiver's Retry-After, capped too), up to
// a number of attempts. The queue is bounded: when a receiver stays down, the
// oldest waiting notification is dropped, with a log line, so memory stays flat.
// Nothing logged here holds the URL (for Slack and Discord, it is the credential).
import { timerDelay } from '../../util/index.js';
import type { NotificationRequest } from './notifier.js';

export interface DeliveryOptions {
  /** Notifications waiting per target; beyond it the oldest is dropped. */
  maxQueued: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** Attempts per notification, the first included. */
  maxAttempts: number;
  /** How long one request may take. */
  timeoutMs: number;
}

export const defaultDeliveryOptions: DeliveryOptions = { maxQueued: 100, initialRetryDelayMs: 1000, maxRetryDelayMs: 60_000, maxAttempts: 8, timeoutMs: 10_000 };

export interface DeliveryLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface QueuedNotification {
  /** For logs, e.g. `deployment-failed of job web`. */
  label: string;
  request: NotificationRequest;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs: number | null };

export class TargetDelivery {
  private readonly waiting: QueuedNotification[] = [];
  private running: Promise<void> | null = null;
  private readonly closing = new AbortController();

  constructor(
    private readonly target: { name: string; url: string },
    private readonly options: DeliveryOptions,
    private readonly log: DeliveryLog,
  ) {}

  offer(notification: QueuedNotification): void {
    if (this.closing.signal.aborted) return;
    if (this.waiting.length >= this.options.maxQueued) {
      const dropped = this.waiting.shift()!;
      this.log.warn({ target: this.target.name, dropped: dropped.label }, `notification target ${this.target.name}: ${this.options.maxQueued} notifications wait already; dropped the oldest (${dropped.label})`);
    }
    this.waiting.push(notification);
    this.running ??= this.run();
  }

  /** Resolves once nothing waits and nothing is being sent. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops what waits, cancels a retry's wait and a request under way. */
  async close(): Promise<void> {
    this.closing.abort();
    this.waiting.length = 0;
    await this.idle();
  }

  private async run(): Promise<void> {
    try {
      while (!this.closing.signal.aborted && this.waiting.length > 0) await this.deliver(this.waiting.shift()!);
    } finally {
      this.running = null;
    }
  }

  private async deliver(notification: QueuedNotification): Promise<void> {
    const { maxAttempts, initialRetryDelayMs, maxRetryDelayMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(notification);
      if (outcome.ok || this.closing.signal.aborted) return;
      const details = { target: this.target.name, notification: notification.label, attempt, reason: outcome.reason };
      if (!outcome.retry || attempt >= maxAttempts) {
        const why = outcome.retry ? `after ${attempt} attempts` : 'the receiver refused it; retrying cannot help';
        this.log.warn(details, `notification target ${this.target.name}: gave up sending ${notification.label} (${why}): ${outcome.reason}`);
        return;
      }
      const backoff = initialRetryDelayMs * 2 ** (attempt - 1);
      const delayMs = Math.min(maxRetryDelayMs, outcome.retryAfterMs ?? backoff);
      this.log.warn({ ...details, retryInMs: delayMs }, `notification target ${this.target.name}: sending ${notification.label} failed (${outcome.reason}); retrying in ${delayMs} ms`);
      await this.wait(delayMs);
    }
  }

  private async attempt(notification: QueuedNotification): Promise<Outcome> {
    const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.options.timeoutMs)]);
    try {
      const response = await fetch(this.target.url, { method: 'POST', headers: notification.request.headers, body: notification.request.body, signal, redirect: 'error' });
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true };
      const status = response.status;
      const retry = status >= 500 || status === 408 || status === 429;
      return { ok: false, retry, reason: `HTTP ${status}`, retryAfterMs: retryAfter(response.headers.get('retry-after')) };
    } catch (error) {
      return { ok: false, retry: true, reason: describeError(error), retryAfterMs: null };
    }
  }

  private wait(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.closing.signal.removeEventListener('abort', done);
        resolve();
      };
      // A retry waiting must not keep the process alive on shutdown.
      const timer = setTimeout(done, timerDelay(delayMs));
      timer.unref();
      this.closing.signal.addEventListener('abort', done);
    });
  }
}

/** Seconds, as Slack and Discord send it on 429; an HTTP date is read too. */
function retryAfter(value: string | null): number | null {
  if (value === null) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** The error's code or name, never its message: undici's messages can quote the URL. */
function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return 'no answer in time';
  if (typeof cause?.name === 'string') return cause.name;
  return typeof name === 'string' ? name : 'the request failed';
}
