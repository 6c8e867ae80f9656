// Records the Docker engine's events (containers, services) for a benchmark:
// what happened and when, by the engine's own clock, and waits for one to come.
import type Docker from 'dockerode';

export interface RecordedEvent {
  type: string;
  action: string;
  /** The container's or service's id. */
  id: string;
  /** Container events carry the container's labels, `image` and `name` here. */
  attributes: Record<string, string>;
  /** Milliseconds since the epoch, from the engine's `timeNano`. */
  timeMs: number;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  private waiters: Array<{ match: (event: RecordedEvent) => boolean; resolve: (event: RecordedEvent) => void }> = [];
  private buffered = '';

  private constructor(private readonly stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.onData(chunk));
    // A broken stream shows as a wait that times out; nothing else depends on it.
    stream.on('error', () => undefined);
  }

  /** Starts listening; events from this moment on are recorded. */
  static async open(docker: Docker, filters: Record<string, string[]>): Promise<EventRecorder> {
    const stream = await docker.getEvents({ filters } as unknown as Docker.GetEventsOptions);
    return new EventRecorder(stream);
  }

  /** The first event at or after `from` (an index into `events`) that matches, waiting up to `timeoutMs`. */
  next(match: (event: RecordedEvent) => boolean, from: number, timeoutMs: number): Promise<RecordedEvent> {
    const seen = this.events.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (event: RecordedEvent) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching engine event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    (this.stream as { destroy?: () => void }).destroy?.();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline = this.buffered.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (line) this.onEvent(JSON.parse(line) as RawEvent);
      newline = this.buffered.indexOf('\n');
    }
  }

  private onEvent(raw: RawEvent): void {
    const event: RecordedEvent = {
      type: raw.Type ?? '',
      action: raw.Action ?? '',
      id: raw.Actor?.ID ?? '',
      attributes: raw.Actor?.Attributes ?? {},
      timeMs: raw.timeNano ? raw.timeNano / 1e6 : (raw.time ?? 0) * 1000,
    };
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(event)) continue;
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(event);
    }
  }
}
