// The engine's event stream, kept open: when it ends or fails it is opened again
// with backoff, from the time of the last event seen (the engine replays what was
// missed), and `onReconnected` tells the listener to re-read everything anyway.

export interface EngineEventMessage {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

export interface EventStreamOptions {
  /** Opens the stream of events since a Docker timestamp (`seconds.nanoseconds`). */
  open: (since: string) => Promise<NodeJS.ReadableStream>;
  onMessage: (message: EngineEventMessage) => void;
  onReconnected: () => void;
  /** The open stream ended or failed (the engine went away, or is restarting); reconnection follows. */
  onDisconnected?: () => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

/** A Docker `since` value for a time in nanoseconds since the epoch. */
function dockerTimestamp(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  return `${seconds}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
}

export class EventStream {
  private stream: NodeJS.ReadableStream | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private delayMs: number;
  /** Nanoseconds: where the next open starts reading. */
  private since: bigint;
  /** Events may have been missed since the last open: say so once the next one works. */
  private missed = false;

  constructor(private readonly options: EventStreamOptions) {
    this.delayMs = options.initialDelayMs ?? 200;
    this.since = BigInt(this.now()) * 1_000_000n;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.since = BigInt(this.now()) * 1_000_000n;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const stream = this.stream;
    this.stream = null;
    (stream as { destroy?: () => void } | null)?.destroy?.();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async connect(): Promise<void> {
    this.timer = null;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.options.open(dockerTimestamp(this.since));
    } catch {
      this.retry();
      return;
    }
    if (this.stopped) {
      (stream as { destroy?: () => void }).destroy?.();
      return;
    }
    this.stream = stream;
    this.delayMs = this.options.initialDelayMs ?? 200;
    this.listen(stream);
    if (this.missed) {
      this.missed = false;
      this.options.onReconnected();
    }
  }

  private listen(stream: NodeJS.ReadableStream): void {
    let buffered = '';
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.handle(line);
    });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      if (buffered.trim()) this.handle(buffered);
      if (this.stream === stream) this.stream = null;
      if (this.stopped) return;
      this.options.onDisconnected?.();
      this.retry();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  private handle(line: string): void {
    if (!line.trim()) return;
    let message: EngineEventMessage;
    try {
      message = JSON.parse(line) as EngineEventMessage;
    } catch {
      return;
    }
    // From the text: nanoseconds since the epoch are beyond a double's precision.
    const nanos = /"timeNano"\s*:\s*(\d+)/.exec(line)?.[1];
    if (nanos) this.since = BigInt(nanos) + 1n;
    this.options.onMessage(message);
  }

  private retry(): void {
    this.missed = true;
    if (this.stopped || this.timer) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 5000);
    this.timer = setTimeout(() => void this.connect(), delay);
    this.timer.unref();
  }
}
