// The architecture's borders (docs/architecture.md), checked by `npm run lint`:
// arrows point down the flow, no import cycles, and a folder of src/ is entered
// only through an index.ts (its own, or a sub-folder's that is an entry of its own,
// such as sync/git or status/forges, so heavy parts load only where used).

/** What each folder of src/ may import besides itself. */
const mayUse = {
  util: [],
  model: ['util'],
  hcl: ['util'],
  render: ['model', 'hcl', 'util'],
  plan: ['model', 'util'],
  sync: ['model', 'util'],
  store: ['model', 'util'],
  runtime: ['model', 'util'],
  edge: ['util'],
  rollout: ['model', 'runtime', 'store', 'util'],
  status: ['model', 'plan', 'store', 'sync', 'util'],
  api: ['model', 'plan', 'render', 'rollout', 'status', 'store', 'util'],
  ui: ['api', 'model', 'plan', 'rollout', 'util'],
  agent: ['api', 'edge', 'model', 'plan', 'render', 'rollout', 'runtime', 'status', 'store', 'sync', 'ui', 'util'],
  demo: ['model', 'util'],
  cli: ['agent', 'api', 'demo', 'edge', 'model', 'plan', 'render', 'rollout', 'runtime', 'status', 'store', 'sync', 'ui', 'util'],
};
const folders = Object.keys(mayUse);

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Imports form no cycle: a module never depends on itself through others.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...folders.map((folder) => ({
      name: `${folder}-flows-down`,
      severity: 'error',
      comment: `src/${folder} may use only ${mayUse[folder].join(', ') || 'nothing of src'} (the flow of docs/architecture.md)`,
      from: { path: `^src/${folder}/` },
      to: { path: '^src/', pathNot: [`^src/${folder}/`, ...mayUse[folder].map((other) => `^src/${other}/`)] },
    })),
    {
      name: 'enter-through-index',
      severity: 'error',
      comment: 'Another folder is entered through an index.ts, never through its internals.',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '/index\\.ts$'] },
    },
    {
      name: 'no-unknown-folder',
      severity: 'error',
      comment: `A new folder of src/ gets its place in the flow here first (${folders.join(', ')}).`,
      from: { path: '^src/', pathNot: folders.map((folder) => `^src/${folder}/`) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
