// Opening a connection to one backend, with a deadline, given up when the client leaves.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { EdgeBackend } from './types.js';

export function connectBackend(backend: EdgeBackend, timeoutMs: number, client: Socket): Promise<Socket> {
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
