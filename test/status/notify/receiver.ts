// A webhook receiver on 127.0.0.1 for notification tests: it records every
// request (headers and the raw body) and answers with the statuses it is given,
// in turn (then 200), or never answers at all.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves with the nth request (1-based), at once if it has come already. */
  request(n: number, timeoutMs?: number): Promise<Received>;
  /** Requests held open, unanswered (`hang`). */
  open(): number;
  close(): Promise<void>;
}

/** An answer: a status, or a status with headers (`Retry-After`). */
export type Answer = number | { status: number; headers: Record<string, string> };

export async function startReceiver(options: { statuses?: Answer[]; hang?: boolean } = {}): Promise<Receiver> {
  const statuses = [...(options.statuses ?? [])];
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      for (const wake of waiters.splice(0)) wake();
      if (options.hang) {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      const answer = statuses.shift() ?? 200;
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    request(n, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`request ${n} did not come (got ${received.length})`)), timeoutMs);
        const check = () => {
          if (received.length >= n) {
            clearTimeout(timer);
            resolve(received[n - 1]!);
          } else waiters.push(check);
        };
        check();
      });
    },
    open: () => held.size,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens: bound, noted, released. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
