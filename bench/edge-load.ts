// The edge benchmark's load generator: a small HTTP/1.1 client on raw sockets
// (cheaper per request than node:http, so more of the two cores goes to what is
// measured). Each of `connections` loops one request at a time, on one
// keep-alive connection or on a new connection per request (Connection: close),
// for a fixed time; latency is from the request's first byte (or the connect)
// to the answer's last.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LoadTarget {
  host: string;
  port: number;
}

export interface LoadOptions {
  /** Connection i goes to targets[i % length]. */
  targets: LoadTarget[];
  connections: number;
  durationMs: number;
  keepAlive: boolean;
}

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const headerEnd = Buffer.from('\r\n\r\n');

/** Bytes of a complete answer at the start of `data`, or 0 while it is incomplete. */
function answerLength(data: Buffer): number {
  const end = data.indexOf(headerEnd);
  if (end < 0) return 0;
  const head = data.subarray(0, end).toString('latin1');
  if (!head.startsWith('HTTP/1.1 200')) throw new Error(`unexpected answer: ${head.split('\r\n')[0]}`);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!length) throw new Error('answer without content-length');
  const total = end + 4 + Number(length[1]);
  return data.length >= total ? total : 0;
}

function request(keepAlive: boolean): Buffer {
  return Buffer.from(`GET / HTTP/1.1\r\nHost: bench\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`);
}

/** One request on a new connection. */
function once(target: LoadTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(request(false)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        if (answerLength(Buffer.concat(chunks)) === 0) throw new Error('incomplete answer');
        resolve();
      } catch (error) {
        reject(error as Error);
      }
      socket.destroy();
    });
  });
}

/** A keep-alive connection sending one request at a time. */
class KeepAlive {
  private socket: Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private readonly payload = request(true);

  constructor(private readonly target: LoadTarget) {}

  private open(): Socket {
    const socket = connect({ host: this.target.host, port: this.target.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      try {
        const length = answerLength(this.buffered);
        if (length === 0) return;
        this.buffered = this.buffered.subarray(length);
        const pending = this.pending;
        this.pending = null;
        pending?.resolve();
      } catch (error) {
        this.fail(error as Error);
      }
    });
    const gone = (error?: Error) => this.fail(error ?? new Error('the server closed the connection'));
    socket.on('error', gone);
    socket.on('close', () => gone());
    return socket;
  }

  private fail(error: Error): void {
    this.socket?.destroy();
    this.socket = null;
    this.buffered = Buffer.alloc(0);
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  send(): Promise<void> {
    this.socket ??= this.open();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket!.write(this.payload);
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.connections }, async (_, i) => {
      const target = options.targets[i % options.targets.length]!;
      const connection = options.keepAlive ? new KeepAlive(target) : null;
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          await (connection ? connection.send() : once(target));
          latencies.push(performance.now() - begin);
        } catch {
          errors += 1;
        }
      }
      connection?.close();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}
