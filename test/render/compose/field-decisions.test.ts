// The Compose decision tables: every field of the specification is decided, and
// every refused one is an error at its own line when a service sets it.
import { deployFields, limitsFields, reservationsFields, serviceFields, topLevelFields } from '../../../src/render/compose/field-decisions.js';
import type { FieldDecision } from '../../../src/render/compose/field-decisions.js';
import { deployKeys, limitsKeys, reservationsKeys, serviceKeys, topLevelKeys } from '../../../src/render/compose/keys.js';
import { renderInTree } from './helpers.js';

const refused = (table: Readonly<Record<string, FieldDecision>>) =>
  Object.entries(table).flatMap(([field, decision]) => (decision !== 'mapped' && 'refused' in decision ? [field] : []));

describe('Compose field decisions', () => {
  test.each([
    ['top level', topLevelFields, topLevelKeys],
    ['service', serviceFields, serviceKeys],
    ['deploy', deployFields, deployKeys],
    ['deploy.resources.limits', limitsFields, limitsKeys],
    ['deploy.resources.reservations', reservationsFields, reservationsKeys],
  ])('every %s field of the specification is decided, and only those', (_, table, keys) => {
    expect(Object.keys(table).sort()).toEqual([...keys].sort());
  });

  test.each(refused(serviceFields))('service field %s is refused at its key as unsupported, and no job is made', (field) => {
    const value = field === 'links' ? '["db:database"]' : 'true';
    const result = renderInTree(`services:\n  web:\n    image: nginx\n    ${field}: ${value}\n`);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', line: 4, col: 5, field: `services.web.${field}`, message: expect.stringMatching(new RegExp(`^${field} is not supported: `)) }));
  });

  test.each(refused(reservationsFields))('deploy.resources.reservations field %s is refused at its key', (field) => {
    const result = renderInTree(`services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        reservations:\n          ${field}: [a]\n`);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', line: 7, col: 11, field: `services.web.deploy.resources.reservations.${field}` }));
  });

  test.each(refused(topLevelFields))('top-level field %s is refused at its key', (field) => {
    const result = renderInTree(`${field}: [a]\nservices:\n  web:\n    image: nginx\n`);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', line: 1, col: 1, field }));
  });

  test('false for a refused switch asks for nothing: accepted', () => {
    const result = renderInTree('services:\n  web:\n    image: nginx\n    privileged: false\n    tty: false\n    stdin_open: "false"\n    oom_kill_disable: false\n    use_api_socket: false\n');
    expect(result.diagnostics).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });
});
