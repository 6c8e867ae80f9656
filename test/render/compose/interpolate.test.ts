import { interpolate } from '../../../src/render/compose/interpolate.js';
import { diagnosticsOf, firstGroup, firstTask, jobOf, render } from './helpers.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '' };
const lookup = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : undefined);
const expand = (text: string): string | undefined => interpolate(text, lookup).value;

describe('interpolate', () => {
  test.each([
    ['${SET}', 'value'],
    ['$SET', 'value'],
    ['a-$SET-b', 'a-value-b'],
    ['${SET}${SET}', 'valuevalue'],
    ['$SET.x', 'value.x'],
  ])('substitutes %s', (text, expected) => {
    expect(expand(text)).toBe(expected);
  });

  test.each([
    // [form, when set, when empty, when unset]
    ['${V:-d}', 'value', 'd', 'd'],
    ['${V-d}', 'value', '', 'd'],
    ['${V:+alt}', 'alt', '', ''],
    ['${V+alt}', 'alt', 'alt', ''],
  ])('%s gives %j set, %j empty, %j unset', (form, whenSet, whenEmpty, whenUnset) => {
    expect(expand(form.replace('V', 'SET'))).toBe(whenSet);
    expect(expand(form.replace('V', 'EMPTY'))).toBe(whenEmpty);
    expect(expand(form.replace('V', 'UNSET'))).toBe(whenUnset);
  });

  test('${V:?message} fails when the variable is unset or empty', () => {
    expect(expand('${SET:?needed}')).toBe('value');
    expect(interpolate('x ${UNSET:?set it}', lookup)).toEqual({
      value: undefined,
      problems: [{ severity: 'error', index: 2, message: 'required variable UNSET is not set: set it' }],
    });
    expect(interpolate('${EMPTY:?set it}', lookup).problems[0]?.message).toBe('required variable EMPTY is empty: set it');
  });

  test('${V?message} fails only when the variable is unset', () => {
    expect(expand('${EMPTY?needed}')).toBe('');
    expect(interpolate('${UNSET?}', lookup).problems[0]?.message).toBe('required variable UNSET is not set');
  });

  test('$$ is a literal $, and $ before anything but a name or { stays as written', () => {
    expect(expand('$$SET')).toBe('$SET');
    expect(expand('$${SET}')).toBe('${SET}');
    expect(expand('cost: $1, all $')).toBe('cost: $1, all $');
  });

  test('defaults may hold references of their own, expanded only when used', () => {
    expect(expand('${UNSET:-${SET}-x}')).toBe('value-x');
    expect(expand('${UNSET:-${ALSO_UNSET:-deep}}')).toBe('deep');
    expect(expand('${SET:-${UNSET:?never checked}}')).toBe('value');
  });

  test('an unset variable is an empty string with a warning naming it', () => {
    expect(interpolate('a${UNSET}b', lookup)).toEqual({
      value: 'ab',
      problems: [{ severity: 'warning', index: 1, variable: 'UNSET', message: 'variable UNSET is not set; using an empty string' }],
    });
  });

  test('an unterminated ${ is an error at the $', () => {
    expect(interpolate('img:${TAG', lookup).problems).toEqual([
      { severity: 'error', index: 4, message: 'unterminated "${" in "img:${TAG": expected a "}" to close it' },
    ]);
  });

  test.each(['${1}', '${}', '${SET!x}', '${-x}'])('%s is not a valid reference', (text) => {
    const result = interpolate(text, lookup);
    expect(result.value).toBeUndefined();
    expect(result.problems[0]?.message).toMatch(/^invalid variable reference ".*": expected \$\{NAME\}/);
  });

  test('nesting is bounded', () => {
    const deep = '${A:-'.repeat(100) + 'x' + '}'.repeat(100);
    expect(() => interpolate(deep, lookup)).not.toThrow();
    expect(interpolate(deep, lookup).problems[0]?.message).toMatch(/nested more than 32 deep/);
  });
});

