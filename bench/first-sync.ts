// The agent's first sync of a 1,000-file repository: a fresh agent process follows
// a repository served over smart HTTP and clones, reads, renders and submits every
// job at once. The jobs ask for no allocations, so no container is started: what
// is timed is the sync itself (the agent's deckhand_sync_duration_seconds), and
// from the spawn to the end of that sync.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { startGitServer } from '../test/support/git-server.js';
import type { TestRepository } from '../test/support/git-server.js';
import { startAgentProcess } from '../test/support/agent-process.js';
import { generateJobTree } from './generate-jobs.js';
import type { BenchRow } from './table.js';
import { ownBin } from './validate.js';

export const firstSyncFileCount = 1000;
const rounds = 3;
const timeoutMs = 300_000;

export interface FirstSyncRun {
  /** The sync as the agent timed it: fetch (a clone), render, plan, submit. */
  syncMs: number;
  /** From spawning the agent to seeing that sync done. */
  sinceSpawnMs: number;
  /** From the agent's log: from "syncing <sha>" (fetched) to its first job submitted, which is mostly rendering. */
  renderMs: number;
}

/** A repository holding `firstSyncFileCount` idle job files, pushed. */
export async function firstSyncRepository(repo: TestRepository): Promise<void> {
  generateJobTree(repo.workDir, firstSyncFileCount, { idle: true });
  await repo.commit({}, `${firstSyncFileCount} job files`);
  await repo.push();
}

/** One fresh agent (the CLI at `bin`) following `repoUrl`, until its first sync has ended. */
export async function firstSyncOnce(bin: string, repoUrl: string): Promise<FirstSyncRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bench-first-sync-'));
  const spawned = performance.now();
  // The default log level, as users run it: every submitted job is a line.
  const agent = await startAgentProcess({ runId: `bench-first-sync-${process.pid}`, dataDir, command: bin, extraArgs: ['--repo', repoUrl, '--interval', '1h', '--log-level', 'info'] });
  try {
    // The agent announces no "sync done" on its own; its metrics say when a sync ended and how long it took.
    for (;;) {
      const metrics = await (await fetch(`${agent.url}/metrics`)).text();
      const failed = /deckhand_sync_duration_seconds_count\{result="error"\} (\d+)/.exec(metrics);
      if (failed && Number(failed[1]) > 0) throw new Error(`the first sync failed:\n${agent.log().slice(-2000)}`);
      const count = /deckhand_sync_duration_seconds_count\{result="ok"\} (\d+)/.exec(metrics);
      if (count && Number(count[1]) > 0) {
        const sinceSpawnMs = performance.now() - spawned;
        const sum = /deckhand_sync_duration_seconds_sum\{result="ok"\} ([\d.e+-]+)/.exec(metrics)!;
        const jobs = (await (await fetch(`${agent.url}/v1/jobs`)).json()) as unknown[];
        if (jobs.length !== firstSyncFileCount) throw new Error(`first sync: ${jobs.length} jobs, expected ${firstSyncFileCount}`);
        return { syncMs: Number(sum[1]) * 1000, sinceSpawnMs, renderMs: renderPhaseMs(agent.log()) };
      }
      if (performance.now() - spawned > timeoutMs) throw new Error(`no sync within ${timeoutMs} ms:\n${agent.log().slice(-2000)}`);
      await delay(20);
    }
  } finally {
    await agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The time between the agent's "syncing" line and the first line about a job, from its JSON log. */
function renderPhaseMs(log: string): number {
  const lines = log.split('\n').filter((line) => line.startsWith('{') && line.endsWith('}')).map((line) => JSON.parse(line) as { time: number; msg: string; job?: string });
  const syncing = lines.findIndex((line) => line.msg.startsWith('syncing '));
  const firstJob = lines.findIndex((line, i) => i > syncing && line.job !== undefined);
  if (syncing < 0 || firstJob < 0) throw new Error(`first sync: no "syncing" line followed by a job's in the agent's log:\n${log.slice(-2000)}`);
  return lines[firstJob]!.time - lines[syncing]!.time;
}

export async function firstSyncBenchmark(): Promise<BenchRow[]> {
  const server = await startGitServer();
  try {
    const repo = await server.createRepository('first-sync');
    await firstSyncRepository(repo);
    const runs: FirstSyncRun[] = [];
    for (let i = 0; i < rounds; i++) runs.push(await firstSyncOnce(ownBin, repo.url));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return [
      {
        benchmark: `agent's first sync of a ${firstSyncFileCount}-file repository (clone, render, submit; no containers), median of ${rounds}`,
        result: `${median(runs.map((r) => r.syncMs)).toFixed(0)} ms, of which rendering ${median(runs.map((r) => r.renderMs)).toFixed(0)} ms (${median(runs.map((r) => r.sinceSpawnMs)).toFixed(0)} ms from the agent's spawn)`,
        memory: '-',
        goal: '-',
        met: null,
      },
    ];
  } finally {
    await server.close();
  }
}
