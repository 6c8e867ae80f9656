// Edge benchmark (issue 13): small HTTP answers from containers published on
// 127.0.0.1 (a user-defined bridge network, ports Docker picks), asked directly
// and through an endpoint: deckhand's edge, and HAProxy from Debian (when
// installed) given the same backends by a generated configuration. Keep-alive
// and a new connection per request, 1 and 3 backends. "Direct" spreads the
// client's connections over the same containers' published ports.
// Every target is measured twice: through the published ports (Docker's port
// proxy, docker-proxy, between) and at the containers' own addresses on the
// bridge network (IP and the port the process listens on), which skips
// docker-proxy: the edge there has as many hops as direct through the ports.
// The proxies' RSS and CPU are read from /proc while they serve.
//
// DECKHAND_BENCH_EDGE_SECONDS (default 4) sets each run's length, and
// DECKHAND_BENCH_EDGE_ROUNDS (default 2) how often each is run, alternating
// direct, edge and HAProxy; each keeps its best round. 16 connections.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { EdgeClient, pidFileName } from '../src/edge/index.js';
import { buildBackendImage, backendImage } from './edge-backend.js';
import { runLoad } from './edge-load.js';
import type { LoadResult, LoadTarget } from './edge-load.js';
import type { BenchRow } from './table.js';

const label = 'deckhand-test.run';
const connections = 16;
const warmupMs = 1000;
const goal = { throughput: 0.8, p99: 1.5 };
const proxies = ['direct', 'edge', 'haproxy'] as const;
type Proxy = (typeof proxies)[number];
/** How the backends are reached: Docker's published ports on 127.0.0.1, or the containers' bridge addresses. */
const routes = ['published port', 'container IP'] as const;
type Route = (typeof routes)[number];

async function freePort(): Promise<number> {
  const base = Number(process.env.DECKHAND_BENCH_EDGE_PORTS ?? 41000);
  for (;;) {
    const port = base + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

interface Measured extends LoadResult {
  rssMB: number | null;
  cpuPercent: number | null;
}

async function measure(targets: LoadTarget[], keepAlive: boolean, durationMs: number, pid: number | null): Promise<Measured> {
  await runLoad({ targets, connections, durationMs: warmupMs, keepAlive });
  let peak = 0;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssMB(pid))), 200) : null;
  const cpuBefore = pid ? cpuSeconds(pid) : 0;
  const result = await runLoad({ targets, connections, durationMs, keepAlive });
  if (sampler) clearInterval(sampler);
  if (!pid) return { ...result, rssMB: null, cpuPercent: null };
  return { ...result, rssMB: Math.max(peak, rssMB(pid)), cpuPercent: ((cpuSeconds(pid) - cpuBefore) / (durationMs / 1000)) * 100 };
}

function haproxyInstalled(): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

/** HAProxy in TCP mode like the edge: least connections, 1 s to connect, a failed connect retried on another server; one thread, as the edge has. One frontend per route. */
function haproxyConfig(listeners: Array<{ port: number; backends: LoadTarget[] }>): string {
  return [
    'global',
    '  maxconn 4000',
    '  nbthread 1',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  retries 2',
    '  option redispatch',
    ...listeners.flatMap(({ port, backends }, n) => [
      `frontend endpoint${n}`,
      `  bind 127.0.0.1:${port}`,
      `  default_backend replicas${n}`,
      `backend replicas${n}`,
      '  balance leastconn',
      ...backends.map((b, i) => `  server r${i} ${b.host}:${b.port}`),
    ]),
    '',
  ].join('\n');
}

