// One client connection. Until the backend has sent its first byte, the edge
// keeps what the client sent (up to `replayLimit`): a backend that fails to
// connect, or accepts and then closes or resets without answering, is replaced
// by the next one and the bytes are sent again. That is what makes a container
// killed by hand cost no request: Docker's port proxy accepts the connection
// and only then finds the container gone. (HTTP clients retry such an empty
// answer on their own; HAProxy's `retry-on empty-response` does the same.)
// Once the backend has answered, bytes are copied both ways (splice below),
// half-open allowed: a client that sends its request and
// shuts its side (FIN) still gets the whole answer.
import type { Socket } from 'node:net';
import { connectBackend } from './connect-backend.js';
import type { EdgeBackend } from './types.js';

export interface ForwardContext {
  connectTimeoutMs: number;
  /** Bytes kept for sending again; a client that sends more before any answer is no longer retried. */
  replayLimit: number;
  /** The backends to try, in order (the balancer's). */
  attempts(): EdgeBackend[];
  /** Waits up to the hold time for the table to give the endpoint a backend; false when it did not. */
  waitForBackends(): Promise<boolean>;
  failed(backend: EdgeBackend, error: Error): void;
  succeeded(backend: EdgeBackend): void;
  /** Counts the connection as the backend's; the returned function ends that. */
  open(backend: EdgeBackend): () => void;
}

/** What the client sent before any answer, to send again to the next backend. */
class Tentative {
  private chunks: Buffer[] = [];
  size = 0;
  ended = false;
  /** False once more than the limit was sent on: then a failure is the client's. */
  replayable = true;
  private upstream: Socket | null = null;

  constructor(
    private readonly client: Socket,
    private readonly limit: number,
  ) {
    client.on('data', this.onData);
    client.once('end', this.onEnd);
  }

  private readonly onData = (chunk: Buffer) => {
    this.size += chunk.length;
    if (this.replayable) this.chunks.push(chunk);
    // No backend yet: keep at most about the limit, reading again once one takes it.
    if (!this.upstream) {
      if (this.size > this.limit) this.client.pause();
      return;
    }
    if (this.size > this.limit) this.forget();
    if (!this.upstream.write(chunk)) this.waitForDrain(this.upstream);
  };

  private readonly onEnd = () => {
    this.ended = true;
    this.upstream?.end();
  };

  private waitForDrain(upstream: Socket): void {
    this.client.pause();
    upstream.once('drain', () => {
      if (this.upstream === upstream) this.client.resume();
    });
  }

  private forget(): void {
    this.replayable = false;
    this.chunks = [];
  }

  /** Sends what was kept to a new backend. */
  attach(upstream: Socket): void {
    this.upstream = upstream;
    let flowing = true;
    for (const chunk of this.chunks) flowing = upstream.write(chunk);
    if (this.size > this.limit) this.forget();
    if (this.ended) upstream.end();
    else if (!flowing) this.waitForDrain(upstream);
    else this.client.resume();
  }

  /** Stops keeping: the pipes take over. */
  stop(): void {
    this.upstream = null;
    this.client.off('data', this.onData);
    this.client.off('end', this.onEnd);
    this.client.pause();
  }
}

/** Resolves with the backend's first bytes, or null when it closed or failed without any. */
function firstAnswer(upstream: Socket): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const finish = (value: Buffer | null) => {
      upstream.off('data', onData);
      upstream.off('end', onGone);
      upstream.off('close', onGone);
      upstream.off('error', onGone);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      upstream.pause();
      finish(chunk);
    };
    const onGone = () => finish(null);
    upstream.on('data', onData);
    upstream.once('end', onGone);
    upstream.once('close', onGone);
    upstream.once('error', onGone);
  });
}

export async function forward(client: Socket, context: ForwardContext): Promise<void> {
  // No Nagle on either side (connect-backend.ts too): a proxy passes each write
  // on as it comes. Measured against it (bench2, new connection per request,
  // container addresses, edge CPU per 1,000 req/s): without noDelay 39 and 31 %
  // (1 and 3 backends), with it 40 and 36 %, a larger highWaterMark (256 KiB on
  // both sockets) 39 and 28 %: all within the runs' noise at load 5-18. Nagle
  // only holds back a small write while an earlier one is unacknowledged, and
  // here each side writes once per exchange; highWaterMark only matters for
  // bodies larger than it (back-pressure). Neither is what costs per connection.
  client.setNoDelay(true);
  // Until the pipes own it: a reset while connecting must not throw.
  const ignore = () => undefined;
  client.on('error', ignore);
  const kept = new Tentative(client, context.replayLimit);
  let attempts = context.attempts();
  if (attempts.length === 0 && (await context.waitForBackends())) attempts = context.attempts();
  for (const backend of attempts) {
    if (client.destroyed) break;
    let upstream: Socket;
    try {
      upstream = await connectBackend(backend, context.connectTimeoutMs, client);
    } catch (error) {
      if (client.destroyed) break;
      context.failed(backend, error as Error);
      continue;
    }
    const done = context.open(backend);
    upstream.on('error', ignore);
    kept.attach(upstream);
    const first = await firstAnswer(upstream);
    if (first === null) {
      upstream.destroy();
      done();
      // The client left, or sent what cannot be sent again: nothing more to do.
      if (client.destroyed || !kept.replayable) break;
      // Nothing from the client and the client finished: an empty exchange, not a failure.
      if (kept.ended && kept.size === 0) break;
      context.failed(backend, new Error('closed the connection without answering'));
      continue;
    }
    context.succeeded(backend);
    kept.stop();
    splice(client, upstream, first, kept.ended, done);
    upstream.off('error', ignore);
    client.off('error', ignore);
    return;
  }
  client.destroy();
}

/**
 * Copies both ways until both sides are done; counts the connection closed when
 * both sockets are. `pipe` rather than stream.pipeline: pipeline makes an
 * AbortController per call and a DOMException with a stack trace when it ends,
 * which measured a fifth of the edge's CPU with a new connection per request.
 * `pipe` ends the other side when one side ends (half-close, the sockets allow
 * half-open); an error on either side destroys both.
 */
function splice(client: Socket, upstream: Socket, first: Buffer, clientEnded: boolean, done: () => void): void {
  let closed = 0;
  const onClose = () => {
    closed += 1;
    if (closed === 2) done();
  };
  const onError = () => {
    client.destroy();
    upstream.destroy();
  };
  client.once('close', onClose);
  upstream.once('close', onClose);
  client.on('error', onError);
  upstream.on('error', onError);
  // A socket closed by an error takes the other down too (a clean close has ended the other through pipe).
  client.once('close', (hadError) => hadError && upstream.destroy());
  upstream.once('close', (hadError) => hadError && client.destroy());
  client.write(first);
  // A client that already shut its side has had it passed on (Tentative).
  if (!clientEnded) client.pipe(upstream);
  upstream.pipe(client);
}
