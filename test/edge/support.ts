// Shared by the edge tests: ports from this suite's range, small HTTP backends,
// requests without keep-alive, and killing every edge a test started (its pid
// is in its folder) even when the test failed.
import { readFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { pidFileName } from '../../src/edge/index.js';

const portRange = { from: 41000, to: 41999 };
const handed = new Set<number>();

/** A port of the edge tests' range that nothing listens on now. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = portRange.from + Math.floor(Math.random() * (portRange.to - portRange.from + 1));
    if (handed.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createTcpServer();
      probe.once('error', () => resolve(false));
      probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
    });
    if (free) {
      handed.add(port);
      return port;
    }
  }
  throw new Error('no free port in 41000-41999');
}

export interface Backend {
  name: string;
  port: number;
  server: Server;
  /** Requests to /slow wait here until released. */
  held: ServerResponse[];
  releaseAll(): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering its name; `/slow` waits for releaseAll(). */
export async function startBackend(name: string): Promise<Backend> {
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/slow') {
      held.push(res);
      return;
    }
    res.end(name);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    name,
    port,
    server,
    held,
    releaseAll() {
      for (const res of held.splice(0)) res.end(name);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET on a new connection; resolves with the body. */
export function request(port: number, path = '/', timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}: ${body}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The pid the edge of `dataDir` wrote, if any. */
export function edgePid(dataDir: string): number | null {
  try {
    return Number(readFileSync(join(dataDir, pidFileName), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs the edge of each folder (its pid file) and any pid given; waits until they are gone. */
export async function killEdges(dataDirs: string[], pids: number[] = []): Promise<void> {
  const all = new Set([...dataDirs.map(edgePid).filter((pid): pid is number => pid !== null), ...pids]);
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const deadline = Date.now() + 5000;
  while ([...all].some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Polls until `probe` is true, or fails naming `what`. */
export async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
