// A changed placement shows in the plan as an in-place update, as in Nomad and Swarm:
// allocations whose node still meets the constraints stay, and on one engine all do.
import { jobText } from '../../src/cli/job-text.js';
import type { Job } from '../../src/model/job.js';
import { groupSpecHash, jobSpecHash } from '../../src/model/spec/change-rules.js';
import { formatPlanText } from '../../src/plan/format-text.js';
import { planJob } from '../../src/plan/plan.js';
import { renderJob } from '../helpers/render.js';

const compose = (placement: string[]) =>
  ['services:', '  web:', '    image: demo:v1', '    deploy:', '      replicas: 2', ...(placement.length ? ['      placement:', ...placement.map((l) => `        ${l}`)] : []), ''].join('\n');
const read = (...placement: string[]) => renderJob(compose(placement), { format: 'compose', path: 'web/compose.yaml' });

function plan(before: Job, after: Job) {
  const group = before.groups[0]!;
  const allocations = Array.from({ length: group.count }, (_, i) => ({ id: `a${i}`, group: group.name, index: i, version: 1, specHash: groupSpecHash(group), healthy: true }));
  const result = planJob({ job: after, current: { job: before, version: 1, modifyIndex: 7, stopped: false }, live: { allocations } });
  return { text: formatPlanText(result, after.source.file, { color: false }), group: result.groups[0]! };
}

describe('placement in the plan', () => {
  it('a changed constraint is shown, and updates each allocation in place', () => {
    const { text, group } = plan(read('constraints: [node.labels.zone==east]'), read('constraints: [node.labels.zone==west]', 'max_replicas_per_node: 1'));
    expect(group.destructiveUpdate).toBe(0);
    expect(group.inPlaceUpdate).toBe(2);
    expect(text).toContain(
      ['+/- Task Group: "web" (2 in-place update)', '  +/- Placement {', '    +/- Constraints[0]:     "node.labels.zone==east" => "node.labels.zone==west"', '    +   MaxReplicasPerNode: "1"'].join('\n'),
    );
  });

  it('placement added to a group keeps its allocations\' spec hash', () => {
    const before = read();
    const after = read('constraints: [node.role==worker]');
    expect(groupSpecHash(after.groups[0]!)).toBe(groupSpecHash(before.groups[0]!));
    expect(jobSpecHash(after)).not.toBe(jobSpecHash(before));
  });

  it('reordering constraints is no change; reordering spread preferences is one', () => {
    const a = read('constraints: [node.role==worker, node.labels.zone==east]');
    const b = read('constraints: [node.labels.zone==east, node.role==worker]');
    expect(jobSpecHash(a)).toBe(jobSpecHash(b));
    const spreadA = read('preferences: [{ spread: node.labels.zone }, { spread: node.labels.rack }]');
    const spreadB = read('preferences: [{ spread: node.labels.rack }, { spread: node.labels.zone }]');
    expect(jobSpecHash(spreadA)).not.toBe(jobSpecHash(spreadB));
  });
});

describe('placement in render\'s text', () => {
  it('one line a constraint, spread and limit, under the group', () => {
    const job = read('constraints: [node.role==worker]', 'preferences: [{ spread: node.labels.zone }]', 'max_replicas_per_node: 1');
    expect(jobText(job)).toContain(['  Placement  constraint node.role==worker', '             spread over node.labels.zone', '             at most 1 per node'].join('\n'));
  });
});
