// One cold read + render + plan of a folder against a store, in a fresh process:
// prints {ms, sinceStartMs, changed} as JSON. `ms` counts from reading the folder;
// `sinceStartMs` from the process's start (Node itself and loading the modules too).
import { performance } from 'node:perf_hooks';
import { renderTree } from '../src/render/tree.js';
import { openStore } from '../src/store/sqlite-store.js';
import { readDirectoryTree } from '../src/sync/directory.js';
import { planAll } from './plan-all.js';

const [dir, dataDir] = [process.argv[2]!, process.argv[3]!];
const store = openStore(dataDir);
const start = performance.now();
const rendered = renderTree(await readDirectoryTree(dir));
const changed = planAll(store, rendered.jobs.map((j) => j.job));
const end = performance.now();
store.close();
process.stdout.write(`${JSON.stringify({ ms: end - start, sinceStartMs: end, changed })}\n`);
