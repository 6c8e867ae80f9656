// Agent benchmark: the agent process's memory idle and with 100 jobs / 500
// allocations running on the real Docker engine, and the latency of the status
// endpoints with 100 jobs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { buildDemoImages } from '../src/demo/images.js';
import { webJob } from '../test/support/web-job.js';
import type { BenchRow } from './table.js';

// BENCH_AGENT_JOBS scales the run down where the engine places containers slowly.
const jobCount = Number(process.env.BENCH_AGENT_JOBS ?? 100);
const perJob = 5;
const benchLabel = 'deckhand-bench.run';
const memoryGoalMb = 100;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

function jobText(id: string): string {
  return webJob({ id, count: perJob, check: { interval: '10s', timeout: '2s' }, imageHealthcheck: false, maxParallel: perJob, healthyDeadline: '5m', progressDeadline: '10m' });
}

async function call<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(url: string, paths: () => string, rounds: number): Promise<{ p50: number; p95: number }> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await call(url, 'GET', paths());
    samples.push(performance.now() - start);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

export async function agentBenchmark(): Promise<BenchRow[]> {
  const docker = new Docker();
  await buildDemoImages(docker);
  const runId = `bench-${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bench-agent-'));
  // Started as `npx deckhand agent` starts it: through the file's #! line and its node flags.
  const child = spawn(join(process.cwd(), 'bin', 'deckhand.js'), ['agent', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--labels', `${benchLabel}=${runId}`, '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DECKHAND_'))),
  });
  try {
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        const match = /listening on (http:\/\/[\d.:]+)/.exec(log);
        if (match) resolve(match[1]!);
      };
      child.stderr.on('data', onData);
      child.stdout.on('data', onData);
      child.once('exit', (code) => reject(new Error(`agent exited ${code}: ${log}`)));
    });
    await call(url, 'GET', '/v1/jobs');
    const idle = rssMb(child.pid!);

    // RSS sampled every second from the first submission on: the peak while placing, the steady state after.
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!))), 1000);
    const started = performance.now();
    try {
      for (let i = 0; i < jobCount; i++) {
        const id = `bench-${String(i).padStart(3, '0')}`;
        await call(url, 'POST', '/v1/jobs', { path: `${id}.nomad`, rootName: 'jobs', files: { [`${id}.nomad`]: jobText(id) } });
      }
      // Wait for every deployment by reading the job list; the agent's own pace decides.
      for (;;) {
        const jobs = await call<Array<{ latestDeployment: { status: string } | null }>>(url, 'GET', '/v1/jobs');
        const done = jobs.filter((j) => j.latestDeployment && j.latestDeployment.status !== 'running').length;
        if (done === jobCount) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      clearInterval(sampler);
    }
    const deploySeconds = (performance.now() - started) / 1000;
    const jobs = await call<Array<{ latestDeployment: { status: string } }>>(url, 'GET', '/v1/jobs');
    const successful = jobs.filter((j) => j.latestDeployment.status === 'successful').length;
    // The agent at work afterwards: every allocation's HTTP check every 10 s. V8 hands the
    // placing's heap back when its memory reducer runs (within a minute or so of the burst),
    // so the steady state is the median of 60 one-second samples taken after one minute.
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const samples: number[] = [];
    for (let i = 0; i < 60; i++) {
      samples.push(rssMb(child.pid!));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const steady = percentile(samples, 50);

    let n = 0;
    const one = await latency(url, () => `/v1/job/bench-${String(n++ % jobCount).padStart(3, '0')}`, 300);
    const all = await latency(url, () => '/v1/jobs', 100);
    const mb = (v: number) => `${v.toFixed(0)} MB`;
    const ms = (v: { p50: number; p95: number }) => `p50 ${v.p50.toFixed(1)} ms, p95 ${v.p95.toFixed(1)} ms`;
    return [
      { benchmark: 'agent idle (no jobs)', result: 'RSS', memory: mb(idle), goal: '-', met: null },
      {
        benchmark: `agent with ${jobCount} jobs / ${jobCount * perJob} allocations, running (median of 60 s, after 1 min)`,
        result: `${successful}/${jobCount} deployed in ${deploySeconds.toFixed(0)} s`,
        memory: mb(steady),
        goal: `<= ${memoryGoalMb} MB`,
        met: steady <= memoryGoalMb,
      },
      { benchmark: `the same, peak while placing the ${jobCount * perJob} allocations`, result: 'RSS', memory: mb(peak), goal: '-', met: null },
      { benchmark: `GET /v1/job/:id (${jobCount} jobs)`, result: ms(one), memory: '-', goal: '-', met: null },
      { benchmark: `GET /v1/jobs (${jobCount} jobs)`, result: ms(all), memory: '-', goal: '-', met: null },
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    const listed = await docker.listContainers({ all: true, filters: { label: [`${benchLabel}=${runId}`] } });
    await Promise.allSettled(listed.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
