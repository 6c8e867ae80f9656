// Render benchmark: 1,000 generated job files of mixed formats, cold (a fresh
// process, nothing compiled yet) and warm (the same process, after a few rounds).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RenderCache } from '../src/render/cache.js';
import { renderTree } from '../src/render/tree.js';
import { readDirectoryTree } from '../src/sync/directory.js';
import { generateJobTree } from './generate-jobs.js';
import type { BenchRow } from './table.js';

const fileCount = 1000;
const goalMs = 1000;

export async function renderBenchmark(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-bench-render-'));
  try {
    generateJobTree(dir, fileCount);
    const once = fileURLToPath(new URL('./render-once.js', import.meta.url));
    const colds = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [once, dir], { encoding: 'utf8' })) as { ms: number; files: number; jobs: number; errors: number; maxRssMB: number });
    const cold = colds.sort((a, b) => a.ms - b.ms)[1]!;
    if (cold.errors > 0 || cold.files !== fileCount) throw new Error(`render benchmark: ${cold.errors} files failed, ${cold.files} found`);

    const tree = await readDirectoryTree(dir);
    for (let i = 0; i < 3; i++) renderTree(tree);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      renderTree(tree);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const warmMs = times[2]!;
    // Peak RSS only grows: taken before the cached rounds, which keep every result alive as well.
    const warmRssMB = process.resourceUsage().maxRSS / 1024;
    // What the agent sees on a sync where no file changed, when it keeps a render cache.
    const cache = new RenderCache();
    renderTree(tree, undefined, cache);
    const cachedTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      renderTree(tree, undefined, cache);
      cachedTimes.push(performance.now() - start);
    }
    cachedTimes.sort((a, b) => a - b);
    const cachedMs = cachedTimes[2]!;
    const row = (name: string, ms: number, rss: number | null): BenchRow => ({
      benchmark: name,
      result: `${ms.toFixed(0)} ms (${Math.round((fileCount / ms) * 1000)} files/s)`,
      memory: rss === null ? `heap ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB` : `peak RSS ${rss.toFixed(0)} MB`,
      goal: `<= ${goalMs} ms`,
      met: ms <= goalMs,
    });
    return [
      row(`render ${fileCount} files (mixed formats), cold process, median of 3`, cold.ms, cold.maxRssMB),
      row(`render ${fileCount} files (mixed formats), warm, median of 5`, warmMs, warmRssMB),
      row(`render ${fileCount} unchanged files, warm, render cache, median of 5`, cachedMs, process.resourceUsage().maxRSS / 1024),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
