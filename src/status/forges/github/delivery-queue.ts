// Delivers reports to a forge without ever making the caller wait. Reports are
// keyed (one key per commit status context, one per pull-request comment); a key
// holds at most one report waiting, and a newer report replaces it, because only
// the newest state of a status matters. A failed delivery is retried with capped
// exponential backoff until it succeeds or a newer report replaces it; a refusal
// that no retry can fix (bad credentials, a validation error) is logged and dropped.
import type { Clock } from './clock.js';

export interface Delivery {
  /** What is delivered, for logs, e.g. `status deckhand/web on 1a2b3c4`. */
  label: string;
  send(signal: AbortSignal): Promise<void>;
}

/** `now`: a change of state, sent at once; `rate-limited`: progress, sent at most once per interval per key. */
export type Pace = 'now' | 'rate-limited';

export interface DeliveryProblem {
  label: string;
  /** 1 for the first failed attempt of this report's key since its last success. */
  attempt: number;
  /** Safe to log: never holds the token. */
  reason: string;
  /** null: given up, the report is dropped. */
  retryInMs: number | null;
}

export interface DeliveryQueueOptions {
  clock: Clock;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  progressIntervalMs: number;
  /** Whether trying again later can help, e.g. true for a 502 or a timeout, false for 401. */
  isWorthRetrying(error: unknown): boolean;
  describeFailure(error: unknown): string;
  onProblem(problem: DeliveryProblem): void;
}

interface Waiting {
  delivery: Delivery;
  pace: Pace;
}

interface Slot {
  waiting: Waiting | null;
  inFlight: boolean;
  /** When the last attempt began; progress waits `progressIntervalMs` after it. */
  lastAttemptAt: number | null;
  timer: { kind: 'backoff' | 'progress'; cancel: () => void } | null;
  failures: number;
}

export class DeliveryQueue {
  private readonly slots = new Map<string, Slot>();
  private readonly inFlight = new Set<AbortController>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: DeliveryQueueOptions) {}

  offer(key: string, delivery: Delivery, pace: Pace = 'now'): void {
    if (this.closed) return;
    this.forgetQuietSlots();
    const slot = this.slots.get(key) ?? { waiting: null, inFlight: false, lastAttemptAt: null, timer: null, failures: 0 };
    this.slots.set(key, slot);
    // A state change that has not gone out yet keeps its urgency when progress replaces it.
    const urgent = pace === 'now' || slot.waiting?.pace === 'now';
    slot.waiting = { delivery, pace: urgent ? 'now' : 'rate-limited' };
    this.pump(slot);
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops waiting reports, cancels retries, abandons requests under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots.values()) {
      slot.timer?.cancel();
      slot.timer = null;
      slot.waiting = null;
    }
    for (const controller of this.inFlight) controller.abort();
    await this.idle();
  }

  private pump(slot: Slot): void {
    if (slot.inFlight || !slot.waiting || slot.timer?.kind === 'backoff') return this.notifyIfIdle();
    const { clock, progressIntervalMs } = this.options;
    if (slot.waiting.pace === 'rate-limited' && slot.lastAttemptAt !== null) {
      const dueAt = slot.lastAttemptAt + progressIntervalMs;
      if (clock.now() < dueAt) {
        slot.timer ??= { kind: 'progress', cancel: clock.setTimeout(() => this.timerFired(slot), dueAt - clock.now()) };
        return;
      }
    }
    // A state change overtakes progress waiting for its interval.
    slot.timer?.cancel();
    slot.timer = null;
    const { delivery } = slot.waiting;
    slot.waiting = null;
    slot.inFlight = true;
    slot.lastAttemptAt = clock.now();
    void this.attempt(slot, delivery);
  }

  private async attempt(slot: Slot, delivery: Delivery): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      await delivery.send(controller.signal);
      slot.failures = 0;
    } catch (error) {
      this.failed(slot, delivery, error);
    } finally {
      this.inFlight.delete(controller);
      slot.inFlight = false;
      this.pump(slot);
    }
  }

  private failed(slot: Slot, delivery: Delivery, error: unknown): void {
    // Abandoned on purpose by close(): nothing to report.
    if (this.closed) return;
    slot.failures += 1;
    const { onProblem, isWorthRetrying, describeFailure, clock, initialRetryDelayMs, maxRetryDelayMs } = this.options;
    const problem = { label: delivery.label, attempt: slot.failures, reason: describeFailure(error) };
    if (!isWorthRetrying(error)) {
      slot.failures = 0;
      onProblem({ ...problem, retryInMs: null });
      return;
    }
    const retryInMs = Math.min(maxRetryDelayMs, initialRetryDelayMs * 2 ** (slot.failures - 1));
    onProblem({ ...problem, retryInMs });
    // The failed report goes again unless a newer one arrived meanwhile.
    slot.waiting ??= { delivery, pace: 'now' };
    slot.timer = { kind: 'backoff', cancel: clock.setTimeout(() => this.timerFired(slot), retryInMs) };
  }

  private timerFired(slot: Slot): void {
    slot.timer = null;
    this.pump(slot);
  }

  /** Slots kept only to pace progress are forgotten once their interval has passed. */
  private forgetQuietSlots(): void {
    const now = this.options.clock.now();
    for (const [key, slot] of this.slots) {
      const quiet = !slot.inFlight && !slot.waiting && !slot.timer;
      if (quiet && (slot.lastAttemptAt === null || now - slot.lastAttemptAt >= this.options.progressIntervalMs)) this.slots.delete(key);
    }
  }

  private isIdle(): boolean {
    for (const slot of this.slots.values()) if (slot.inFlight || slot.waiting || slot.timer) return false;
    return true;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
