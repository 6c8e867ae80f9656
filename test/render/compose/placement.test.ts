import { placementCarried } from '../../../src/render/placement.js';
import { firstGroup, render, service } from './helpers.js';

/** A service with `deploy.placement` holding the given lines, from line 6 on, indented by 8. */
const placement = (...lines: string[]) => service('deploy:', '  placement:', ...lines.map((l) => `    ${l}`));

describe('deploy.placement', () => {
  test('constraints, spread preferences and max_replicas_per_node are carried in Swarm\'s terms', () => {
    const group = firstGroup(
      placement(
        'constraints:',
        '  - node.labels.zone == east',
        '  - node.role!=manager',
        '  - node.platform.arch==x86_64',
        'preferences:',
        '  - spread: node.labels.rack',
        'max_replicas_per_node: 2',
      ),
    );
    expect(group.placement).toEqual({
      constraints: ['node.labels.zone==east', 'node.role!=manager', 'node.platform.arch==x86_64'],
      spread: ['node.labels.rack'],
      maxReplicasPerNode: 2,
    });
  });

  test('a service without placement has none (its spec hash stays as before)', () => {
    expect(firstGroup(service()).placement).toBeUndefined();
    expect(firstGroup(placement('constraints: []')).placement).toBeUndefined();
  });

  test('validate --explain lists each placement key as carried, without effect on one engine', () => {
    const result = render(placement('constraints: [node.role==manager]', 'max_replicas_per_node: 1'));
    const uses = (result.settings ?? []).filter((s) => s.field.includes('placement')).map((s) => `${s.line}:${s.col} ${s.field} ${s.use} ${s.reason}`);
    expect(uses).toEqual([
      `5:7 services.web.deploy.placement no-effect ${placementCarried}`,
      `6:9 services.web.deploy.placement.constraints no-effect ${placementCarried}`,
      `7:9 services.web.deploy.placement.max_replicas_per_node no-effect ${placementCarried}`,
    ]);
  });

  test.each([
    ['node.labels.zone', 'expected "key==value" or "key!=value", got "node.labels.zone"'],
    ['node.labels.zone=east', 'expected "key==value" or "key!=value", got "node.labels.zone=east"'],
    ['node.zone==east', 'Swarm has no node attribute "node.zone"'],
    ['node.labels.zone==', 'Swarm refuses empty values'],
    ['node.labels.zone==a,b', '"a,b" is no constraint value'],
    ['node.role==leader', 'node.role is "manager" or "worker", got "leader"'],
    ['"node labels==x"', '"node labels" is no constraint key'],
  ])('constraint %s is an error at its line', (constraint, message) => {
    const result = render(placement('constraints:', '  - node.role==worker', `  - ${constraint}`));
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 8, col: 13, field: 'services.web.deploy.placement.constraints[1]' });
    expect(errors[0]!.message).toContain(message);
  });

  test.each([
    ['spread: node.hostname', 7, 'services.web.deploy.placement.preferences[0].spread', 'Swarm spreads over node.labels.<name> or engine.labels.<name>, got "node.hostname"'],
    ['spreed: node.labels.zone', 7, 'services.web.deploy.placement.preferences[0].spreed', 'unknown field "spreed"'],
    ['{}', 7, 'services.web.deploy.placement.preferences[0]', 'a preference needs spread: node.labels.<name>'],
  ])('preference %s is an error at its line', (line, at, field, message) => {
    const result = render(placement('preferences:', `  - ${line}`));
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.field)).toContain(field);
    const error = errors.find((d) => d.field === field)!;
    expect(error.line).toBe(at);
    expect(error.message).toContain(message);
  });

  test('max_replicas_per_node below 1, an unknown key and a constraint that is no list are errors at their lines', () => {
    const result = render(placement('max_replicas_per_node: 0', 'constraint: [node.role==manager]', 'constraints: node.role==manager'));
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line} ${d.field}: ${d.message}`)).toEqual([
      '6 services.web.deploy.placement.max_replicas_per_node: expected a whole number of at least 1, got 0',
      '7 services.web.deploy.placement.constraint: unknown field "constraint": Compose has no such field here; expected one of constraints, preferences, max_replicas_per_node',
      '8 services.web.deploy.placement.constraints: expected a list, got "node.role==manager"',
    ]);
  });
});
