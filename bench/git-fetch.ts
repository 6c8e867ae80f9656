// Git benchmark: isomorphic-git against the git CLI on a repository of 5,000 job
// files served over smart HTTP (git http-backend, test/support/git-server.ts),
// for the first clone and for a fetch of a 10-file commit; then deckhand's own
// sync (fetch + reading the job folder from objects) and changedFiles.
// Goal (issue 6): isomorphic-git at most 2× the git CLI.
//
// Wall time is what the goal speaks of, but on a shared machine it mostly measures
// the neighbours, so client CPU time is reported beside it: the process's own for
// isomorphic-git, the git process tree's (bash `times`) for the CLI. The server's
// work (git upload-pack) is the same for both and counted in neither.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { gitFs } from '../src/sync/git/git-fs.js';
import { GitSource } from '../src/sync/git/git-source.js';
import type { TestRepository } from '../test/support/git-server.js';
import { isolatedGitEnv, startGitServer } from '../test/support/git-server.js';
import { generateJobTree } from './generate-jobs.js';
import type { BenchRow } from './table.js';

const execFileAsync = promisify(execFile);
const fileCount = 5000;
const changedPerCommit = 10;
const cloneRounds = 5;
const fetchRounds = 7;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianOf = (samples: Sample[], key: keyof Sample) => median(samples.map((s) => s[key]));
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Wall and CPU time of work done in this process. */
async function inProcess<T>(work: () => Promise<T>): Promise<Sample & { result: T }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, result };
}

