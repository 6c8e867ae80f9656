// GitOps benchmark: from `git push` returning to the first container of the new
// version started, with a webhook and with polling every second (median of 10
// pushes each), against a repository served over smart HTTP. With the webhook, each
// push's time is split into the steps of the code path, from the agent's log (its
// debug line of sync timings, the rollout's events) and the engine's container events.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildDemoImages } from '../src/demo/images.js';
import { signBody } from '../src/status/forges/github/webhook.js';
import { startGitServer } from '../test/support/git-server.js';
import type { TestRepository } from '../test/support/git-server.js';
import { agentClient, startAgentProcess } from '../test/support/agent-process.js';
import { webJob } from '../test/support/web-job.js';
import { removeRunObjects } from '../test/runtime/support.js';
import { EventRecorder } from './docker-events.js';
import type { RecordedEvent } from './docker-events.js';
import type { BenchRow } from './table.js';

const pushes = 10;
const secret = 'bench-secret';

type Mode = 'webhook' | 'webhook-start-first' | 'polling';

/**
 * The job each push changes: one allocation of the demo image on its job network,
 * with a published port. Nomad's update replaces it stop-first (the old container
 * stops before the new one is created); the Compose file says start-first, so the
 * new container does not wait for the old one. Each push is a new version (the
 * push's number in the environment), never a rollback to an earlier one.
 */
function jobFile(mode: Mode, version: number): Record<string, string> {
  const image = version % 2 ? 'deckhand-demo:v2' : 'deckhand-demo:v1';
  if (mode !== 'webhook-start-first') return { 'bench.nomad': webJob({ id: 'bench', image, count: 1, check: null, env: { BENCH_PUSH: String(version) } }) };
  const compose = ['name: bench', 'services:', '  web:', `    image: ${image}`, '    environment:', '      PORT: "8000"', `      BENCH_PUSH: "${version}"`, '    ports:', '      - "8000"', '    deploy:', '      replicas: 1', '      update_config:', '        order: start-first', '        monitor: 1s', ''];
  return { 'docker-compose.yml': compose.join('\n') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Push {
  sha: string;
  /** `git push` returned (ms since the epoch, as the agent's log and the engine's events). */
  pushedAt: number;
  /** The agent said the new allocation started. */
  startedAt: number;
}

/** One step of a push's way to its container, and whose time it is. */
interface Step {
  name: string;
  owner: 'deckhand' | 'Docker' | 'Git server' | 'bench';
  ms: number;
}

interface LogLine {
  time: number;
  msg: string;
  after?: string;
  commit?: string;
  fetchMs?: number | null;
  readMs?: number;
  renderMs?: number;
  submitMs?: number;
  syncMs?: number;
}

/**
 * A push's steps: push → webhook received → sync started (the fetch, the read of the
 * job folder, render and decide, submit) → the old container's SIGTERM → it is gone
 * (stop-first: the webJob has one allocation) → the new one created → started → the
 * agent says so. Null when a mark is missing (a poll took the push first, say).
 */
function pushSteps(push: Push, log: LogLine[], events: RecordedEvent[], startFirst: boolean): Step[] | null {
  const received = log.find((l) => l.after === push.sha && l.msg.startsWith('webhook: push'));
  const timings = log.find((l) => l.commit === push.sha && l.msg.startsWith('sync timings'));
  if (!received || !timings || timings.syncMs === undefined || timings.renderMs === undefined || timings.submitMs === undefined) return null;
  const submittedAt = timings.time;
  const syncStartedAt = submittedAt - timings.submitMs - timings.renderMs - timings.syncMs;
  const after = (action: string, from: number) => events.find((e) => e.action === action && e.timeMs >= from - 5);
  const killed = startFirst ? null : after('kill', submittedAt);
  const destroyed = killed && after('destroy', killed.timeMs);
  const created = after('create', destroyed?.timeMs ?? submittedAt);
  const started = created && events.find((e) => e.action === 'start' && e.id === created.id);
  if ((!startFirst && (!killed || !destroyed)) || !created || !started) return null;
  const fetchMs = timings.fetchMs ?? 0;
  const replacing: Step[] = killed && destroyed
    ? [
        { name: 'submitted → SIGTERM to the old container', owner: 'deckhand', ms: killed.timeMs - submittedAt },
        { name: 'SIGTERM → old container removed (stop, remove)', owner: 'Docker', ms: destroyed.timeMs - killed.timeMs },
        { name: 'removed → new container created (record, place, create)', owner: 'deckhand', ms: created.timeMs - destroyed.timeMs },
      ]
    : [{ name: 'submitted → new container created (place, create)', owner: 'deckhand', ms: created.timeMs - submittedAt }];
  return [
    { name: 'push returned → webhook received', owner: 'bench', ms: received.time - push.pushedAt },
    { name: 'webhook received → sync started', owner: 'deckhand', ms: syncStartedAt - received.time },
    { name: 'fetch (info/refs + upload-pack, index the pack)', owner: 'Git server', ms: fetchMs },
    { name: 'read the commit and the job folder', owner: 'deckhand', ms: timings.syncMs - fetchMs },
    { name: 'render (render cache) and decide', owner: 'deckhand', ms: timings.renderMs },
    { name: 'image digests, submit (store the version, deploy)', owner: 'deckhand', ms: timings.submitMs },
    ...replacing,
    { name: 'created → started (the engine\'s start)', owner: 'Docker', ms: started.timeMs - created.timeMs },
    { name: 'start event → the agent says started', owner: 'deckhand', ms: push.startedAt - started.timeMs },
  ];
}

function parseLog(text: string): LogLine[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** Median of each step over the pushes, and the share of each owner. */
function splitSummary(all: Step[][]): { lines: string[]; byOwner: Record<string, number> } {
  const lines: string[] = [];
  const byOwner: Record<string, number> = {};
  for (const [index, step] of (all[0] ?? []).entries()) {
    const ms = median(all.map((steps) => steps[index]!.ms));
    byOwner[step.owner] = (byOwner[step.owner] ?? 0) + ms;
    lines.push(`${step.name.padEnd(58)} ${step.owner.padEnd(10)} ${ms.toFixed(0).padStart(5)} ms (min ${Math.min(...all.map((s) => s[index]!.ms)).toFixed(0)}, max ${Math.max(...all.map((s) => s[index]!.ms)).toFixed(0)})`);
  }
  return { lines, byOwner };
}

interface Measured {
  samples: number[];
  split: Step[][];
}

async function measure(repo: TestRepository, mode: Mode): Promise<Measured> {
  const runId = `bench-gitops-${mode}-${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bench-gitops-'));
  writeFileSync(join(dataDir, 'secret'), secret);
  const interval = mode === 'polling' ? '1s' : '10m';
  const agent = await startAgentProcess({ runId, dataDir, extraArgs: ['--repo', repo.url, '--interval', interval, '--webhook-secret-file', join(dataDir, 'secret')] });
  const client = agentClient(agent.url);
  const samples: number[] = [];
  const timedPushes: Push[] = [];
  const docker = new Docker();
  const containers = await EventRecorder.open(docker, { type: ['container'], label: [`deckhand-test.run=${runId}`], event: ['create', 'start', 'kill', 'die', 'destroy'] });
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
      await repo.commit(jobFile(mode, version), `bench ${mode} ${version}`);
      await repo.push();
      const pushed = Date.now();
      const after = await repo.git('rev-parse', 'HEAD');
      if (mode !== 'polling') {
        const body = JSON.stringify({ ref: 'refs/heads/main', before, after, repository: { clone_url: repo.url, full_name: 'bench/jobs' } });
        await fetch(`${agent.url}/v1/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `${mode}-${version}`, 'x-hub-signature-256': signBody(secret, Buffer.from(body)) }, body });
      }
      before = after;
      await startedP;
      const startedAt = Date.now();
      // Version 0 is the first deployment, not a push onto a running job: not counted.
      if (version > 0) {
        samples.push(startedAt - pushed);
        timedPushes.push({ sha: after, pushedAt: pushed, startedAt });
      }
      await endedP;
    }
  } finally {
    stream.close();
    containers.close();
    await agent.stop();
    // Containers, and the job network and allocation volumes the agent made for them.
    await removeRunObjects(docker, runId);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const log = parseLog(agent.log());
  const split = mode !== 'polling' ? timedPushes.map((push) => pushSteps(push, log, containers.events, mode === 'webhook-start-first')).filter((steps): steps is Step[] => steps !== null) : [];
  return { samples, split };
}

