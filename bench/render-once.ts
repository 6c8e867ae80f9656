// One cold render of a folder in a fresh process: prints {ms, files, jobs, maxRssMB} as JSON.
import { performance } from 'node:perf_hooks';
import { renderTree } from '../src/render/tree.js';
import { readDirectoryTree } from '../src/sync/directory.js';

const dir = process.argv[2]!;
const tree = await readDirectoryTree(dir);
const start = performance.now();
const result = renderTree(tree);
const ms = performance.now() - start;
process.stdout.write(
  `${JSON.stringify({ ms, files: result.files.length, jobs: result.jobs.length, errors: result.failedFiles.length, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
