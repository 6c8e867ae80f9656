#!/usr/bin/env -S node --optimize-for-size
// V8 favouring memory over speed, for the long-running agent: Node 24's V8 pools the
// heap pages a garbage collection frees, and measured here it handed them back to
// the system only in this mode; without it the agent kept its peak (150 MB after
// placing 500 allocations) for good. The young generation is then 1 MB semi-spaces
// (the agent's live heap is about 20 MB). A cold CLI command is no slower; rendering
// 1,000 files in a warm process takes about twice as long (docs/benchmarks.md).

// The Node version first, before any module that an older Node cannot load.
const { nodeVersionProblem } = await import('../dist/src/cli/node-version.js');
const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(problem);
  process.exitCode = 1;
} else {
  const { main } = await import('../dist/src/cli/main.js');
  await main();
}
