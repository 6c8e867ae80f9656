// Nomad's constraint and spread blocks → the group's placement in Swarm's terms, where
// Swarm has an equivalent; the others change nothing on one engine, and say why.
import { swarmConstraint, swarmSpread } from '../../../src/render/nomad/placement.js';
import { placementCarried, placementWithoutSwarmEquivalent } from '../../../src/render/placement.js';
import { render, renderJob } from '../../helpers/render.js';

/** A job with `jobLines` at job level (line 2 on), `groupLines` in the group, `taskLines` in its task. */
function job(jobLines: string[], groupLines: string[] = [], taskLines: string[] = []): string {
  return [
    'job "web" {',
    ...jobLines.map((l) => `  ${l}`),
    '  group "web" {',
    ...groupLines.map((l) => `    ${l}`),
    '    task "server" {',
    '      driver = "docker"',
    ...taskLines.map((l) => `      ${l}`),
    '      config {',
    '        image = "demo:v1"',
    '      }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

const constraint = (attribute: string | null, operator: string | null, value: string | null) => [
  'constraint {',
  ...(attribute !== null ? [`  attribute = "${attribute}"`] : []),
  ...(operator !== null ? [`  operator = "${operator}"`] : []),
  ...(value !== null ? [`  value = "${value}"`] : []),
  '}',
];

describe('the mapping of one constraint', () => {
  test.each([
    ['${attr.kernel.name}', '=', 'linux', 'node.platform.os==linux'],
    ['${attr.kernel.name}', '==', 'linux', 'node.platform.os==linux'],
    ['${attr.kernel.name}', 'is', 'linux', 'node.platform.os==linux'],
    ['${attr.cpu.arch}', '=', 'amd64', 'node.platform.arch==x86_64'],
    ['${attr.cpu.arch}', '!=', 'arm64', 'node.platform.arch!=aarch64'],
    ['${node.unique.name}', 'not', 'worker-3', 'node.hostname!=worker-3'],
    ['${attr.unique.hostname}', '=', 'edge-1', 'node.hostname==edge-1'],
    ['${meta.zone}', '=', 'east', 'node.labels.zone==east'],
    ['${ meta.zone }', '=', 'east', 'node.labels.zone==east'],
  ])('%s %s %s → %s', (attribute, operator, value, swarm) => {
    expect(swarmConstraint(attribute, operator, value)).toEqual({ constraint: swarm });
  });

  test.each([
    ['true', { maxReplicasPerNode: 1 }],
    ['', { maxReplicasPerNode: 1 }],
    ['false', { nothing: true }],
    ['1', { maxReplicasPerNode: 1 }],
    ['F', { nothing: true }],
  ])('distinct_hosts %s', (value, mapped) => {
    expect(swarmConstraint('', 'distinct_hosts', value)).toEqual(mapped);
  });

  test.each([
    ['${attr.kernel.name}', 'set_contains_any', 'darwin,linux', 'Swarm compares with == and != only, not "set_contains_any"'],
    ['${attr.cpu.numcores}', '>=', '4', 'not ">="'],
    ['${node.datacenter}', '=', 'dc1', 'Swarm knows no node attribute like "${node.datacenter}"'],
    ['${attr.unique.cgroup.version}', '=', 'v2', 'no node attribute'],
    ['${attr.cpu.arch}', '=', 'riscv64', 'Swarm names no architecture "riscv64"'],
    ['${meta.zone}', '=', 'a,b', '"a,b" is no constraint value'],
    ['${meta.zone}', 'regexp', 'east.*', 'not "regexp"'],
  ])('%s %s %s has no Swarm equivalent', (attribute, operator, value, why) => {
    const mapped = swarmConstraint(attribute, operator, value);
    expect(mapped).toEqual({ noEquivalent: expect.stringContaining(why) });
  });

  test('a spread over a node label maps; over anything else, or with targets, it does not', () => {
    expect(swarmSpread('${meta.rack}', false)).toEqual({ spread: 'node.labels.rack' });
    expect(swarmSpread('${meta.rack}', true)).toEqual({ noEquivalent: expect.stringContaining('no target percentages') });
    expect(swarmSpread('${node.datacenter}', false)).toEqual({ noEquivalent: expect.stringContaining('node labels only') });
  });
});

describe('constraint and spread blocks in a job', () => {
  test('job, group and task levels all place the group; duplicates count once', () => {
    const group = renderJob(
      job(
        constraint('${attr.kernel.name}', null, 'linux'),
        [...constraint('${meta.zone}', '=', 'east'), ...constraint('${attr.kernel.name}', null, 'linux'), 'spread {', '  attribute = "${meta.rack}"', '}'],
        ['constraint {', '  distinct_hosts = true', '}'],
      ),
    ).groups[0]!;
    expect(group.placement).toEqual({ constraints: ['node.platform.os==linux', 'node.labels.zone==east'], spread: ['node.labels.rack'], maxReplicasPerNode: 1 });
  });

  test('several spreads go heaviest first', () => {
    const spreads = ['spread {', '  attribute = "${meta.zone}"', '  weight = 20', '}', 'spread {', '  attribute = "${meta.rack}"', '  weight = 80', '}'];
    expect(renderJob(job([], spreads)).groups[0]!.placement?.spread).toEqual(['node.labels.rack', 'node.labels.zone']);
  });

  test('a job without constraints, or with only ones Swarm cannot say, has no placement (its spec hash stays as before)', () => {
    expect(renderJob(job([])).groups[0]!.placement).toBeUndefined();
    expect(renderJob(job(constraint('${attr.kernel.name}', 'set_contains_any', 'darwin,linux'))).groups[0]!.placement).toBeUndefined();
  });

  test('validate --explain says of each block whether it is carried, at its line', () => {
    const result = render(job([...constraint('${attr.kernel.name}', null, 'linux'), ...constraint('${attr.cpu.numcores}', '>=', '4')], ['spread {', '  attribute = "${node.datacenter}"', '}']));
    expect(result.lines).toEqual([]);
    const uses = (result.settings ?? []).filter((s) => s.field === 'constraint' || s.field === 'spread').map((s) => `${s.line} ${s.field} ${s.use} ${s.reason}`);
    expect(uses).toEqual([
      `2 constraint no-effect ${placementCarried}`,
      `6 constraint no-effect ${placementWithoutSwarmEquivalent} (Swarm compares with == and != only, not ">=")`,
      `12 spread no-effect ${placementWithoutSwarmEquivalent} (Swarm spreads over node labels only (\${meta.<name>}), not "\${node.datacenter}")`,
    ]);
  });

  test('distinct_hosts with a value that is no bool is an error at it, as in Nomad', () => {
    expect(render(job([], constraint(null, 'distinct_hosts', 'yes'))).lines).toEqual(['job.nomad:5:15: constraint.value: distinct_hosts takes "true" or "false", got "yes"']);
  });

  test('an unknown key in a constraint and a constraint without attribute or value are errors at their lines', () => {
    const result = render(job([...constraint(null, null, 'linux'), 'constraint {', '  atribute = "${meta.zone}"', '  value = "x"', '}'], constraint('${meta.zone}', '=', null)));
    expect(result.lines).toEqual([
      'job.nomad:2:3: constraint.attribute: "attribute" is required here (name the node attribute: attribute = "${attr.kernel.name}")',
      'job.nomad:5:3: constraint.attribute: "attribute" is required here (name the node attribute: attribute = "${attr.kernel.name}")',
      'job.nomad:6:5: constraint.atribute: unknown attribute "atribute": Nomad has no such argument in a constraint block (did you mean "attribute"?)',
      'job.nomad:10:5: constraint.value: "value" is required here',
    ]);
  });
});