export async function gitopsBenchmark(): Promise<BenchRow[]> {
  await buildDemoImages(new Docker());
  const server = await startGitServer();
  try {
    const rows: BenchRow[] = [];
    for (const mode of ['webhook', 'webhook-start-first', 'polling'] as const) {
      const repo = await server.createRepository(`bench-${mode}`);
      await repo.commitAndPush({ 'README.md': 'bench\n' }, 'start');
      const { samples, split } = await measure(repo, mode);
      const p50 = median(samples);
      const how = { webhook: 'webhook, stop-first', 'webhook-start-first': 'webhook, start-first', polling: 'polling every 1 s, stop-first' }[mode];
      rows.push({
        benchmark: `git push → first new container started (${how}, median of ${samples.length})`,
        result: `${(p50 / 1000).toFixed(2)} s (min ${(Math.min(...samples) / 1000).toFixed(2)}, max ${(Math.max(...samples) / 1000).toFixed(2)})`,
        memory: '-',
        goal: mode !== 'polling' ? '<= 0.5 s' : '-',
        met: mode !== 'polling' ? p50 <= 500 : null,
      });
      if (split.length > 0) {
        const { lines, byOwner } = splitSummary(split);
        process.stderr.write(`bench gitops: where a push's time goes (${how}, median of ${split.length} pushes; load ${loadavg()[0]!.toFixed(1)})\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
        const owners = Object.entries(byOwner).map(([owner, ms]) => `${owner} ${ms.toFixed(0)} ms`).join(', ');
        rows.push({ benchmark: `  of which, summed step medians (${split.length} pushes)`, result: owners, memory: '-', goal: '-', met: null });
      }
    }
    return rows;
  } finally {
    await server.close();
  }
}