/** Wall and CPU time of a git command and everything it starts (remote helper, index-pack). */
async function gitCli(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<Sample> {
  const start = performance.now();
  // `times` prints the shell's, then its children's user and system time.
  const { stdout } = await execFileAsync('bash', ['-c', 'git "$@" >/dev/null && times', 'bash', ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  const children = stdout.trim().split('\n').at(-1)!.trim().split(/\s+/);
  const seconds = (text: string) => {
    const match = /^(\d+)m([\d.]+)s$/.exec(text);
    return match ? Number(match[1]) * 60 + Number(match[2]) : 0;
  };
  return { wallMs, cpuMs: (seconds(children[0]!) + seconds(children[1]!)) * 1000 };
}

export async function gitFetchBenchmark(): Promise<BenchRow[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'deckhand-bench-git-'));
  const env = isolatedGitEnv(scratch);
  const server = await startGitServer();
  try {
    const repo = await server.createRepository('bench');
    generateJobTree(join(repo.workDir, 'jobs'), fileCount);
    await repo.commitAndPush({}, `${fileCount} job files`);
    const newDir = (name: string) => mkdtempSync(join(scratch, `${name}-`));
    const cliClone = (dir: string) => gitCli(scratch, env, ['clone', '--quiet', '--single-branch', '--no-tags', '--no-checkout', repo.url, dir]);
    const isoClone = (dir: string, client: typeof fs | typeof gitFs, depth?: number) =>
      inProcess(() => git.clone({ fs: client, http, dir, url: repo.url, singleBranch: true, noTags: true, noCheckout: true, ...(depth ? { depth } : {}) }));

    // First clone, no checkout (deckhand reads files from objects; writing a checkout is the same work for both).
    // isomorphic-git with deckhand's fs client (src/sync/git-fs.ts), with node's fs, and shallow. The order rotates per round.
    const clones = { cli: [] as Sample[], iso: [] as Sample[], isoNodeFs: [] as Sample[], isoShallow: [] as Sample[] };
    const cloneRuns: Array<() => Promise<void>> = [
      async () => void clones.cli.push(await cliClone(newDir('cli'))),
      async () => void clones.iso.push(await isoClone(newDir('iso'), gitFs)),
      async () => void clones.isoNodeFs.push(await isoClone(newDir('iso-nodefs'), fs)),
      async () => void clones.isoShallow.push(await isoClone(newDir('iso-shallow'), gitFs, 1)),
    ];
    for (let round = 0; round < cloneRounds; round++) {
      for (let i = 0; i < cloneRuns.length; i++) await cloneRuns[(round + i) % cloneRuns.length]!();
    }

    // Fetch of one new commit that changes 10 files, into clones that have everything before it.
    const cliFetchDir = newDir('cli-fetch');
    await cliClone(cliFetchDir);
    const isoFetchDir = newDir('iso-fetch');
    await isoClone(isoFetchDir, gitFs);
    const isoCache = {};
    const source = new GitSource({ url: repo.url, dataDir: newDir('source') });
    const firstSync = await inProcess(() => source.sync());
    if (!firstSync.result.ok) throw new Error(`git benchmark: ${firstSync.result.error.describe()}`);
    if (firstSync.result.revision.tree.files.size !== fileCount) throw new Error(`git benchmark: read ${firstSync.result.revision.tree.files.size} files, expected ${fileCount}`);

    const fetches = { cli: [] as Sample[], iso: [] as Sample[], sync: [] as Sample[], changed: [] as Sample[] };
    let previous = firstSync.result.revision.sha;
    for (let round = 0; round < fetchRounds; round++) {
      await changeFiles(repo, round);
      fetches.cli.push(await gitCli(cliFetchDir, env, ['fetch', '--quiet', '--no-tags', 'origin', 'main']));
      fetches.iso.push(await inProcess(() => git.fetch({ fs: gitFs, http, dir: isoFetchDir, ref: 'main', singleBranch: true, tags: false, cache: isoCache })));
      const synced = await inProcess(() => source.sync({ baseline: previous }));
      if (!synced.result.ok) throw new Error(`git benchmark: ${synced.result.error.describe()}`);
      const head = synced.result.revision.sha;
      const changed = await inProcess(() => source.changedFiles(previous, head));
      if (!changed.result.ok || changed.result.files.length !== changedPerCommit) throw new Error('git benchmark: changedFiles did not find the changed files');
      fetches.sync.push(synced);
      fetches.changed.push(changed);
      previous = head;
    }

    const memory = `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;
    const load = `load ${loadavg()[0]!.toFixed(1)}`;
    const compare = (what: string, iso: Sample[], cli: Sample[], rounds: number, goal: boolean): BenchRow => {
      const wallRatio = medianOf(iso, 'wallMs') / medianOf(cli, 'wallMs');
      const cpuRatio = medianOf(iso, 'cpuMs') / medianOf(cli, 'cpuMs');
      return {
        benchmark: `${what}, ${fileCount} files over smart HTTP, vs git CLI, median of ${rounds} (${load})`,
        result: `wall ${ms(medianOf(iso, 'wallMs'))} vs ${ms(medianOf(cli, 'wallMs'))} (${wallRatio.toFixed(2)}×); CPU ${ms(medianOf(iso, 'cpuMs'))} vs ${ms(medianOf(cli, 'cpuMs'))} (${cpuRatio.toFixed(2)}×)`,
        memory,
        goal: goal ? '<= 2×' : '-',
        met: goal ? wallRatio <= 2 : null,
      };
    };
    const own = (what: string, samples: Sample[]): BenchRow => ({
      benchmark: what,
      result: `wall ${ms(medianOf(samples, 'wallMs'))}; CPU ${ms(medianOf(samples, 'cpuMs'))}`,
      memory,
      goal: '-',
      met: null,
    });
    return [
      compare('isomorphic-git first clone (no checkout)', clones.iso, clones.cli, cloneRounds, true),
      compare("  same, node's fs as the client", clones.isoNodeFs, clones.cli, cloneRounds, false),
      compare('  same, shallow (depth 1)', clones.isoShallow, clones.cli, cloneRounds, false),
      compare(`isomorphic-git fetch of a ${changedPerCommit}-file commit`, fetches.iso, fetches.cli, fetchRounds, true),
      own(`GitSource first sync: clone + read ${fileCount} files from objects`, [firstSync]),
      own(`GitSource sync of a ${changedPerCommit}-file commit: fetch + read ${fileCount} files (${changedPerCommit} new), median of ${fetchRounds}`, fetches.sync),
      own(`changedFiles between consecutive commits (${changedPerCommit} of ${fileCount}), median of ${fetchRounds}`, fetches.changed),
    ];
  } finally {
    await server.close();
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Edits 10 files spread over the tree, commits and pushes. */
async function changeFiles(repo: TestRepository, round: number): Promise<void> {
  const paths = (await repo.git('ls-files', 'jobs')).split('\n').filter(Boolean);
  const step = Math.floor(paths.length / changedPerCommit);
  for (let i = 0; i < changedPerCommit; i++) {
    const path = join(repo.workDir, paths[i * step]!);
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n# round ${round}\n`);
  }
  await repo.commitAndPush({}, `round ${round}`);
}