async function answers(target: LoadTarget): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await runLoad({ targets: [target], connections: 1, durationMs: 1, keepAlive: false }).then((r) => {
        if (r.requests === 0) throw new Error('no answer');
      });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing answers on ${target.host}:${target.port}`);
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

export async function edgeBenchmark(): Promise<BenchRow[]> {
  const durationMs = Number(process.env.DECKHAND_BENCH_EDGE_SECONDS ?? 4) * 1000;
  const rounds = Number(process.env.DECKHAND_BENCH_EDGE_ROUNDS ?? 2);
  const docker = new Docker();
  const runId = `${process.env.DECKHAND_BENCH_EDGE_RUN ?? 'edge-bench'}-${randomBytes(3).toString('hex')}`;
  const dataDir = join(mkdtempSync(join(tmpdir(), 'deckhand-bench-edge-')), 'edge');
  const withHaproxy = haproxyInstalled();
  let haproxy: ChildProcess | null = null;
  const rows: BenchRow[] = [];
  try {
    await buildBackendImage(docker);
    const subnet = process.env.DECKHAND_BENCH_EDGE_SUBNET;
    await docker.createNetwork({ Name: runId, Driver: 'bridge', Labels: { [label]: runId }, ...(subnet ? { IPAM: { Config: [{ Subnet: subnet }] } } : {}) });
    const replicas: Record<Route, LoadTarget[]> = { 'published port': [], 'container IP': [] };
    for (let i = 1; i <= 3; i++) {
      const container = await docker.createContainer({
        Image: backendImage,
        name: `${runId}-${i}`,
        Labels: { [label]: runId },
        Env: [`NAME=r${i}`],
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: runId, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
      });
      await container.start();
      const settings = (await container.inspect()).NetworkSettings;
      replicas['published port'].push({ host: '127.0.0.1', port: Number(settings.Ports['80/tcp']?.[0]?.HostPort) });
      replicas['container IP'].push({ host: settings.Networks[runId]!.IPAddress, port: 80 });
    }
    for (const replica of routes.flatMap((route) => replicas[route])) await answers(replica);

    const edge = new EdgeClient({ dataDir });
    await edge.ensureRunning();
    const edgePid = Number(readFileSync(join(dataDir, pidFileName), 'utf8'));
    const edgePorts: Record<Route, number> = { 'published port': await freePort(), 'container IP': await freePort() };
    const haproxyPorts: Record<Route, number> = { 'published port': await freePort(), 'container IP': await freePort() };
    const haproxyFile = join(dataDir, 'haproxy.cfg');

    for (const count of [1, 3]) {
      const backends = (route: Route) => replicas[route].slice(0, count);
      await edge.setTable({
        endpoints: routes.map((route) => ({
          port: edgePorts[route],
          address: '127.0.0.1',
          backends: backends(route).map((b, i) => ({ id: `r${i + 1}`, ...b })),
        })),
      });
      for (const route of routes) await answers({ host: '127.0.0.1', port: edgePorts[route] });
      if (withHaproxy) {
        writeFileSync(haproxyFile, haproxyConfig(routes.map((route) => ({ port: haproxyPorts[route], backends: backends(route) }))));
        haproxy = spawn('haproxy', ['-db', '-f', haproxyFile], { stdio: ['ignore', 'ignore', 'inherit'] });
        for (const route of routes) await answers({ host: '127.0.0.1', port: haproxyPorts[route] });
      }
      for (const keepAlive of [true, false]) {
        const mode = keepAlive ? 'keep-alive' : 'new connection per request';
        const results = new Map<`${Proxy}, ${Route}`, Measured>();
        const keepBest = (target: `${Proxy}, ${Route}`, r: Measured) => {
          const before = results.get(target);
          if (!before || r.perSecond > before.perSecond) results.set(target, r);
        };
        // Rounds alternate the targets; each keeps its best: other work on the machine only ever slows a run down.
        for (let round = 0; round < rounds; round++) {
          for (const route of routes) {
            keepBest(`direct, ${route}`, await measure(backends(route), keepAlive, durationMs, null));
            keepBest(`edge, ${route}`, await measure([{ host: '127.0.0.1', port: edgePorts[route] }], keepAlive, durationMs, edgePid));
            if (haproxy?.pid) {
              const target = { host: '127.0.0.1', port: haproxyPorts[route] };
              keepBest(`haproxy, ${route}`, await measure([target], keepAlive, durationMs, haproxy.pid));
            }
          }
        }
        // The goal is against direct through the published ports: what a client has without an endpoint.
        const direct = results.get(`direct, ${routes[0]}`)!;
        for (const proxy of proxies) {
          for (const route of routes) {
            const r = results.get(`${proxy}, ${route}`);
            if (!r) continue;
            const compared = proxy !== 'direct' || route !== routes[0];
            const proxied = proxy !== 'direct';
            const throughput = ratio(r.perSecond, direct.perSecond);
            const p99 = ratio(r.p99Ms, direct.p99Ms);
            rows.push({
              benchmark: `edge: ${mode}, ${count} backend${count > 1 ? 's' : ''}, ${proxy} (${route})`,
              result: `${Math.round(r.perSecond)} req/s${compared ? ` (${throughput.toFixed(2)}×)` : ''}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${compared ? ` (${p99.toFixed(2)}×)` : ''}${r.errors ? `, ${r.errors} errors` : ''}`,
              memory: r.rssMB === null ? '-' : `RSS ${r.rssMB.toFixed(0)} MB, CPU ${r.cpuPercent!.toFixed(0)}%`,
              goal: proxied ? `≥ ${goal.throughput}× req/s, p99 ≤ ${goal.p99}×` : '-',
              met: proxied ? throughput >= goal.throughput && p99 <= goal.p99 && r.errors === 0 : null,
            });
            process.stderr.write(`  ${rows.at(-1)!.benchmark}: ${rows.at(-1)!.result}; ${rows.at(-1)!.memory}\n`);
          }
        }
      }
      haproxy?.kill('SIGKILL');
      haproxy = null;
    }
    if (!withHaproxy) process.stderr.write('bench: haproxy is not installed (apt-get install haproxy): its rows are left out\n');
  } finally {
    haproxy?.kill('SIGKILL');
    try {
      process.kill(Number(readFileSync(join(dataDir, pidFileName), 'utf8')), 'SIGKILL');
    } catch {
      // not started, or gone
    }
    const containers = await docker.listContainers({ all: true, filters: { label: [`${label}=${runId}`] } });
    await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    const networks = await docker.listNetworks({ filters: { label: [`${label}=${runId}`] } });
    await Promise.allSettled(networks.map((n) => docker.getNetwork(n.Id).remove()));
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  }
  return rows;
}