describe('interpolation in a compose file', () => {
  test('values are interpolated before they are typed', () => {
    const group = firstGroup('services:\n  web:\n    image: nginx:${TAG:-1.25}\n    deploy:\n      replicas: ${N:-2}\n', { env: {} });
    expect(group.count).toBe(2);
    expect(group.tasks[0]!.image).toBe('nginx:1.25');
  });

  test('the environment is used', () => {
    expect(firstTask('services:\n  web:\n    image: nginx:$TAG\n', { env: { TAG: '1.27' } }).image).toBe('nginx:1.27');
  });

  test('the .env beside the compose file is the fallback, and the environment wins over it', () => {
    const files = { 'app/.env': 'TAG=from-dotenv\nREPLICAS=3\n' };
    const text = 'services:\n  web:\n    image: nginx:${TAG}\n    deploy: { replicas: "${REPLICAS}" }\n';
    expect(firstGroup(text, { files }).tasks[0]!.image).toBe('nginx:from-dotenv');
    expect(firstGroup(text, { files }).count).toBe(3);
    expect(firstGroup(text, { files, env: { TAG: 'from-env' } }).tasks[0]!.image).toBe('nginx:from-env');
  });

  test('a compose file at the root reads .env at the root', () => {
    const task = firstTask('services:\n  web:\n    image: nginx:${TAG}\n', { path: 'docker-compose.yml', files: { '.env': 'TAG=root' } });
    expect(task.image).toBe('nginx:root');
  });

  test('the .env may refer to the environment and to its own earlier keys', () => {
    const files = { 'app/.env': 'BASE=nginx\nIMAGE=${BASE}:${VERSION}\n' };
    expect(firstTask('services:\n  web:\n    image: $IMAGE\n', { files, env: { VERSION: '2' } }).image).toBe('nginx:2');
  });

  test('the top-level name is interpolated', () => {
    expect(jobOf('name: ${PROJECT}\nservices:\n  web:\n    image: nginx\n', { env: { PROJECT: 'shop' } }).id).toBe('shop');
  });

  test('an unterminated ${ is an error at its line and column', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: nginx:${TAG\n')).toEqual([
      'app/docker-compose.yml:3:18: services.web.image: unterminated "${" in "nginx:${TAG": expected a "}" to close it',
    ]);
  });

  test('the column counts the opening quote of a quoted value', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: "nginx:${TAG"\n')[0]).toMatch(/^app\/docker-compose.yml:3:19: /);
  });

  test('a required variable that is missing is an error with its message, and the field is left at its default', () => {
    const result = render('services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${REPLICAS:?set REPLICAS}\n');
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'interpolation',
        line: 5,
        col: 17,
        field: 'services.web.deploy.replicas',
        message: 'required variable REPLICAS is not set: set REPLICAS',
      }),
    ]);
    expect(result.jobs[0]!.job.groups[0]!.count).toBe(1);
  });

  test('an unset variable is warned about once per file', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: nginx:$TAG\n    labels: [v=$TAG]\n')).toEqual([
      'app/docker-compose.yml:3:18: warning: services.web.image: variable TAG is not set; using an empty string',
    ]);
  });

  test('$$ keeps a literal $ for the container', () => {
    expect(firstTask('services:\n  web:\n    image: nginx\n    command: echo $$HOME\n').args).toEqual(['$HOME']);
  });

  test('x- extension fields are not interpolated', () => {
    expect(diagnosticsOf('x-notes: ${NOT_CHECKED:?never}\nservices:\n  web:\n    image: nginx\n    x-more: $ALSO_NOT\n')).toEqual([]);
  });

  test('keys are not interpolated', () => {
    expect(firstTask('services:\n  web:\n    image: nginx\n    environment:\n      $KEY: v\n', { env: { KEY: 'x' } }).env).toEqual({ $KEY: 'v' });
  });

  test('a value whose interpolation failed is reported once, not again when it is typed', () => {
    expect(diagnosticsOf('services: ${SERVICES:?}\n')).toEqual(['app/docker-compose.yml:1:11: services: required variable SERVICES is not set']);
    expect(diagnosticsOf('services:\n  web: ${WEB:?}\n')).toEqual(['app/docker-compose.yml:2:8: services.web: required variable WEB is not set']);
    expect(diagnosticsOf('services:\n  web:\n    image: nginx\n    ports: ["${P:?}", {target: "${T:?}"}]\n    environment: ["A=${A:?}"]\n')).toEqual([
      'app/docker-compose.yml:4:14: services.web.ports[0]: required variable P is not set',
      'app/docker-compose.yml:4:33: services.web.ports[1].target: required variable T is not set',
      'app/docker-compose.yml:5:22: services.web.environment[0]: required variable A is not set',
    ]);
  });
});
