import { formatDiagnostic } from '../../../src/model/index.js';
import { splitShellWords } from '../../../src/render/compose/shell-words.js';
import { swarmUpdateDefaults } from '../../../src/render/defaults.js';
import { diagnosticsOf, firstGroup, firstTask, jobOf, render, renderInTree, renderJob, service } from './helpers.js';

describe('a service as a group of one task', () => {
  test('the group and its task are named after the service, with the image', () => {
    const group = firstGroup('services:\n  web:\n    image: nginx:1.25\n');
    expect(group).toEqual({
      name: 'web',
      count: 1,
      update: swarmUpdateDefaults,
      rollback: swarmUpdateDefaults,
      restart: expect.any(Object),
      network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
      meta: {},
      tasks: [
        {
          name: 'web',
          driver: 'docker',
          image: 'nginx:1.25',
          command: null,
          args: null,
          entrypoint: null,
          env: {},
          ports: [],
          resources: { cpu: null, cpuLimit: null, memoryMB: null },
          checks: [],
          imageHealthcheck: 'use',
          shutdownDelayMs: 0,
          killTimeoutMs: null,
          meta: {},
        },
      ],
    });
  });

  test('services keep their file order', () => {
    const job = jobOf('services:\n  zeta:\n    image: a\n  alpha:\n    image: b\n  mid:\n    image: c\n');
    expect(job.groups.map((g) => g.name)).toEqual(['zeta', 'alpha', 'mid']);
  });

  test('a service without image or build renders with an empty image, left to shared validation', () => {
    const mapped = renderJob('services:\n  web:\n    command: ["true"]\n');
    expect(mapped.job.groups[0]!.tasks[0]!.image).toBe('');
    expect(mapped.fields.get('groups.0.tasks.0')).toEqual({ field: 'services.web', pos: { line: 2, col: 3 } });
  });

  test('a build-only service is an error at build: deckhand runs images and never builds them', () => {
    expect(diagnosticsOf('services:\n  web:\n    build: .\n')).toEqual([
      'app/docker-compose.yml:3:5: services.web.build: service "web" has only build: deckhand runs images and never builds them (build the image in CI, push it to a registry, and set image: to its tag (build: may stay beside it))',
    ]);
    expect(diagnosticsOf('services:\n  web:\n    build: .\n    image: registry.example/web:1.2\n')).toEqual([]);
  });

  test('an image that is not a string is an error at the value', () => {
    expect(diagnosticsOf('services:\n  web:\n    image: [nginx]\n')).toEqual([
      'app/docker-compose.yml:3:12: services.web.image: expected a string, got a list',
    ]);
  });

  test('a service that is not a map is an error at the service', () => {
    expect(diagnosticsOf('services:\n  web: nginx\n')).toEqual(['app/docker-compose.yml:2:8: services.web: expected a map, got "nginx"']);
  });
});

describe('command and entrypoint', () => {
  test('a string command is split as a shell would: first word is the command', () => {
    const task = firstTask(service(`command: sh -c 'echo "hello world"' --flag="a b"`));
    expect(task.command).toBe('sh');
    expect(task.args).toEqual(['-c', 'echo "hello world"', '--flag=a b']);
  });

  test('a list command is taken as is', () => {
    const task = firstTask(service('command: ["httpd", "-f", "-p", "8000"]'));
    expect([task.command, task.args]).toEqual(['httpd', ['-f', '-p', '8000']]);
  });

  test('an empty command clears the image CMD', () => {
    expect(firstTask(service('command: []'))).toMatchObject({ command: null, args: [] });
    expect(firstTask(service('command: ""'))).toMatchObject({ command: null, args: [] });
  });

  test('entrypoint as a string or a list', () => {
    expect(firstTask(service('entrypoint: /bin/sh -c')).entrypoint).toEqual(['/bin/sh', '-c']);
    expect(firstTask(service('entrypoint: ["/docker-entrypoint.sh"]')).entrypoint).toEqual(['/docker-entrypoint.sh']);
  });

  test('absent command and entrypoint are null', () => {
    expect(firstTask(service())).toMatchObject({ command: null, args: null, entrypoint: null });
  });

  test('a shell operator in a string command is an error at the operator', () => {
    expect(diagnosticsOf(service('command: echo a && echo b'))).toEqual([
      'app/docker-compose.yml:4:21: services.web.command: shell operator "&&" in a command string, which is split into words and not run by a shell: use a list such as ["sh", "-c", "..."]',
    ]);
  });

  test('an unterminated quote is an error at the quote', () => {
    expect(diagnosticsOf(service(`command: echo "oops`))).toEqual([
      'app/docker-compose.yml:4:19: services.web.command: unterminated double quote: expected a closing "',
    ]);
  });

  test('a list item that is not a string is an error at the item', () => {
    expect(diagnosticsOf(service('entrypoint: ["sleep", 10]'))).toEqual([
      'app/docker-compose.yml:4:27: services.web.entrypoint[1]: expected a string, got 10',
    ]);
  });

  test('a map is not a command', () => {
    expect(diagnosticsOf(service('command: {a: 1}'))).toEqual([
      'app/docker-compose.yml:4:14: services.web.command: expected a string or a list of strings, got a map',
    ]);
  });
});

