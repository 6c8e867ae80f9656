// Plan benchmark: 1,000 jobs rendered and planned against 1,000 stored versions
// (SQLite on disk), and the incremental case of one changed file among 1,000.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { groupSpecHash, jobSpecHash } from '../src/model/spec/change-rules.js';
import { RenderCache } from '../src/render/cache.js';
import { renderPath, renderTree } from '../src/render/tree.js';
import { openStore } from '../src/store/sqlite-store.js';
import { readDirectoryTree } from '../src/sync/directory.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateJobTree } from './generate-jobs.js';
import { planAll } from './plan-all.js';
import type { BenchRow } from './table.js';

const fileCount = 1000;

const peakRss = (): string => `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;

export async function planBenchmark(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-bench-plan-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bench-store-'));
  const store = openStore(dataDir);
  try {
    generateJobTree(dir, fileCount);
    const first = renderTree(await readDirectoryTree(dir));
    const source = { kind: 'cli' as const, commit: null, file: null, author: null, message: null, revertOf: null };
    // Every stored version runs: one allocation per count, healthy.
    store.transaction(() => {
      for (const { job } of first.jobs) {
        const version = store.submitVersion({ job, specHash: jobSpecHash(job), source, sourceText: null, submittedAt: Date.now() });
        for (const group of job.groups) {
          for (let index = 0; index < group.count; index++) {
            const id = `${job.id}-${group.name}-${index}`;
            const now = Date.now();
            store.putAllocation({
              id, jobId: job.id, group: group.name, index, jobVersion: version.version, specHash: groupSpecHash(group), deploymentId: null,
              desired: 'run', status: 'running', healthy: true, healthyAt: now, canary: false, containers: {}, ports: {}, description: '', createdAt: now, modifiedAt: now,
            });
          }
        }
      }
    });

    // Every round reads the folder, renders all of it and plans every job. Uncached,
    // each file is rendered anew; with a render cache (what the agent keeps between
    // syncs) unchanged files reuse their render. The first round of each warms up.
    const fullRound = async (cache?: RenderCache): Promise<number> => {
      const start = performance.now();
      const tree = await readDirectoryTree(dir);
      const rendered = renderTree(tree, undefined, cache);
      const changed = planAll(store, rendered.jobs.map((j) => j.job));
      const ms = performance.now() - start;
      if (changed !== 0) throw new Error(`plan benchmark: ${changed} unchanged jobs planned as changes`);
      return ms;
    };
    // What `deckhand plan` on a folder costs a fresh process: nothing compiled yet, nothing cached.
    const once = fileURLToPath(new URL('./plan-once.js', import.meta.url));
    const colds = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [once, dir, dataDir], { encoding: 'utf8' })) as { ms: number; sinceStartMs: number; changed: number });
    if (colds.some((c) => c.changed !== 0)) throw new Error('plan benchmark: unchanged jobs planned as changes in a cold process');
    const cold = colds.sort((a, b) => a.ms - b.ms)[1]!;

    const fullTimes: number[] = [];
    for (let round = 0; round < 5; round++) fullTimes.push(await fullRound());
    // Peak RSS only grows: taken before the cached rounds, whose cache keeps every render alive as well.
    const uncachedRss = peakRss();
    const cache = new RenderCache();
    const cachedTimes: number[] = [];
    for (let round = 0; round < 5; round++) cachedTimes.push(await fullRound(cache));
    if (cache.misses !== fileCount) throw new Error(`plan benchmark: the render cache missed ${cache.misses} times, expected ${fileCount} (the first round)`);

    // One file changes: render that file alone and plan its job.
    const one = Object.keys(Object.fromEntries((await readDirectoryTree(dir)).files)).find((p) => p.endsWith('.nomad'))!;
    const original = readFileSync(join(dir, one), 'utf8');
    const tree = await readDirectoryTree(dir);
    const incremental: number[] = [];
    for (let round = 0; round < 20; round++) {
      const text = original.replace(/cpu {4}= 200/, `cpu    = ${300 + round}`);
      writeFileSync(join(dir, one), text);
      const files = new Map(tree.files);
      files.set(one, new TextEncoder().encode(text));
      const start = performance.now();
      const result = renderPath({ rootName: tree.rootName, files }, one, { env: {}, vars: {}, varFiles: [] });
      const changed = planAll(store, result.jobs.map((j) => j.job));
      incremental.push(performance.now() - start);
      if (changed !== 1) throw new Error('plan benchmark: the changed file did not plan as a change');
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rss = peakRss();
    const full = median(fullTimes.slice(1));
    const cached = median(cachedTimes.slice(1));
    const inc = median(incremental.slice(2));
    return [
      {
        benchmark: `read + render + plan ${fileCount} jobs against ${fileCount} stored versions, cold process, median of 3`,
        result: `${cold.ms.toFixed(0)} ms (${cold.sinceStartMs.toFixed(0)} ms from the process's start)`,
        memory: '-',
        goal: '<= 1000 ms',
        met: cold.ms <= 1000,
      },
      { benchmark: `read + render + plan ${fileCount} jobs against ${fileCount} stored versions, warm process, median of 4`, result: `${full.toFixed(0)} ms`, memory: uncachedRss, goal: '<= 1000 ms', met: full <= 1000 },
      { benchmark: `the same, files unchanged since the last sync (render cache), median of 4`, result: `${cached.toFixed(0)} ms`, memory: rss, goal: '<= 1000 ms', met: cached <= 1000 },
      { benchmark: `one changed file among ${fileCount}: render it + plan it, median of 18`, result: `${inc.toFixed(1)} ms`, memory: rss, goal: '<= 50 ms', met: inc <= 50 },
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
