// The chaos harness's pure parts: its options, the report it writes, what counts
// as converged, the route reader and the secret search.
import { parseOptions } from '../../chaos/options.js';
import { convergenceProblems } from '../../chaos/probes.js';
import type { JobContainer, StoreSnapshot } from '../../chaos/probes.js';
import { renderReport } from '../../chaos/report.js';
import { Tally, held, lost, resultOf } from '../../chaos/row.js';
import { apiRoutes, fillPath } from '../../chaos/routes.js';
import { leaks } from '../../chaos/rows/secrets.js';

describe('options', () => {
  const ids = ['crash', 'auth'];
  test('a full run by default, --quick shortens the budget unless one is given', () => {
    expect(parseOptions([], ids, 42)).toEqual({ options: { budgetMinutes: 10, quick: false, seed: 42, only: [], out: 'docs/reliability.md' } });
    expect(parseOptions(['--quick'], ids, 42)).toMatchObject({ options: { budgetMinutes: 2, quick: true } });
    expect(parseOptions(['--quick', '--budget', '5', '--seed=7', '--only', 'auth'], ids, 42)).toMatchObject({ options: { budgetMinutes: 5, quick: true, seed: 7, only: ['auth'] } });
  });

  test('a bad value names the flag', () => {
    expect(parseOptions(['--budget', 'ten'], ids)).toEqual({ error: '--budget: expected minutes between 0 and 1440, got "ten"' });
    expect(parseOptions(['--only', 'crash,nope'], ids)).toEqual({ error: '--only: expected row ids among crash, auth, got "crash,nope"' });
    expect(parseOptions(['--fast'], ids)).toEqual({ error: 'unknown argument "--fast" (try --help)' });
  });
});

describe('a row', () => {
  test('counts held and lost trials; a harness error is neither, and says so', async () => {
    const tally = new Tally();
    await tally.trial('one', async () => held());
    await tally.trial('two', async () => lost('it broke'));
    await tally.trial('three', async () => {
      throw new Error('the harness tripped');
    });
    const result = resultOf({ fault: 'F', tried: 'T' }, tally);
    expect(result).toEqual({
      fault: 'F',
      tried: 'T',
      trials: 3,
      held: 1,
      lost: 1,
      note: '1 trial without a verdict (harness error or time limit, see details)',
      details: ['two: it broke', 'three: harness error: the harness tripped'],
    });
  });
});

describe('the report', () => {
  const facts = { date: '2025-01-01T00:00:00Z', machine: 'm', commit: 'abc (chaos)', mode: 'budget 10 min', seed: 5, durationSeconds: 61, cleanUpFailures: [] };
  const row = (fault: string, heldCount: number, lostCount: number, details: string[] = []) => ({ fault, tried: 'x | y', trials: heldCount + lostCount, held: heldCount, lost: lostCount, note: '', details });

  test('a table row per fault, pipes escaped, the goal met when nothing is lost', () => {
    const text = renderReport([row('Crash', 3, 0), row('Auth', 10, 0)], facts);
    expect(text).toContain('**Met**.');
    expect(text).toContain('| Crash | x \\| y | 3 | 3 | 0 | - |');
    expect(text).toContain('- Commit: abc (chaos)');
    expect(text).not.toContain('## What was lost');
  });

  test('what was lost is listed per row, and the goal is not met', () => {
    const text = renderReport([row('Crash', 3, 0), row('Disk full', 1, 1, ['trial 2: stood still'])], facts);
    expect(text).toContain('**Not met**: Disk full (1 lost).');
    expect(text).toContain('### Disk full\n\n- trial 2: stood still\n');
  });
});

describe('convergence', () => {
  const store = (allocations: StoreSnapshot['allocations'], deployments: StoreSnapshot['deployments'] = []): StoreSnapshot => ({ integrity: 'ok', jobVersion: 2, deployments, allocations });
  const alloc = (id: string, index: number, desired = 'run', version = 2, status = 'running') => ({ id, index, group: 'web', version, desired, status });
  const container = (alloc: string, index: number, state = 'running'): JobContainer => ({ id: `c-${alloc}-${state}`, alloc, index, image: 'i', state, version: 2 });

  test('holds for one running allocation per index, each with its container', () => {
    expect(convergenceProblems(store([alloc('a', 0), alloc('b', 1), alloc('old', 0, 'stop', 1)], [{ id: 'd1', version: 2, status: 'successful', description: '' }]), [container('a', 0), container('b', 1)], 2)).toEqual([]);
  });

  test('finds duplicates, orphans, leftovers, stuck deployments and a damaged file', () => {
    const deployments = [
      { id: 'd1234567', version: 2, status: 'running', description: '' },
      { id: 'c1234567', version: 1, status: 'running', description: '' },
    ];
    const problems = convergenceProblems(
      { ...store([alloc('a', 0), alloc('b', 0), alloc('old', 1, 'stop', 1)], deployments), integrity: 'page 3 is never used' },
      [container('a', 0), container('b', 0), container('old', 1), container('ghost', 1)],
      2,
    );
    expect(problems).toEqual([
      'PRAGMA integrity_check: page 3 is never used',
      'stuck deployment: d1234567 (v2, running)',
      'superseded deployment still recorded as running: c1234567 (v1, running)',
      'duplicate allocations for index 0',
      '1 orphan container(s) (no allocation the agent knows): c-ghost-runn',
      '1 container(s) of stopped allocations left behind',
    ]);
  });
});

describe('routes', () => {
  test('every endpoint the API registers is found in its sources, parameters filled in', () => {
    const routes = apiRoutes().map((r) => `${r.method} ${r.path}`);
    expect(routes).toEqual(expect.arrayContaining(['GET /v1/jobs', 'GET /v1/job/:id/versions', 'POST /v1/jobs', 'DELETE /v1/job/:id', 'GET /v1/events', 'POST /v1/webhooks/:forge', 'GET /v1/agent/health']));
    expect(fillPath('/v1/deployment/:id/promote', { deployment: 'd1', job: 'web' })).toBe('/v1/deployment/d1/promote');
    expect(fillPath('/v1/job/:id', { deployment: 'd1', job: 'web' })).toBe('/v1/job/web');
    expect(fillPath('/v1/webhooks/:forge', { forge: 'github' })).toBe('/v1/webhooks/github');
  });
});

test('the secret search names what leaked, never the value', () => {
  expect(leaks('{"DB_PASSWORD":"(sensitive)","url":"postgres://app:hunter2@db"}', { 'DB_PASSWORD (v0)': 'pw-1', 'the URL password': 'hunter2' })).toEqual(['the URL password']);
});
