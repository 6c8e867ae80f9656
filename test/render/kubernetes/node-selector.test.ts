// A pod's nodeSelector → Swarm constraints on the group, label by label.
import { nodeSelectorConstraint } from '../../../src/render/kubernetes/node-selector.js';
import { placementCarried, placementWithoutSwarmEquivalent } from '../../../src/render/placement.js';
import { render } from './helpers.js';

const manifest = (selector: string[]) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    matchLabels: { app: web }',
    '  template:',
    '    metadata:',
    '      labels: { app: web }',
    '    spec:',
    '      nodeSelector:',
    ...selector.map((l) => `        ${l}`),
    '      containers:',
    '        - name: web',
    '          image: demo:v1',
    '',
  ].join('\n');

describe('nodeSelector', () => {
  test.each([
    ['disktype', 'ssd', 'node.labels.disktype==ssd'],
    ['kubernetes.io/os', 'linux', 'node.platform.os==linux'],
    ['kubernetes.io/arch', 'amd64', 'node.platform.arch==x86_64'],
    ['kubernetes.io/arch', 'arm64', 'node.platform.arch==aarch64'],
    ['kubernetes.io/hostname', 'worker-2', 'node.hostname==worker-2'],
  ])('%s: %s → %s', (label, value, constraint) => {
    expect(nodeSelectorConstraint(label, value)).toEqual({ constraint });
  });

  test.each([
    ['cloud.google.com/gke-nodepool', 'gpu', 'no prefix like "cloud.google.com/gke-nodepool"'],
    ['kubernetes.io/arch', 's390x', 'Swarm names no architecture "s390x"'],
    ['zone', '', 'Swarm refuses empty values'],
  ])('%s: "%s" has no Swarm equivalent', (label, value, why) => {
    expect(nodeSelectorConstraint(label, value)).toEqual({ noEquivalent: expect.stringContaining(why) });
  });

  test('the group carries the labels Swarm can name; validate --explain says of each label what it comes to, at its line', () => {
    const result = render(manifest(['disktype: ssd', 'kubernetes.io/os: linux', 'cloud.google.com/gke-nodepool: gpu']));
    expect(result.diagnostics).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.placement).toEqual({ constraints: ['node.labels.disktype==ssd', 'node.platform.os==linux'], spread: [], maxReplicasPerNode: null });
    const uses = (result.settings ?? []).filter((s) => s.field.includes('nodeSelector')).map((s) => `${s.line} ${s.field} ${s.reason}`);
    expect(uses).toEqual([
      `12 spec.template.spec.nodeSelector ${placementCarried}`,
      `13 spec.template.spec.nodeSelector.disktype ${placementCarried}`,
      `14 spec.template.spec.nodeSelector.kubernetes.io/os ${placementCarried}`,
      `15 spec.template.spec.nodeSelector.cloud.google.com/gke-nodepool ${placementWithoutSwarmEquivalent} (Swarm's node labels have no prefix like "cloud.google.com/gke-nodepool")`,
    ]);
  });

  test('a pod without a nodeSelector, or with only labels Swarm cannot name, has no placement', () => {
    expect(render(manifest(['{}'])).jobs[0]!.job.groups[0]!.placement).toBeUndefined();
    expect(render(manifest(['cloud.google.com/gke-nodepool: gpu'])).jobs[0]!.job.groups[0]!.placement).toBeUndefined();
  });

  test('a value that is no string is an error at its line', () => {
    const result = render(manifest(['disktype: [ssd]']));
    expect(result.diagnostics.map((d) => `${d.line} ${d.field}`)).toEqual(['13 spec.template.spec.nodeSelector.disktype']);
    expect(result.jobs).toEqual([]);
  });
});
