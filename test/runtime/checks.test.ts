import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { HttpCheck, TcpCheck } from '../../src/model/job.js';
import { CheckRunner, probe } from '../../src/runtime/checks.js';
import type { CheckStatus } from '../../src/runtime/driver.js';
import { isPortFree } from '../../src/runtime/ports.js';

let server: Server;
let port: number;
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.writeHead(req.url === '/redirect' ? 302 : status, { location: '/' });
    res.end(req.method);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function unusedPort(): Promise<number> {
  for (let p = 39000; ; p++) if (await isPortFree(p)) return p;
}

const http = (overrides: Partial<HttpCheck> = {}): HttpCheck => ({
  type: 'http',
  name: null,
  role: 'readiness',
  port: 'http',
  path: '/',
  method: 'GET',
  intervalMs: 20,
  timeoutMs: 500,
  retries: 1,
  startPeriodMs: 0,
  ...overrides,
});
const tcp = (overrides: Partial<TcpCheck> = {}): TcpCheck => ({ type: 'tcp', name: null, role: 'readiness', port: 'http', intervalMs: 20, timeoutMs: 500, retries: 1, startPeriodMs: 0, ...overrides });

describe('probe', () => {
  it('passes http on 2xx and 3xx, fails on 5xx, timeouts and refused connections', async () => {
    expect(await probe(http(), { http: port })).toBeNull();
    expect(await probe(http({ path: '/redirect', method: 'HEAD' }), { http: port })).toBeNull();
    status = 503;
    try {
      expect(await probe(http(), { http: port })).toBe(`GET http://127.0.0.1:${port}/: 503 Service Unavailable`);
    } finally {
      status = 200;
    }
    expect(await probe(http({ path: '/slow', timeoutMs: 100 }), { http: port })).toMatch(/timed out after 100ms/);
    const closed = await unusedPort();
    expect(await probe(http({ port: closed }), {})).toMatch(/ECONNREFUSED/);
    expect(await probe(http({ port: 'admin' }), { http: port })).toBe('no port labelled "admin"');
  });

  it('passes tcp when it connects', async () => {
    expect(await probe(tcp({ port }), {})).toBeNull();
    expect(await probe(tcp(), { http: await unusedPort() })).toMatch(/^tcp 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });
});

describe('CheckRunner', () => {
  function runner() {
    const changes: Array<{ allocId: string; status: CheckStatus }> = [];
    const waiters: Array<() => void> = [];
    const checks = new CheckRunner((allocId, _jobId, status) => {
      changes.push({ allocId, status });
      waiters.splice(0).forEach((wake) => wake());
    });
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    return { checks, changes, until };
  }

  it('is ready with no checks, and once every readiness check passes', async () => {
    const { checks, changes, until } = runner();
    expect(checks.status('unknown')).toEqual({ ready: true, livenessFailed: false, lastError: null, readySince: null });
    const watched = Date.now();
    checks.watch('a', 'job', [http({ intervalMs: 10_000 }), tcp({ port, intervalMs: 10_000 })], { http: port });
    expect(checks.status('a')).toMatchObject({ ready: false, readySince: null });
    await until(() => changes.length > 0);
    expect(changes[0]).toEqual({ allocId: 'a', status: { ready: true, livenessFailed: false, lastError: null, readySince: expect.any(Number) } });
    // Dated by the probe that passed: the first runs at once, not an interval (10 s here) later.
    const since = changes[0]!.status.readySince!;
    expect(since).toBeGreaterThanOrEqual(watched);
    expect(since).toBeLessThan(watched + 1_000);
    expect(checks.status('a').readySince).toBe(since);
    checks.close();
  });

  it('turns not ready after `retries` failures in a row, with the reason', async () => {
    const { checks, changes, until } = runner();
    checks.watch('a', 'job', [http({ retries: 2 })], { http: port });
    await until(() => changes.length === 1);
    status = 500;
    try {
      await until(() => changes.length === 2);
    } finally {
      status = 200;
    }
    expect(changes[1]!.status).toMatchObject({ ready: false, lastError: `GET http://127.0.0.1:${port}/: 500 Internal Server Error` });
    await until(() => changes.length === 3);
    expect(changes[2]!.status.ready).toBe(true);
    checks.close();
  });

  it('reports a failing liveness check without holding readiness, after the start period', async () => {
    const { checks, changes, until } = runner();
    const closed = await unusedPort();
    const started = Date.now();
    checks.watch('a', 'job', [tcp({ role: 'liveness', port: closed, retries: 2, startPeriodMs: 150, name: 'alive' })], {});
    expect(checks.status('a').ready).toBe(true);
    await until(() => changes.length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(changes[0]!.status).toMatchObject({ ready: true, livenessFailed: true, lastError: expect.stringMatching(/^check "alive": tcp/) });
    checks.close();
  });

  it('stops probing on unwatch', async () => {
    const { checks, changes } = runner();
    const hits: number[] = [];
    const counting = createTcpServer((socket) => {
      hits.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    const countingPort = (counting.address() as { port: number }).port;
    try {
      checks.watch('a', 'job', [tcp({ port: countingPort })], {});
      while (hits.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      checks.unwatch('a');
      const after = hits.length;
      // twice the interval and more: any probe still running would show up
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(hits.length).toBeLessThanOrEqual(after + 1);
      expect(checks.status('a').ready).toBe(true);
      expect(changes.filter((c) => c.allocId === 'a').length).toBeLessThanOrEqual(1);
    } finally {
      checks.close();
      await new Promise((resolve) => counting.close(resolve));
    }
  });
});
