// `npm run bench`: every benchmark, one table (Markdown, so it can go into docs/).
import { agentBenchmark } from './agent.js';
import { edgeBenchmark } from './edge.js';
import { firstSyncBenchmark } from './first-sync.js';
import { gitopsBenchmark } from './gitops.js';
import { gitFetchBenchmark } from './git-fetch.js';
import { planBenchmark } from './plan.js';
import { renderBenchmark } from './render.js';
import { rolloutBenchmark } from './rollout-vs-swarm.js';
import { storeBenchmark } from './store.js';
import { swarmClusterBenchmark } from './swarm-cluster.js';
import { validateBenchmark } from './validate.js';
import type { BenchRow } from './table.js';
import { printTable } from './table.js';

const suites: Array<[string, () => Promise<BenchRow[]>]> = [
  ['render', renderBenchmark],
  ['validate', validateBenchmark],
  ['plan', planBenchmark],
  ['store', storeBenchmark],
  ['git', gitFetchBenchmark],
  ['rollout', rolloutBenchmark],
  ['agent', agentBenchmark],
  ['gitops', gitopsBenchmark],
  ['first-sync', firstSyncBenchmark],
  ['edge', edgeBenchmark],
  ['swarm-cluster', swarmClusterBenchmark],
];
const only = process.argv[2];

const rows: BenchRow[] = [];
for (const [name, run] of suites) {
  if (only && only !== name) continue;
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(...(await run()));
}
process.stdout.write(`${printTable(rows)}\n`);