describe('splitShellWords', () => {
  test.each([
    ['a b\tc\nd', ['a', 'b', 'c', 'd']],
    ['  spaced   out  ', ['spaced', 'out']],
    [`'single $x \\n'`, ['single $x \\n']],
    [`"double \\" quote"`, ['double " quote']],
    [`a\\ b`, ['a b']],
    [`x"y"'z'`, ['xyz']],
    [`"" ''`, ['', '']],
    ['', []],
    [`"a;b" 'c|d' e\\&f`, ['a;b', 'c|d', 'e&f']],
  ])('%j', (text, words) => {
    expect(splitShellWords(text)).toEqual({ words });
  });

  test.each([
    [`'open`, 0, /unterminated single quote/],
    [`a "open`, 2, /unterminated double quote/],
    ['trailing\\', 8, /lone backslash/],
    ['a > b', 2, /shell operator ">"/],
    ['a; b', 1, /shell operator ";"/],
  ])('%j is an error', (text, index, message) => {
    const result = splitShellWords(text);
    expect(result).toMatchObject({ index });
    expect('error' in result && result.error).toMatch(message);
  });
});

describe('the job', () => {
  test('id from the top-level name; source, meta and history limit', () => {
    const job = jobOf('name: shop\nservices:\n  web:\n    image: nginx\n');
    expect(job).toMatchObject({ id: 'shop', type: 'service', source: { format: 'compose', file: 'app/docker-compose.yml' }, meta: {}, historyLimit: null });
  });

  test('id from the folder holding the file', () => {
    expect(jobOf(service(), { path: 'stacks/Vote.App/compose.yaml' }).id).toBe('voteapp');
  });

  test('id from the tree root name for a file at the root', () => {
    expect(jobOf(service(), { path: 'docker-compose.yml', rootName: 'My_Repo' }).id).toBe('my_repo');
  });

  test('ids are normalized as Compose normalizes project names', () => {
    expect(jobOf(service(), { path: '-_Web Shop!/docker-compose.yml' }).id).toBe('webshop');
  });

  test('a top-level name Compose would not accept is normalized with a warning', () => {
    const result = render('name: My Shop\nservices:\n  web:\n    image: nginx\n');
    expect(result.jobs[0]!.job.id).toBe('myshop');
    expect(result.diagnostics.map((d) => [d.severity, d.line, d.col, d.field])).toEqual([['warning', 1, 7, 'name']]);
  });

  test('a name with nothing left after normalizing is an error, and no job', () => {
    const result = render('name: "---"\nservices:\n  web:\n    image: nginx\n');
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.field}: ${d.message}`)).toEqual([
      '1:7 name: expected a project name of lowercase letters, digits, "_" or "-", got "---"',
    ]);
  });

  test('a folder name with nothing left after normalizing is an error at 1:1 with a hint', () => {
    const result = render(service(), { path: '日本/docker-compose.yml' });
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics[0]).toMatchObject({ line: 1, col: 1, hint: 'add a top-level "name:"' });
  });

  test('the id is located at name, or at services when it comes from the folder', () => {
    expect(renderJob('name: shop\nservices:\n  web:\n    image: nginx\n').fields.get('id')).toEqual({ field: 'name', pos: { line: 1, col: 7 } });
    expect(renderJob('# c\nservices:\n  web:\n    image: nginx\n').fields.get('id')).toEqual({ field: 'services', pos: { line: 2, col: 1 } });
  });
});

describe('file structure errors', () => {
  test('no services map is an error at 1:1', () => {
    expect(diagnosticsOf('# nothing here\nname: x\n')).toEqual(['app/docker-compose.yml:1:1: expected a "services:" map at the top level, got none']);
  });

  test('an empty file, or a file that is not a map, is an error at 1:1', () => {
    expect(diagnosticsOf('')).toEqual(['app/docker-compose.yml:1:1: expected a map with "services:" at the top of a compose file, got an empty file']);
    expect(diagnosticsOf('- a\n- b\n')).toEqual(['app/docker-compose.yml:1:1: expected a map with "services:" at the top of a compose file, got a list']);
  });

  test('services that are not a map, or no services at all', () => {
    expect(diagnosticsOf('services: [web]\n')).toEqual(['app/docker-compose.yml:1:11: services: expected a map of services, got a list']);
    expect(diagnosticsOf('services: {}\n')).toEqual(['app/docker-compose.yml:1:11: services: expected at least one service, got none']);
  });

  test('a YAML syntax error is reported with its position and no job', () => {
    const result = render('services:\n  web:\n    image: "nginx\n');
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'syntax', file: 'app/docker-compose.yml', line: 4 });
  });

  test('duplicate keys are a syntax error', () => {
    expect(render('services:\n  web:\n    image: a\n    image: b\n').diagnostics[0]).toMatchObject({ code: 'syntax', line: 4, col: 5 });
  });

  test('documents after the first are ignored with a warning', () => {
    const result = render(service() + '---\nservices:\n  other:\n    image: x\n');
    expect(result.jobs[0]!.job.groups.map((g) => g.name)).toEqual(['web']);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'extra-document', line: 5, col: 1 })]);
  });
});

describe('known, unknown and extension keys', () => {
  test('an unknown service key is an error at the key with a did-you-mean: a misspelt field must not run as if absent', () => {
    const result = renderInTree(service('enviroment: {A: 1}'));
    expect(result.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'unknown-field',
        file: 'app/docker-compose.yml',
        line: 4,
        col: 5,
        field: 'services.web.enviroment',
        message: 'unknown field "enviroment": Compose has no such field here',
        hint: 'did you mean "environment"?',
      },
    ]);
    expect(result.jobs).toEqual([]);
  });

  test('an unknown top-level key is an error listing the known ones', () => {
    expect(diagnosticsOf('servics: {}\nservices:\n  web:\n    image: a\n')).toEqual([
      'app/docker-compose.yml:1:1: servics: unknown field "servics": Compose has no such field here; expected one of version, name, include, services, networks, volumes, configs, secrets, models (did you mean "services"?)',
    ]);
  });

  test('unknown keys deeper down are errors too', () => {
    const lines = diagnosticsOf(service('deploy:', '  replica: 2', '  resources:', '    limit: {cpus: 1}', 'healthcheck:', '  test: ["NONE"]', '  intervall: 5s'));
    expect(lines).toEqual([
      'app/docker-compose.yml:5:7: services.web.deploy.replica: unknown field "replica": Compose has no such field here; expected one of endpoint_mode, labels, mode, placement, replicas, resources, restart_policy, rollback_config, update_config (did you mean "replicas"?)',
      'app/docker-compose.yml:7:9: services.web.deploy.resources.limit: unknown field "limit": Compose has no such field here; expected one of limits, reservations (did you mean "limits"?)',
      'app/docker-compose.yml:10:7: services.web.healthcheck.intervall: unknown field "intervall": Compose has no such field here; expected one of test, interval, timeout, retries, start_period, start_interval, disable (did you mean "interval"?)',
    ]);
  });

  test('Compose keys that change nothing on one engine are accepted silently; the obsolete version with a warning, as Compose gives', () => {
    const text = [
      'version: "3.8"',
      'services:',
      '  web:',
      '    image: nginx',
      '    build: {context: .}',
      '    expose: ["8000"]',
      '    links: [db]',
      '    privileged: false',
      '    deploy: {placement: {constraints: [node.role==manager]}, endpoint_mode: vip, resources: {reservations: {cpus: "0.5", memory: 64m}}}',
      '    develop: {watch: [{action: rebuild, path: .}]}',
      '  db:',
      '    image: postgres',
      '',
    ].join('\n');
    expect(diagnosticsOf(text)).toEqual(['app/docker-compose.yml:1:1: warning: version: version is deprecated: the attribute is obsolete and ignored, as Compose says of it']);
  });

  test('x- keys are ignored at the top level and inside services', () => {
    expect(diagnosticsOf('x-common: {foo: 1}\nservices:\n  web:\n    image: nginx\n    x-owner: team\n    deploy:\n      x-note: n\n')).toEqual([]);
  });

  test('fields that would change what runs are refused at their key, with the reason and a hint; no job', () => {
    const text = [
      'include: [other.yml]',
      'services:',
      '  web:',
      '    image: nginx',
      '    extends: {service: base}',
      '    privileged: true',
      '    container_name: web',
      '    pid: host',
      '    links: ["db:database"]',
      '    deploy: {resources: {limits: {pids: 10}, reservations: {devices: [{capabilities: [gpu]}]}}}',
      '',
    ].join('\n');
    const result = renderInTree(text);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics.every((d) => d.severity === 'error' && d.code === 'unsupported')).toBe(true);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'app/docker-compose.yml:1:1: include: include is not supported: deckhand does not follow "include": the services of the included files would not be deployed (put the services in this file, or give each file its own folder)',
      'app/docker-compose.yml:5:5: services.web.extends: extends is not supported: deckhand does not follow "extends": the fields of the extended service would be missing (copy the fields, or share them with a YAML anchor and "<<: *anchor")',
      'app/docker-compose.yml:6:5: services.web.privileged: privileged is not supported: deckhand does not run privileged containers (remove privileged; grant single capabilities with cap_add)',
      'app/docker-compose.yml:7:5: services.web.container_name: container_name is not supported: deckhand names each container itself (several per service while it rolls out) (remove it; other services reach this one by its service name or a network alias)',
      'app/docker-compose.yml:8:5: services.web.pid: pid is not supported: deckhand gives each container its own PID namespace (remove pid)',
      'app/docker-compose.yml:9:5: services.web.links: links is not supported: link aliases are not made: services reach each other by service name on the job\'s networks (remove the alias (":NAME"), or give the service a network alias)',
      'app/docker-compose.yml:10:35: services.web.deploy.resources.limits.pids: pids is not supported: process limits are not applied',
      'app/docker-compose.yml:10:61: services.web.deploy.resources.reservations.devices: devices is not supported: devices (GPUs) are not given to deckhand\'s containers',
    ]);
  });
});

describe('anchors and merge keys', () => {
  const text = [
    'x-defaults: &defaults',
    '  image: deckhand-demo:v1',
    '  environment:',
    '    PORT: 8000',
    '  deploy: &deploy',
    '    replicas: 2',
    '    update_config: {parallelism: 2}',
    'services:',
    '  web:',
    '    <<: *defaults',
    '  api:',
    '    <<: *defaults',
    '    image: deckhand-demo:v2',
    '    deploy:',
    '      <<: *deploy',
    '      replicas: 3',
    '',
  ].join('\n');

  test('merged fields apply, and the service own fields win', () => {
    const job = jobOf(text);
    expect(job.groups.map((g) => [g.name, g.count, g.update.maxParallel, g.tasks[0]!.image, g.tasks[0]!.env])).toEqual([
      ['web', 2, 2, 'deckhand-demo:v1', { PORT: '8000' }],
      ['api', 3, 2, 'deckhand-demo:v2', { PORT: '8000' }],
    ]);
  });

  test('a wrong value in a merged anchor is reported inside the service that uses it', () => {
    const result = render('x-d: &d\n  deploy: {replicas: lots}\nservices:\n  web:\n    image: a\n    <<: *d\n');
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', field: 'services.web.deploy.replicas' })]);
    // The position is inside the file, at the value or at the service that merges it.
    expect(result.diagnostics[0]!.line).toBeGreaterThanOrEqual(2);
  });

  test('an alias bomb is a diagnostic, not an exception or a hang', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'services:',
      '  web:',
      '    image: nginx',
      '    command: *f',
      '',
    ].join('\n');
    const result = render(bomb);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/alias/) })]);
  });
});

describe('hostile input', () => {
  test.each([
    ['flow sequences', 'services:\n  web:\n    image: nginx\n    labels: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n'],
    ['flow maps', 'services:\n  web:\n    image: nginx\n    x: ' + '{a: '.repeat(10_000) + '1' + '}'.repeat(10_000) + '\n'],
    ['block maps', 'services:\n' + Array.from({ length: 10_000 }, (_, i) => ' '.repeat(i + 2) + `k${i}:`).join('\n') + ' 1\n'],
  ])('10,000-deep %s give a diagnostic and no exception', (_kind, text) => {
    const result = render(text);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', file: 'app/docker-compose.yml' });
  });

  test('deep nesting that YAML still reads is not walked without bound', () => {
    const text = 'services:\n  web:\n    image: nginx\n    x-deep: ' + '['.repeat(400) + '"$X"' + ']'.repeat(400) + '\n    labels: ' + '['.repeat(400) + ']'.repeat(400) + '\n';
    expect(() => render(text)).not.toThrow();
  });

  test('a __proto__ key stays an ordinary key', () => {
    const task = firstTask(service('environment:', '  __proto__: polluted', '  A: 1'));
    expect(Object.keys(task.env)).toEqual(['__proto__', 'A']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
