// The rollout engine's view of the runtime: what runs (read on events, one read
// at a time however many events arrive), and whether the runtime answers at all.
// When it stops answering nothing is concluded from it: the link says so once,
// tries again with backoff, and says so again once it answers.
import type { AllocationObservation, Driver } from '../runtime/driver.js';
import { RuntimeUnavailableError } from '../runtime/driver.js';

export interface RuntimeLinkOptions {
  /** Backoff between attempts once the runtime stopped answering. */
  retryDelayMs?: { initial: number; max: number };
  /** The runtime stopped answering (once per outage). */
  onDown: (error: RuntimeUnavailableError, retryFromMs: number) => void;
  /** It answers again, with fresh observations. */
  onUp: () => void;
  onError?: (error: unknown, context: string) => void;
}

export class RuntimeLink {
  /** allocId → what runs, from the last read. */
  observations = new Map<string, AllocationObservation>();
  /** Nothing may be decided before the first read (`connecting`), nor while the runtime is `down`. */
  state: 'connecting' | 'up' | 'down' = 'connecting';
  private reading: Promise<boolean> | null = null;
  private readAgain: Promise<boolean> | null = null;
  private retry: { timer: NodeJS.Timeout | null; delayMs: number } | null = null;
  private closed = false;

  constructor(
    private readonly driver: Driver,
    private readonly options: RuntimeLinkOptions,
  ) {}

  get up(): boolean {
    return this.state === 'up';
  }

  /** The first read: throws (RuntimeUnavailableError when it does not answer) and changes nothing when it fails. */
  async connect(): Promise<void> {
    if (this.state === 'up') return;
    const list = await this.driver.observe();
    this.observations = new Map(list.map((o) => [o.allocId, o]));
    this.state = 'up';
  }

  /**
   * Reads what runs; false when the runtime did not answer. Events come in bursts:
   * while one read runs, everyone who asks shares the one read after it.
   */
  refresh(): Promise<boolean> {
    if (!this.reading) {
      this.reading = this.read().finally(() => {
        this.reading = null;
      });
      return this.reading;
    }
    this.readAgain ??= this.reading
      .catch(() => undefined)
      .then(() => {
        this.readAgain = null;
        return this.refresh();
      });
    return this.readAgain;
  }

  /** A driver call found the runtime gone: wait for it. */
  down(error: RuntimeUnavailableError): void {
    if (this.state !== 'up' || this.closed) return;
    this.state = 'down';
    const { initial } = this.delays();
    this.retry = { timer: null, delayMs: initial };
    this.options.onDown(error, initial);
    this.retryLater();
  }

  forget(allocId: string): void {
    this.observations.delete(allocId);
  }

  close(): void {
    this.closed = true;
    if (this.retry?.timer) clearTimeout(this.retry.timer);
    this.retry = null;
  }

  private async read(): Promise<boolean> {
    let list: AllocationObservation[];
    try {
      list = await this.driver.observe();
    } catch (error) {
      if (!(error instanceof RuntimeUnavailableError)) throw error;
      this.down(error);
      return false;
    }
    this.observations = new Map(list.map((o) => [o.allocId, o]));
    if (this.state === 'down' && !this.closed) {
      if (this.retry?.timer) clearTimeout(this.retry.timer);
      this.retry = null;
      this.state = 'up';
      this.options.onUp();
    }
    return true;
  }

  private retryLater(): void {
    const retry = this.retry;
    if (!retry || this.closed) return;
    retry.timer = setTimeout(() => {
      retry.timer = null;
      void this.refresh()
        .then((answered) => {
          if (answered || this.retry !== retry) return;
          retry.delayMs = Math.min(retry.delayMs * 2, this.delays().max);
          this.retryLater();
        })
        .catch((error: unknown) => {
          this.options.onError?.(error, 'reading the runtime');
          this.retryLater();
        });
    }, retry.delayMs);
    retry.timer.unref();
  }

  private delays(): { initial: number; max: number } {
    return this.options.retryDelayMs ?? { initial: 250, max: 5_000 };
  }
}
