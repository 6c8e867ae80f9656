// `deckhand validate` on 1,000 generated job files, in a fresh process each time:
// what someone waits for at a terminal (Node's start, loading the modules, reading
// and rendering the folder, printing), timed from the spawn to the exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateJobTree } from './generate-jobs.js';
import type { BenchRow } from './table.js';

export const validateFileCount = 1000;
const rounds = 5;

/** The repository's own CLI (dist/bench/ → bin/deckhand.js). */
export const ownBin = fileURLToPath(new URL('../../bin/deckhand.js', import.meta.url));

/** One cold `deckhand validate dir` with the CLI at `bin` (run as a program: its `#!` flags apply), in ms; throws unless all `files` are valid. */
export function validateOnce(bin: string, dir: string, files = validateFileCount): number {
  const start = performance.now();
  const run = spawnSync(bin, ['validate', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  const summary = `${files} job files valid`;
  if (run.status !== 0 || !run.stdout.includes(summary)) throw new Error(`validate benchmark: exit ${run.status}, expected "${summary}":\n${run.stderr}${run.stdout.slice(-500)}`);
  return ms;
}

export async function validateBenchmark(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-bench-validate-'));
  try {
    generateJobTree(dir, validateFileCount);
    const runs = Array.from({ length: rounds }, () => validateOnce(ownBin, dir)).sort((a, b) => a - b);
    const median = runs[Math.floor(rounds / 2)]!;
    return [
      {
        benchmark: `deckhand validate ${validateFileCount} files (mixed formats), cold process from spawn to exit, median of ${rounds}`,
        result: `${median.toFixed(0)} ms (min ${runs[0]!.toFixed(0)})`,
        memory: '-',
        goal: '-',
        met: null,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
