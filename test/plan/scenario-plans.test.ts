// Plans of the scenarios' updates (shared/SCENARIOS.md), as text and markdown,
// against golden files in fixtures/plans/. They must read like the seeds' `nomad job plan`.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npm test -- scenario-plans
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupSpecHash } from '../../src/model/spec/change-rules.js';
import { formatPlansMarkdown } from '../../src/plan/format-markdown.js';
import { planJson } from '../../src/plan/format-json.js';
import { formatPlanText } from '../../src/plan/format-text.js';
import { planJob } from '../../src/plan/plan.js';
import { renderTree } from '../../src/render/tree.js';
import { readDirectoryTree } from '../../src/sync/directory.js';

const fixtures = join(process.cwd(), 'fixtures');

async function load(folder: string) {
  const result = renderTree(await readDirectoryTree(join(fixtures, folder)));
  const { job } = result.jobs[0]!;
  return { job, text: readFileSync(join(fixtures, folder, job.source.file), 'utf8') };
}

const updates: Array<[string, string, string]> = [
  ['s1-v1-to-v2', 's1-nomad-rolling/v1', 's1-nomad-rolling/v2'],
  ['s1-v2-to-v3', 's1-nomad-rolling/v2', 's1-nomad-rolling/v3'],
  ['s2-v3-to-v4', 's1-nomad-rolling/v3', 's2-nomad-canary-fail/v4'],
  ['s3-v4-to-v5', 's2-nomad-canary-fail/v4', 's3-nomad-canary-promote/v5'],
  ['s4-v0-to-v1', 's4-nomad-auto-revert/v0', 's4-nomad-auto-revert/v1'],
  ['s4-v1-to-v2', 's4-nomad-auto-revert/v1', 's4-nomad-auto-revert/v2'],
  ['s5-v1-to-v2', 's5-kubernetes/v1', 's5-kubernetes/v2'],
  ['s5-v2-to-v3', 's5-kubernetes/v2', 's5-kubernetes/v3'],
  ['s6-v1-to-v2', 's6-swarm-rollback/v1', 's6-swarm-rollback/v2'],
  ['s7-v2-to-v3', 's7-swarm-parallel/v2', 's7-swarm-parallel/v3'],
];

function golden(name: string, actual: string): void {
  const path = join(fixtures, 'plans', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(existsSync(path) ? readFileSync(path, 'utf8') : `missing ${path}`).toBe(actual);
}

describe('plans of the scenario updates', () => {
  it.each(updates)('%s', async (name, from, to) => {
    const before = await load(from);
    const after = await load(to);
    // What runs: every allocation of the old version, healthy, version 1.
    const allocations = before.job.groups.flatMap((g) =>
      Array.from({ length: g.count }, (_, i) => ({ id: `${g.name}-${i}`, group: g.name, index: i, version: 1, specHash: groupSpecHash(g), healthy: true })),
    );
    const plan = planJob({ job: after.job, current: { job: before.job, version: 1, modifyIndex: 7, stopped: false }, live: { allocations } });
    expect(plan.changes).toBe(true);
    golden(`${name}.txt`, formatPlanText(plan, `${to}/${after.job.source.file}`, { color: false }));
    golden(`${name}.md`, formatPlansMarkdown([{ plan, file: after.job.source.file, oldText: before.text, newText: after.text }]));
    const json = JSON.parse(planJson([plan]));
    expect(Object.keys(json.jobs[0])).toEqual(['id', 'changes', 'checkIndex', 'groups', 'diff']);
    expect(Object.keys(json.jobs[0].groups[0])).toEqual(['name', 'create', 'destroy', 'ignore', 'inPlaceUpdate', 'destructiveUpdate', 'canary', 'batches']);
  });

  it('the geo-api-server update reads like the seed (001 "Planning Changes")', async () => {
    const text = readFileSync(join(fixtures, 'plans', 's4-v0-to-v1.txt'), 'utf8');
    expect(text).toContain(
      [
        '+/- Job: "geo-api-server"',
        '+/- Task Group: "api-server" (6 create/destroy update)',
        '  +/- Task: "server" (forces create/destroy update)',
        '    +/- Config {',
        '      +/- image: "geo-api-server:0.1" => "geo-api-server:0.2"',
        '        }',
        '',
        'Scheduler dry-run:',
        '- All tasks successfully allocated.',
        '',
        'Job Modify Index: 7',
      ].join('\n'),
    );
  });

  it('an unchanged job plans as no changes, every allocation ignored', async () => {
    const { job } = await load('s4-nomad-auto-revert/v1');
    const allocations = Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, group: 'api-server', index: i, version: 3, specHash: groupSpecHash(job.groups[0]!), healthy: true }));
    const plan = planJob({ job, current: { job, version: 3, modifyIndex: 9, stopped: false }, live: { allocations } });
    expect(plan.changes).toBe(false);
    expect(plan.groups).toEqual([{ name: 'api-server', create: 0, destroy: 0, ignore: 6, inPlaceUpdate: 0, destructiveUpdate: 0, canary: 0, batches: 0 }]);
    expect(formatPlanText(plan, 'geo.nomad', { color: false })).toMatch(/^Job: "geo-api-server"\nTask Group: "api-server" \(6 ignore\)\n {2}Task: "server"\n\nScheduler dry-run:/);
  });

  it('colours only when asked', async () => {
    const before = await load('s4-nomad-auto-revert/v0');
    const after = await load('s4-nomad-auto-revert/v1');
    const plan = planJob({ job: after.job, current: { job: before.job, version: 0, modifyIndex: 3, stopped: false }, live: { allocations: [] } });
    expect(formatPlanText(plan, 'x', { color: true })).toContain('\u001b[93m+/-\u001b[0m \u001b[1mJob');
    expect(formatPlanText(plan, 'x', { color: false })).not.toContain('\u001b[');
  });
});
