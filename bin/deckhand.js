#!/usr/bin/env -S node --max-semi-space-size=2
// A 2 MB young generation (V8's default grows to 16 MB, three times over): the
// agent's live heap is about 20 MB with 500 allocations, and the default slack
// alone took a quarter of its memory; rendering 1,000 files is no slower.

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
