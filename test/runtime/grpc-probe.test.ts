// gRPC health checks (Kubernetes `grpc` probes, Nomad `type = "grpc"` checks) against
// a real gRPC server on 127.0.0.1: grpc-js with grpc-health-check's implementation of
// grpc.health.v1.Health, the service the probe asks.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket } from 'node:net';
import { HealthImplementation } from 'grpc-health-check';
import type { GrpcCheck } from '../../src/model/job.js';
import { CheckRunner, probe } from '../../src/runtime/checks.js';
import type { CheckStatus } from '../../src/runtime/driver.js';

let server: Server;
let port: number;
const health = new HealthImplementation({ '': 'SERVING', 'shop.Cart': 'SERVING', 'shop.Ads': 'NOT_SERVING' });

beforeAll(async () => {
  server = new Server();
  health.addToServer(server);
  port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
});

afterAll(() => server.forceShutdown());

const grpc = (overrides: Partial<GrpcCheck> = {}): GrpcCheck => ({ type: 'grpc', name: null, role: 'readiness', port: 'grpc', service: '', intervalMs: 20, timeoutMs: 1000, retries: 1, startPeriodMs: 0, ...overrides });

/** A TCP server that takes connections and never answers: a hung process. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const silent: TcpServer = createTcpServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    port: (silent.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    },
  };
}

describe('a grpc probe', () => {
  it('passes when the server, or the service asked about, is SERVING', async () => {
    expect(await probe(grpc(), { grpc: port })).toBeNull();
    expect(await probe(grpc({ service: 'shop.Cart' }), { grpc: port })).toBeNull();
  });

  it('fails with the answer when the service is NOT_SERVING or unknown to the server', async () => {
    expect(await probe(grpc({ service: 'shop.Ads' }), { grpc: port })).toBe(`grpc 127.0.0.1:${port} service "shop.Ads": NOT_SERVING`);
    expect(await probe(grpc({ service: 'shop.Gone' }), { grpc: port })).toBe(`grpc 127.0.0.1:${port} service "shop.Gone": NOT_FOUND: Health status unknown for service shop.Gone`);
  });

  it('fails when nothing listens, and times out against a server that never answers', async () => {
    const gone = await silentServer();
    const closedPort = gone.port;
    await gone.close();
    expect(await probe(grpc(), { grpc: closedPort })).toMatch(new RegExp(`^grpc 127.0.0.1:${closedPort}: UNAVAILABLE: .+`));
    const hung = await silentServer();
    try {
      expect(await probe(grpc({ timeoutMs: 200 }), { grpc: hung.port })).toBe(`grpc 127.0.0.1:${hung.port}: timed out after 200ms`);
    } finally {
      await hung.close();
    }
  });

  it('a numbered port is the one the process listens on, mapped to its host port', async () => {
    expect(await probe(grpc({ port: 9555 }), { '9555': port })).toBeNull();
  });
});

describe('grpc checks in the check runner', () => {
  it('an allocation turns ready when its service comes to serve, and not ready when it stops serving', async () => {
    const changes: CheckStatus[] = [];
    let wake: (() => void) | null = null;
    const checks = new CheckRunner((_allocId, _jobId, status) => {
      changes.push(status);
      wake?.();
    });
    const next = (count: number) => new Promise<void>((resolve) => (changes.length >= count ? resolve() : (wake = () => changes.length >= count && resolve())));
    health.setStatus('shop.Checkout', 'NOT_SERVING');
    try {
      checks.watch('a1', 'shop', [grpc({ service: 'shop.Checkout' })], { grpc: port });
      expect(checks.status('a1').ready).toBe(false);
      health.setStatus('shop.Checkout', 'SERVING');
      await next(1);
      expect(changes[0]).toMatchObject({ ready: true, livenessFailed: false });
      health.setStatus('shop.Checkout', 'NOT_SERVING');
      await next(2);
      expect(changes[1]).toMatchObject({ ready: false, lastError: `grpc 127.0.0.1:${port} service "shop.Checkout": NOT_SERVING` });
    } finally {
      checks.unwatch('a1');
    }
  });
});
