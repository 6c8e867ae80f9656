// One client connection: connect to a backend (the next one when connecting
// fails, since nothing was forwarded yet the client never notices), then copy
// bytes both ways until both sides are done. Sockets allow half-open: a client
// that sends its request and shuts its side (FIN) still gets the whole answer.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';
import type { EdgeBackend } from './types.js';

export interface ForwardContext {
  connectTimeoutMs: number;
  /** The backends to try, in order (the balancer's). */
  attempts(): EdgeBackend[];
  /** Waits up to the hold time for the table to give the endpoint a backend; false when it did not. */
  waitForBackends(): Promise<boolean>;
  failed(backend: EdgeBackend, error: Error): void;
  succeeded(backend: EdgeBackend): void;
  /** Counts the connection as the backend's; the returned function ends that. */
  open(backend: EdgeBackend): () => void;
}

/** Connects, or rejects on error, on timeout, or when the client goes away meanwhile. */
function connectTo(backend: EdgeBackend, timeoutMs: number, client: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const upstream = connect({ host: backend.host, port: backend.port, allowHalfOpen: true, noDelay: true });
    const fail = (error: Error) => {
      cleanup();
      upstream.destroy();
      reject(error);
    };
    const onError = (error: Error) => fail(error);
    const onClientGone = () => fail(new Error('the client went away'));
    const timer = setTimeout(() => fail(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      upstream.off('error', onError);
      client.off('close', onClientGone);
    };
    upstream.once('connect', () => {
      cleanup();
      resolve(upstream);
    });
    upstream.on('error', onError);
    client.once('close', onClientGone);
  });
}

export async function forward(client: Socket, context: ForwardContext): Promise<void> {
  client.setNoDelay(true);
  // Until the pipes own it: a reset while connecting must not throw.
  const ignore = () => undefined;
  client.on('error', ignore);
  let attempts = context.attempts();
  if (attempts.length === 0 && (await context.waitForBackends())) attempts = context.attempts();
  let upstream: Socket | null = null;
  let chosen: EdgeBackend | null = null;
  for (const backend of attempts) {
    if (client.destroyed) break;
    try {
      upstream = await connectTo(backend, context.connectTimeoutMs, client);
      chosen = backend;
      context.succeeded(backend);
      break;
    } catch (error) {
      if (client.destroyed) break;
      context.failed(backend, error as Error);
    }
  }
  if (!upstream || !chosen || client.destroyed) {
    upstream?.destroy();
    client.destroy();
    return;
  }
  const done = context.open(chosen);
  let closed = 0;
  const onClose = () => {
    closed += 1;
    if (closed === 2) done();
  };
  client.once('close', onClose);
  upstream.once('close', onClose);
  const both = upstream;
  const onEnd = (error: Error | null | undefined) => {
    if (error) {
      client.destroy();
      both.destroy();
    }
  };
  client.off('error', ignore);
  pipeline(client, upstream, onEnd);
  pipeline(upstream, client, onEnd);
}
