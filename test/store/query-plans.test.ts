// Every query the store makes is served by an index: no full-table scan of a
// table that grows with history, and no sort in a temporary b-tree.
import { migrate } from '../../src/store/migrations.js';
import { prepareStatements } from '../../src/store/sqlite-store.js';
import { openSqlite } from '../../src/store/sqlite.js';

const db = openSqlite(':memory:');
migrate(db, ':memory:');
const statements = Object.entries(prepareStatements(db))
  .map(([name, statement]) => [name, statement.source] as const)
  .filter(([, source]) => !/^\s*INSERT/i.test(source));

afterAll(() => db.close());

it.each(statements)('%s uses an index', (_name, source) => {
  const parameters = Object.fromEntries([...source.matchAll(/@(\w+)/g)].map((match) => [match[1], 1]));
  const explain = db.prepare(`EXPLAIN QUERY PLAN ${source}`);
  const rows = Object.keys(parameters).length > 0 ? explain.all(parameters) : explain.all();
  const plan = rows.map((row) => row.detail);
  expect(plan.length).toBeGreaterThan(0);
  for (const step of plan) {
    expect(step).not.toMatch(/TEMP B-TREE/);
    expect(step).toMatch(/^SEARCH |^SCAN \w+ USING (COVERING )?INDEX /);
  }
});
