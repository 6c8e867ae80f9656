// The rollout engine's view of the runtime: what runs, and whether the runtime
// answers at all. An event about one allocation re-reads that allocation only
// (with hundreds of containers, re-reading all of them on every event costs
// more than the events); a full read happens at start, after the event stream
// reconnects and while waiting out an outage. Reads of one scope are shared:
// while one runs, everyone who asks shares the one read after it.
// When the runtime stops answering nothing is concluded from it: the link says
// so once, tries again with backoff, and says so again once it answers.
import type { AllocationObservation, DockerHealth, Driver } from '../runtime/index.js';
import { RuntimeUnavailableError } from '../runtime/index.js';

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
  private readonly fullReads = new SharedReads(() => this.read());
  private readonly allocationReads = new Map<string, SharedReads>();
  /**
   * Reads may finish out of order: each read takes a number when it starts, and
   * an allocation keeps what the latest-started read said of it. `baseline` is
   * the number of the last full read; `writtenBy` the later reads of one allocation.
   */
  private sequence = 0;
  private baseline = 0;
  private readonly writtenBy = new Map<string, number>();
  /** The numbers of the reads under way: a mark older than all of them protects nothing and is dropped. */
  private readonly underWay = new Set<number>();
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
    const started = this.begin();
    try {
      this.applyFullRead(await this.driver.observe(), started);
    } finally {
      this.end(started);
    }
    this.state = 'up';
  }

  /** Reads everything that runs; false when the runtime did not answer. */
  refresh(): Promise<boolean> {
    return this.fullReads.ask();
  }

  /** Reads what runs for one allocation (an event named it); false when the runtime did not answer. */
  refreshAllocation(allocId: string): Promise<boolean> {
    // Only a full read can tell that the runtime is back.
    if (this.state !== 'up') return this.refresh();
    let reads = this.allocationReads.get(allocId);
    if (!reads) {
      reads = new SharedReads(() => this.readAllocation(allocId));
      this.allocationReads.set(allocId, reads);
    }
    const answer = reads.ask();
    const settled = reads;
    void answer
      .catch(() => undefined)
      .then(() => {
        if (settled.idle && this.allocationReads.get(allocId) === settled) this.allocationReads.delete(allocId);
      });
    return answer;
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

  /**
   * A container's HEALTHCHECK changed (Docker's health event): the observation says so at
   * once, dated by the event, so the job is decided without waiting for a read of it. A
   * read that started before the event must not undo it. False when the container is not
   * one observed (the read the event also asks for brings it).
   */
  applyHealth(allocId: string, containerId: string, status: DockerHealth, at: number): boolean {
    const observed = this.observations.get(allocId);
    const task = observed?.tasks.find((t) => t.containerId === containerId);
    if (!observed || !task || task.state !== 'running') return false;
    const healthySince = status === 'healthy' ? (task.health === 'healthy' ? task.healthySince : at) : null;
    this.observations.set(allocId, { ...observed, tasks: observed.tasks.map((t) => (t === task ? { ...t, health: status, healthySince } : t)) });
    this.writtenBy.set(allocId, ++this.sequence);
    return true;
  }

  /** The allocation's containers were removed: a read that started before must not bring it back. */
  forget(allocId: string): void {
    this.observations.delete(allocId);
    this.writtenBy.set(allocId, ++this.sequence);
  }

  close(): void {
    this.closed = true;
    if (this.retry?.timer) clearTimeout(this.retry.timer);
    this.retry = null;
  }

  private async read(): Promise<boolean> {
    const answered = await this.numberedRead(async (started) => this.applyFullRead(await this.driver.observe(), started));
    if (answered && this.state === 'down' && !this.closed) {
      if (this.retry?.timer) clearTimeout(this.retry.timer);
      this.retry = null;
      this.state = 'up';
      this.options.onUp();
    }
    return answered;
  }

  private readAllocation(allocId: string): Promise<boolean> {
    return this.numberedRead(async (started) => {
      const observed = await this.driver.observeAllocation(allocId);
      if (started <= Math.max(this.baseline, this.writtenBy.get(allocId) ?? 0)) return;
      if (observed) this.observations.set(allocId, observed);
      else this.observations.delete(allocId);
      this.writtenBy.set(allocId, started);
    });
  }

  /** Runs a read under its number; false (and the runtime marked down) when it did not answer. */
  private async numberedRead(readAndApply: (started: number) => Promise<void>): Promise<boolean> {
    const started = this.begin();
    try {
      await readAndApply(started);
      return true;
    } catch (error) {
      if (!(error instanceof RuntimeUnavailableError)) throw error;
      this.down(error);
      return false;
    } finally {
      // After the answer is applied: until then, marks newer than this read still guard against it.
      this.end(started);
    }
  }

  private begin(): number {
    const started = ++this.sequence;
    this.underWay.add(started);
    return started;
  }

  /** Keeps the marks small: a long-running agent reads thousands of allocations over its life. */
  private end(started: number): void {
    this.underWay.delete(started);
    const oldest = this.underWay.size === 0 ? Infinity : Math.min(...this.underWay);
    for (const [allocId, by] of this.writtenBy) if (by < oldest) this.writtenBy.delete(allocId);
  }

  /** Everything from a full read, except allocations a later-started read already answered for. */
  private applyFullRead(list: AllocationObservation[], started: number): void {
    const next = new Map(list.map((o) => [o.allocId, o]));
    for (const [allocId, by] of this.writtenBy) {
      if (by <= started) {
        this.writtenBy.delete(allocId);
        continue;
      }
      const newer = this.observations.get(allocId);
      if (newer) next.set(allocId, newer);
      else next.delete(allocId);
    }
    this.observations = next;
    this.baseline = started;
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

/** One read at a time; whoever asks while one runs shares the single read after it. */
class SharedReads {
  private reading: Promise<boolean> | null = null;
  private readAgain: Promise<boolean> | null = null;

  constructor(private readonly read: () => Promise<boolean>) {}

  get idle(): boolean {
    return this.reading === null && this.readAgain === null;
  }

  ask(): Promise<boolean> {
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
        return this.ask();
      });
    return this.readAgain;
  }
}
