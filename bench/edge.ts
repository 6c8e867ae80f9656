// Edge benchmark (issue 13): small HTTP answers from containers published on
// 127.0.0.1 (a user-defined bridge network, ports Docker picks), asked directly
// and through an endpoint: deckhand's edge, and HAProxy from Debian (when
// installed) given the same backends by a generated configuration. Keep-alive
// and a new connection per request, 1 and 3 backends. "Direct" spreads the
// client's connections over the same containers' published ports.
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
type Target = 'direct' | 'edge' | 'haproxy';

async function freePort(): Promise<number> {
  for (;;) {
    const port = 41000 + Math.floor(Math.random() * 1000);
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

/** HAProxy in TCP mode like the edge: least connections, 1 s to connect, a failed connect retried on another server; one thread, as the edge has. */
function haproxyConfig(port: number, backends: LoadTarget[]): string {
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
    'frontend endpoint',
    `  bind 127.0.0.1:${port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance leastconn',
    ...backends.map((b, i) => `  server r${i} ${b.host}:${b.port}`),
    '',
  ].join('\n');
}

async function answers(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await runLoad({ targets: [{ host: '127.0.0.1', port }], connections: 1, durationMs: 1, keepAlive: false }).then((r) => {
        if (r.requests === 0) throw new Error('no answer');
      });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

export async function edgeBenchmark(): Promise<BenchRow[]> {
  const durationMs = Number(process.env.DECKHAND_BENCH_EDGE_SECONDS ?? 4) * 1000;
  const rounds = Number(process.env.DECKHAND_BENCH_EDGE_ROUNDS ?? 2);
  const docker = new Docker();
  const runId = `edge-bench-${randomBytes(3).toString('hex')}`;
  const dataDir = join(mkdtempSync(join(tmpdir(), 'deckhand-bench-edge-')), 'edge');
  const withHaproxy = haproxyInstalled();
  let haproxy: ChildProcess | null = null;
  const rows: BenchRow[] = [];
  try {
    await buildBackendImage(docker);
    await docker.createNetwork({ Name: runId, Driver: 'bridge', Labels: { [label]: runId } });
    const replicas: LoadTarget[] = [];
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
      const port = Number((await container.inspect()).NetworkSettings.Ports['80/tcp']?.[0]?.HostPort);
      replicas.push({ host: '127.0.0.1', port });
    }
    for (const replica of replicas) await answers(replica.port);

    const edge = new EdgeClient({ dataDir });
    await edge.ensureRunning();
    const edgePid = Number(readFileSync(join(dataDir, pidFileName), 'utf8'));
    const edgePort = await freePort();
    const haproxyPort = await freePort();
    const haproxyFile = join(dataDir, 'haproxy.cfg');

    for (const count of [1, 3]) {
      const backends = replicas.slice(0, count);
      await edge.setTable({ endpoints: [{ port: edgePort, address: '127.0.0.1', backends: backends.map((b, i) => ({ id: `r${i + 1}`, ...b })) }] });
      await answers(edgePort);
      if (withHaproxy) {
        writeFileSync(haproxyFile, haproxyConfig(haproxyPort, backends));
        haproxy = spawn('haproxy', ['-db', '-f', haproxyFile], { stdio: ['ignore', 'ignore', 'inherit'] });
        await answers(haproxyPort);
      }
      for (const keepAlive of [true, false]) {
        const mode = keepAlive ? 'keep-alive' : 'new connection per request';
        const results = new Map<Target, Measured>();
        const keepBest = (target: Target, r: Measured) => {
          const before = results.get(target);
          if (!before || r.perSecond > before.perSecond) results.set(target, r);
        };
        // Rounds alternate the targets; each keeps its best: other work on the machine only ever slows a run down.
        for (let round = 0; round < rounds; round++) {
          keepBest('direct', await measure(backends, keepAlive, durationMs, null));
          keepBest('edge', await measure([{ host: '127.0.0.1', port: edgePort }], keepAlive, durationMs, edgePid));
          if (haproxy?.pid) keepBest('haproxy', await measure([{ host: '127.0.0.1', port: haproxyPort }], keepAlive, durationMs, haproxy.pid));
        }
        const direct = results.get('direct')!;
        for (const [target, r] of results) {
          const throughput = ratio(r.perSecond, direct.perSecond);
          const p99 = ratio(r.p99Ms, direct.p99Ms);
          const proxied = target !== 'direct';
          rows.push({
            benchmark: `edge: ${mode}, ${count} backend${count > 1 ? 's' : ''}, ${target}`,
            result: `${Math.round(r.perSecond)} req/s${proxied ? ` (${throughput.toFixed(2)}×)` : ''}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${proxied ? ` (${p99.toFixed(2)}×)` : ''}${r.errors ? `, ${r.errors} errors` : ''}`,
            memory: r.rssMB === null ? '-' : `RSS ${r.rssMB.toFixed(0)} MB, CPU ${r.cpuPercent!.toFixed(0)}%`,
            goal: proxied ? `≥ ${goal.throughput}× req/s, p99 ≤ ${goal.p99}×` : '-',
            met: proxied ? throughput >= goal.throughput && p99 <= goal.p99 && r.errors === 0 : null,
          });
          process.stderr.write(`  ${rows.at(-1)!.benchmark}: ${rows.at(-1)!.result}; ${rows.at(-1)!.memory}\n`);
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
