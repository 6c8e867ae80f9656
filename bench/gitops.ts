// GitOps benchmark: from `git push` returning to the first container of the new
// version started, with a webhook and with polling every second (median of 10
// pushes each), against a repository served over smart HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { buildDemoImages } from '../src/demo/images.js';
import { signBody } from '../src/status/forges/github/webhook.js';
import { startGitServer } from '../test/support/git-server.js';
import type { TestRepository } from '../test/support/git-server.js';
import { agentClient, startAgentProcess } from '../test/support/agent-process.js';
import { webJob } from '../test/support/web-job.js';
import type { BenchRow } from './table.js';

const pushes = 10;
const secret = 'bench-secret';

function job(image: string): string {
  return webJob({ id: 'bench', image, count: 1, check: null });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(repo: TestRepository, mode: 'webhook' | 'polling'): Promise<number[]> {
  const runId = `bench-gitops-${mode}-${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bench-gitops-'));
  writeFileSync(join(dataDir, 'secret'), secret);
  const interval = mode === 'polling' ? '1s' : '10m';
  const agent = await startAgentProcess({ runId, dataDir, extraArgs: ['--repo', repo.url, '--interval', interval, '--webhook-secret-file', join(dataDir, 'secret')] });
  const client = agentClient(agent.url);
  const samples: number[] = [];
  let waiting: { version: number; resolve: () => void; ended?: () => void } | null = null;
  const stream = await client.events({ job: 'bench' }, (event) => {
    if (!waiting) return;
    if (event.type === 'allocation' && event.allocation?.version === waiting.version && /started$/.test(event.message)) waiting.resolve();
    if (event.type === 'deployment' && event.deployment?.jobVersion === waiting.version && event.deployment.status === 'successful') waiting.ended?.();
  });
  try {
    let before = await repo.git('rev-parse', 'HEAD');
    for (let version = 0; version <= pushes; version++) {
      let started!: () => void;
      let ended!: () => void;
      const startedP = new Promise<void>((resolve) => (started = resolve));
      const endedP = new Promise<void>((resolve) => (ended = resolve));
      waiting = { version, resolve: started, ended };
      await repo.commit({ 'bench.nomad': job(version % 2 ? 'deckhand-demo:v2' : 'deckhand-demo:v1') }, `bench ${mode} ${version}`);
      await repo.push();
      const pushed = performance.now();
      const after = await repo.git('rev-parse', 'HEAD');
      if (mode === 'webhook') {
        const body = JSON.stringify({ ref: 'refs/heads/main', before, after, repository: { clone_url: repo.url, full_name: 'bench/jobs' } });
        await fetch(`${agent.url}/v1/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `${mode}-${version}`, 'x-hub-signature-256': signBody(secret, Buffer.from(body)) }, body });
      }
      before = after;
      await startedP;
      // Version 0 is the first deployment, not a push onto a running job: not counted.
      if (version > 0) samples.push(performance.now() - pushed);
      await endedP;
    }
  } finally {
    stream.close();
    await agent.stop();
    const docker = new Docker();
    const listed = await docker.listContainers({ all: true, filters: { label: [`deckhand-test.run=${runId}`] } });
    await Promise.allSettled(listed.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    rmSync(dataDir, { recursive: true, force: true });
  }
  return samples;
}

export async function gitopsBenchmark(): Promise<BenchRow[]> {
  await buildDemoImages(new Docker());
  const server = await startGitServer();
  try {
    const rows: BenchRow[] = [];
    for (const mode of ['webhook', 'polling'] as const) {
      const repo = await server.createRepository(`bench-${mode}`);
      await repo.commitAndPush({ 'README.md': 'bench\n' }, 'start');
      const samples = await measure(repo, mode);
      const p50 = median(samples);
      rows.push({
        benchmark: `git push → first new container started (${mode === 'webhook' ? 'webhook' : 'polling every 1 s'}, median of ${samples.length})`,
        result: `${(p50 / 1000).toFixed(2)} s (min ${(Math.min(...samples) / 1000).toFixed(2)}, max ${(Math.max(...samples) / 1000).toFixed(2)})`,
        memory: '-',
        goal: mode === 'webhook' ? '<= 0.5 s' : '-',
        met: mode === 'webhook' ? p50 <= 500 : null,
      });
    }
    return rows;
  } finally {
    await server.close();
  }
}
