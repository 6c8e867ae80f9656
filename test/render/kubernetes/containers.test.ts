import { allLines, deployment, errors, firstTask, lines, render, renderObjects } from './helpers.js';

/** A Deployment whose only container is written out below `containers:` at 8 spaces, from line 8 on. */
const withContainer = (containerLines: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
${containerLines}`;

describe('a container as a task', () => {
  test('name and image; docker driver, no command, the image healthcheck used, empty meta', () => {
    const task = firstTask(renderObjects(deployment({ container: { name: 'api', image: 'registry.local/api:1.2' } })));
    expect(task).toEqual({
      name: 'api',
      driver: 'docker',
      image: 'registry.local/api:1.2',
      command: null,
      args: null,
      entrypoint: null,
      env: {},
      ports: [],
      resources: { cpu: null, cpuLimit: null, memoryMB: null },
      checks: [],
      imageHealthcheck: 'use',
      shutdownDelayMs: 0,
      killTimeoutMs: 30_000,
      meta: {},
    });
  });

  test('command is the entrypoint and args the args, both lists', () => {
    const task = firstTask(renderObjects(deployment({ container: { command: ['/bin/httpd', '-f'], args: ['-p', '8080'] } })));
    expect(task.entrypoint).toEqual(['/bin/httpd', '-f']);
    expect(task.args).toEqual(['-p', '8080']);
    expect(task.command).toBeNull();
  });

  test('args alone keep the image entrypoint; empty lists count as not set', () => {
    const task = firstTask(renderObjects(deployment({ container: { command: [], args: ['serve'] } })));
    expect(task.entrypoint).toBeNull();
    expect(task.args).toEqual(['serve']);
  });

  test('command as a string is an error with a hint', () => {
    const result = render(withContainer(`        - name: web
          image: demo
          command: "httpd -f -p 80"
`));
    expect(errors(result)).toEqual([
      'app.yaml:10:20: spec.template.spec.containers[0].command: expected a list of strings, got "httpd -f -p 80" (write each word as an item of a list, e.g. ["httpd","-f","-p","80"])',
    ]);
  });

  test('a number in args is an error at the item', () => {
    const result = render(withContainer(`        - name: web
          image: demo
          args: [--port, 8080]
`));
    expect(errors(result)).toEqual([
      'app.yaml:10:26: spec.template.spec.containers[0].args[1]: expected a string, got 8080 (quote it: Kubernetes reads this field as text)',
    ]);
  });

  test('a missing image is left to the shared validation, which reports it at the container', () => {
    const result = render(withContainer(`        - name: web
          ports: [{ containerPort: 80 }]
`));
    expect(result.diagnostics).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.image).toBe('');
    expect(allLines(result)).toEqual(['app.yaml:8:11: spec.template.spec.containers[0].image: task "web" has no image (set the image to run)']);
  });

  test('an image that is not a string is an error', () => {
    expect(errors(render(withContainer('        - { name: web, image: 3 }\n')))).toEqual([
      'app.yaml:8:31: spec.template.spec.containers[0].image: expected a string, got 3 (quote it: Kubernetes reads this field as text)',
    ]);
  });

  test('a container needs a name, a DNS label', () => {
    expect(errors(render(withContainer('        - image: demo\n')))).toEqual([
      'app.yaml:8:11: spec.template.spec.containers[0].name: a container needs a name',
    ]);
    expect(errors(render(withContainer('        - { name: Web_1, image: demo }\n')))).toEqual([
      'app.yaml:8:19: spec.template.spec.containers[0].name: expected a name of at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit, got "Web_1"',
    ]);
  });

  test('a container that is not a mapping is an error', () => {
    expect(errors(render(withContainer('        - web\n')))).toEqual([
      'app.yaml:8:11: spec.template.spec.containers[0]: expected a map, got "web"',
    ]);
  });

  test('startupProbe is refused: without it the liveness probe would start at once (workingDir is mapped: container-settings.test.ts)', () => {
    const result = render(withContainer(`        - name: web
          image: demo
          workingDir: /srv
          startupProbe:
            tcpSocket: { port: 80 }
`));
    expect(result.jobs).toHaveLength(0);
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:11:11: spec.template.spec.containers[0].startupProbe: startupProbe is not supported: startup probes are not run, so the liveness probe would start at once (give the livenessProbe an initialDelaySeconds covering the start, and remove startupProbe)',
    ]);
  });
});

describe('env', () => {
  test('name/value pairs; a missing value is empty', () => {
    const task = firstTask(renderObjects(deployment({ container: { env: [{ name: 'PORT', value: '8080' }, { name: 'EMPTY' }] } })));
    expect(task.env).toEqual({ PORT: '8080', EMPTY: '' });
  });

  test('a repeated name: the last wins', () => {
    const task = firstTask(renderObjects(deployment({ container: { env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] } })));
    expect(task.env).toEqual({ A: '2' });
  });

  test('$(VAR) refers to variables defined before, as in Kubernetes', () => {
    const env = [
      { name: 'HOST', value: 'db' },
      { name: 'URL', value: 'postgres://$(HOST):$(PORT)/app' },
      { name: 'PORT', value: '5432' },
      { name: 'LITERAL', value: '$$(HOST) costs $$5' },
    ];
    const task = firstTask(renderObjects(deployment({ container: { env, command: ['run', '--url=$(URL)'], args: ['--port=$(PORT)', '$(NOPE)'] } })));
    expect(task.env).toEqual({ HOST: 'db', URL: 'postgres://db:$(PORT)/app', PORT: '5432', LITERAL: '$(HOST) costs $5' });
    // command and args see the whole environment.
    expect(task.entrypoint).toEqual(['run', '--url=postgres://db:$(PORT)/app']);
    expect(task.args).toEqual(['--port=5432', '$(NOPE)']);
  });

  test('a number as value is an error with a hint to quote it', () => {
    const result = render(withContainer(`        - name: web
          image: demo
          env:
            - name: PORT
              value: 8080
`));
    expect(errors(result)).toEqual([
      'app.yaml:12:22: spec.template.spec.containers[0].env[0].value: expected a string, got 8080 (quote it: Kubernetes reads this field as text)',
    ]);
  });

  test('valueFrom and envFrom are references, resolved once the tree is rendered: the file alone has no error', () => {
    const result = render(withContainer(`        - name: web
          image: demo
          envFrom:
            - configMapRef: { name: web }
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef: { name: web, key: token }
`));
    expect(errors(result)).toEqual([]);
    expect(result.jobs[0]!.configRefs!.map((ref) => [ref.use, ref.kind, ref.name, ref.origin.pos.line])).toEqual([
      ['envFrom', 'ConfigMap', 'web', 11],
      ['env', 'Secret', 'web', 15],
    ]);
  });

  test('an entry without name is an error', () => {
    expect(errors(render(withContainer('        - name: web\n          image: demo\n          env: [{ value: x }]\n')))).toEqual([
      'app.yaml:10:17: spec.template.spec.containers[0].env[0].name: an environment variable needs a name',
    ]);
  });
});

describe('ports', () => {
  test('containerPort with name, hostPort and protocol', () => {
    const ports = [
      { name: 'http', containerPort: 8080 },
      { containerPort: 9090, hostPort: 19090, protocol: 'UDP' },
      { name: 'admin', containerPort: 9000, hostPort: 0 },
    ];
    expect(firstTask(renderObjects(deployment({ container: { ports } }))).ports).toEqual([
      { label: 'http', static: null, to: 8080 },
      { label: '9090', static: 19090, to: 9090 },
      { label: 'admin', static: null, to: 9000 },
    ]);
  });

  test.each([
    ['{ containerPort: 0 }', 'app.yaml:10:36: spec.template.spec.containers[0].ports[0].containerPort: expected a whole number from 1 to 65535, got 0'],
    ['{ containerPort: 70000 }', 'app.yaml:10:36: spec.template.spec.containers[0].ports[0].containerPort: expected a whole number from 1 to 65535, got 70000'],
    ['{ containerPort: "80" }', 'app.yaml:10:36: spec.template.spec.containers[0].ports[0].containerPort: expected a whole number from 1 to 65535, got "80" (remove the quotes: Kubernetes reads this field as a number)'],
    ['{ name: http }', 'app.yaml:10:19: spec.template.spec.containers[0].ports[0].containerPort: a port needs a containerPort'],
    ['{ containerPort: 80, name: HTTP_PORT }', 'app.yaml:10:46: spec.template.spec.containers[0].ports[0].name: expected a port name of at most 15 lowercase letters, digits and "-", with at least one letter, got "HTTP_PORT"'],
    ['{ containerPort: 80, name: "8080" }', 'app.yaml:10:46: spec.template.spec.containers[0].ports[0].name: expected a port name of at most 15 lowercase letters, digits and "-", with at least one letter, got "8080"'],
    ['{ containerPort: 80, hostPort: -1 }', 'app.yaml:10:50: spec.template.spec.containers[0].ports[0].hostPort: expected a whole number from 0 to 65535, got -1'],
    ['{ containerPort: 80, protocol: HTTP }', 'app.yaml:10:50: spec.template.spec.containers[0].ports[0].protocol: expected TCP, UDP or SCTP, got "HTTP"'],
  ])('%s', (port, expected) => {
    const result = render(withContainer(`        - name: web\n          image: demo\n          ports: [${port}]\n`));
    expect(result.jobs).toEqual([]);
    expect(errors(result)).toEqual([expected]);
  });

  test('two ports of one name are reported by the shared validation', () => {
    const result = renderObjects(deployment({ container: { ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] } }));
    expect(allLines(result)).toEqual([
      expect.stringMatching(/^app\.yaml:\d+:\d+: spec\.template\.spec\.containers\[0\]\.ports\[1\]: port "http" is defined more than once$/),
    ]);
  });
});

describe('resources.limits', () => {
  test.each([
    [{ cpu: '500m', memory: '128Mi' }, 0.5, 128],
    [{ cpu: 1, memory: '1Gi' }, 1, 1024],
    [{ cpu: '1.5', memory: '500M' }, 1.5, 477],
    [{ cpu: '100m', memory: '1e9' }, 0.1, 954],
    [{ cpu: 2, memory: 134217728 }, 2, 128],
    [{ cpu: '1.0001', memory: '1' }, 1.001, 1],
    [{ cpu: '0', memory: '0' }, null, null],
  ])('%j → cpuLimit %p, memoryMB %p', (limits, cpuLimit, memoryMB) => {
    expect(firstTask(renderObjects(deployment({ container: { resources: { limits } } }))).resources).toEqual({ cpu: null, cpuLimit, memoryMB });
  });

  test('requests are checked but not used', () => {
    const task = firstTask(renderObjects(deployment({ container: { resources: { requests: { cpu: '250m', memory: '64Mi' } } } })));
    expect(task.resources).toEqual({ cpu: null, cpuLimit: null, memoryMB: null });
  });

  test('a quantity Kubernetes would refuse is an error', () => {
    const result = render(withContainer(`        - name: web
          image: demo
          resources:
            limits: { cpu: -1, memory: 128MB }
            requests: { cpu: lots }
`));
    expect(errors(result)).toEqual([
      'app.yaml:11:28: spec.template.spec.containers[0].resources.limits.cpu: expected a quantity of at least 0, got -1',
      'app.yaml:11:40: spec.template.spec.containers[0].resources.limits.memory: expected a quantity such as "500m", "2", "128Mi" or "1G", got "128MB"',
      'app.yaml:12:30: spec.template.spec.containers[0].resources.requests.cpu: expected a quantity such as "500m", "2", "128Mi" or "1G", got "lots"',
    ]);
  });

  test('an unknown resource name is an error, as the API server makes it; extended resources are accepted', () => {
    const result = render(withContainer(`        - name: web
          image: demo
          resources:
            limits: { memroy: 1Gi, example.com/gpu: 1, hugepages-2Mi: 64Mi, ephemeral-storage: 1Gi }
`));
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:11:23: spec.template.spec.containers[0].resources.limits.memroy: unknown resource "memroy": expected cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource such as example.com/gpu (did you mean "memory"?)',
    ]);
  });
});
