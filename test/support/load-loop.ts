// A bounded load loop, like the seeds' `while true; do curl ...; done` against a
// published port: a few clients, each sending one request at a time on a new
// connection, recording every failure and every answer's body.
import { get } from 'node:http';

export interface LoadResult {
  ok: number;
  failed: number;
  /** The first failures, for the test's message. */
  errors: string[];
  /** When each failed request was sent (ms since the epoch), with why it failed. */
  failures: Array<{ sentAt: number; message: string }>;
  /** Body → how many times it was answered. */
  bodies: Map<string, number>;
}

export interface LoadLoop {
  /** Resolves once at least `count` more requests have been answered (or failed). */
  atLeast(count: number): Promise<void>;
  /** What was answered so far, while the loop goes on. */
  snapshot(): LoadResult;
  stop(): Promise<LoadResult>;
}

function once(port: number, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`status ${res.statusCode}: ${body.trim()}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export function startLoadLoop(port: number, options: { clients?: number; path?: string; timeoutMs?: number } = {}): LoadLoop {
  const result: LoadResult = { ok: 0, failed: 0, errors: [], failures: [], bodies: new Map() };
  let running = true;
  const waiters: Array<{ target: number; resolve: () => void }> = [];
  const settle = () => {
    const done = result.ok + result.failed;
    for (const waiter of [...waiters]) {
      if (done >= waiter.target) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const client = async () => {
    while (running) {
      const sentAt = Date.now();
      try {
        const body = await once(port, options.path ?? '/who', options.timeoutMs ?? 5000);
        result.ok += 1;
        result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
      } catch (error) {
        result.failed += 1;
        if (result.errors.length < 10) result.errors.push((error as Error).message);
        result.failures.push({ sentAt, message: (error as Error).message });
      }
      settle();
    }
  };
  const clients = Array.from({ length: options.clients ?? 4 }, () => client());
  return {
    atLeast: (count) => new Promise<void>((resolve) => {
      waiters.push({ target: result.ok + result.failed + count, resolve });
      settle();
    }),
    snapshot: () => ({ ...result, errors: [...result.errors], failures: [...result.failures], bodies: new Map(result.bodies) }),
    async stop() {
      running = false;
      await Promise.all(clients);
      return result;
    },
  };
}
