// Two or more builds side by side, on the machine as it is: `deckhand validate` of
// 10, 100 and 1,000 files (cold) and the agent's first sync of a 1,000-file repository, each
// build's runs interleaved with the others' (the order flips every round) so that
// a load that comes and goes touches all alike. Prints every run, then min / median.
//
//   node dist/bench/compare-builds.js ROUNDS before=/path/to/bin/deckhand.js after=bin/deckhand.js
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitServer } from '../test/support/git-server.js';
import { firstSyncOnce, firstSyncRepository } from './first-sync.js';
import { generateJobTree } from './generate-jobs.js';
import { validateFileCount, validateOnce } from './validate.js';

const rounds = Number(process.argv[2]);
const builds = process.argv.slice(3).map((arg) => {
  const [name, bin] = arg.split('=') as [string, string];
  return { name, bin };
});
if (!(rounds > 0) || builds.length < 2) throw new Error('usage: compare-builds.js ROUNDS name=bin name=bin...');

type Sample = Record<string, number>;
const samples = new Map<string, Sample[]>();
const record = (what: string, build: string, sample: Sample) => {
  const key = `${what} ${build}`;
  samples.set(key, [...(samples.get(key) ?? []), sample]);
  process.stdout.write(`${JSON.stringify({ what, build, ...sample, load1: Number(loadavg()[0]!.toFixed(1)) })}\n`);
};
const inRoundOrder = (round: number) => (round % 2 === 0 ? builds : [...builds].reverse());

const validateSizes = [10, 100, validateFileCount];
const dir = mkdtempSync(join(tmpdir(), 'deckhand-compare-validate-'));
const server = await startGitServer();
try {
  for (const size of validateSizes) generateJobTree(join(dir, String(size)), size);
  const repo = await server.createRepository('compare');
  await firstSyncRepository(repo);
  for (let round = 0; round < rounds; round++) {
    for (const size of validateSizes) {
      for (const build of inRoundOrder(round)) record(`validate ${size} files`, build.name, { ms: validateOnce(build.bin, join(dir, String(size)), size) });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const build of inRoundOrder(round)) {
      const run = await firstSyncOnce(build.bin, repo.url);
      record('first-sync', build.name, { syncMs: run.syncMs, renderMs: run.renderMs, sinceSpawnMs: run.sinceSpawnMs });
    }
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

for (const [key, list] of samples) {
  const fields = Object.keys(list[0]!);
  const summary = fields.map((field) => {
    const sorted = list.map((s) => s[field]!).sort((a, b) => a - b);
    return `${field} min ${sorted[0]!.toFixed(0)} / median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)}`;
  });
  process.stdout.write(`${key} (${list.length} runs): ${summary.join(', ')}\n`);
}
