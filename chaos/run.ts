// `npm run chaos`: every fault row within a time budget, then docs/reliability.md.
// Every row runs its planned trials; the rows that may go on (the crash row) run
// last and take what the budget leaves; each row has a hard time limit; every
// agent, server, engine, mount and container the run made is removed after each
// row and at the end, also after a failure or Ctrl-C.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { docker, ensureDemoImages } from '../test/runtime/support.js';
import { ChaosContext } from './context.js';
import { parseOptions } from './options.js';
import type { ChaosOptions } from './options.js';
import { renderReport } from './report.js';
import type { RunFacts } from './report.js';
import { notRun, runRow } from './row.js';
import type { ChaosRow, RowResult } from './row.js';
import { rows } from './rows/index.js';

const parsed = parseOptions(process.argv.slice(2), rows.map((r) => r.id));
if ('error' in parsed) {
  process.stderr.write(`chaos: ${parsed.error}\n`);
  process.exit(2);
}
const options = parsed.options;
const ctx = new ChaosContext(options.seed);
const started = Date.now();
const deadline = started + options.budgetMinutes * 60_000;
const results = new Map<string, RowResult>();
let finishing = false;

// A stream or wait left behind by a trial that ended (its agent killed under it): not a verdict.
process.on('unhandledRejection', (error) => ctx.trace(`a step left behind failed: ${String(error)}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    ctx.log(`${signal}: cleaning up and writing what was measured`);
    void finish(`interrupted (${signal})`).then(() => process.exit(130));
  });
}

const selected = rows.filter((r) => options.only.length === 0 || options.only.includes(r.id));
// The table keeps the rows' order; the rows that go on while the budget lasts run last.
const order = [...selected.filter((r) => !r.trials.more), ...selected.filter((r) => r.trials.more)];
const trialsOf = (row: ChaosRow) => (options.quick ? row.trials.quick : row.trials.full);
/** What the rows after `index` (in running order) are expected to take, in ms. */
const expectedAfter = (index: number) => order.slice(index + 1).reduce((sum, row) => sum + trialsOf(row) * row.secondsPerTrial * 1000, 0);

ctx.log(`run ${ctx.runId}, seed ${options.seed}, budget ${options.budgetMinutes} min${options.quick ? ' (quick)' : ''}`);
try {
  await ensureDemoImages();
  for (const [index, row] of order.entries()) {
    if (finishing) break;
    const now = Date.now();
    // A row that may go on takes what is left once the later rows' estimates are set aside.
    const until = Math.max(now, deadline - expectedAfter(index));
    const count = trialsOf(row);
    const plan = { min: count, max: row.trials.more && !options.quick ? 100_000 : count, until, quick: options.quick };
    const hardLimitMs = Math.max(until - now, count * row.secondsPerTrial * 1000) * 2 + 120_000;
    ctx.log(`${row.id}: ${row.fault} (until ${new Date(until).toISOString().slice(11, 19)})`);
    const result = await runRow(row, ctx, plan, hardLimitMs);
    results.set(row.id, result);
    ctx.log(`${row.id}: ${result.trials} trials, ${result.held} held, ${result.lost} lost${result.note ? ` (${result.note})` : ''}`);
    // Each row's agents and servers go before the next row starts: the machine is shared.
    const failures = await ctx.cleanUp();
    for (const failure of failures) ctx.log(`clean-up: ${failure}`);
  }
} catch (error) {
  ctx.log(`the run failed: ${(error as Error).stack ?? String(error)}`);
  await finish(`failed: ${(error as Error).message}`);
  process.exit(1);
}
await finish(null);
process.exit(0);

async function finish(stoppedBy: string | null): Promise<void> {
  if (finishing) return;
  finishing = true;
  const cleanUpFailures = await ctx.cleanUp();
  const table = selected.map((row) => results.get(row.id) ?? notRun(row, stoppedBy ?? 'not reached'));
  const facts: RunFacts = {
    date: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: await machine(),
    commit: commit(),
    mode: describeMode(options),
    seed: options.seed,
    durationSeconds: (Date.now() - started) / 1000,
    cleanUpFailures,
  };
  const text = renderReport(table, facts);
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  process.stdout.write(text);
  ctx.log(`report written to ${options.out}`);
}

function describeMode(o: ChaosOptions): string {
  const parts = [o.quick ? `--quick (${o.budgetMinutes} min budget)` : `budget ${o.budgetMinutes} min`];
  if (o.only.length > 0) parts.push(`only ${o.only.join(', ')}`);
  return parts.join(', ');
}

async function machine(): Promise<string> {
  const cpu = cpus();
  const engine = await docker
    .version()
    .then((v) => `Docker ${v.Version}`)
    .catch(() => 'Docker (version unknown)');
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, ${engine}, Node ${process.version}; load average ${load} at the end (the machine is shared)`;
}

function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const sha = git('rev-parse', 'HEAD');
    const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no')
      .split('\n')
      .filter((line) => line && !line.endsWith('docs/reliability.md'));
    return `${sha} (${branch})${dirty.length > 0 ? ', with uncommitted changes' : ''}`;
  } catch {
    return 'unknown (not a Git checkout)';
  }
}
