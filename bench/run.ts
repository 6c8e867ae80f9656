// `npm run bench`: every benchmark, one table (Markdown, so it can go into docs/).
import { planBenchmark } from './plan.js';
import { renderBenchmark } from './render.js';
import type { BenchRow } from './table.js';
import { printTable } from './table.js';

const suites: Array<[string, () => Promise<BenchRow[]>]> = [
  ['render', renderBenchmark],
  ['plan', planBenchmark],
];
const only = process.argv[2];

const rows: BenchRow[] = [];
for (const [name, run] of suites) {
  if (only && only !== name) continue;
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(...(await run()));
}
process.stdout.write(`${printTable(rows)}\n`);
