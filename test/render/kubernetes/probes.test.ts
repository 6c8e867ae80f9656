import { checkDefaults } from '../../../src/render/defaults.js';
import { allLines, deployment, errors, firstTask, lines, onlyGroup, render, renderObjects } from './helpers.js';

const ports = [{ name: 'http', containerPort: 8080 }, { containerPort: 9000 }];
const checksOf = (container: Record<string, unknown>) => firstTask(renderObjects(deployment({ container: { ports, ...container } }))).checks;

/** A Deployment whose container's probe is written out from line 11 on, at 12 spaces. */
const withProbe = (probeLines: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: demo
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe:
${probeLines}`;

describe('probes as checks', () => {
  test('httpGet: path and named port; Kubernetes timing defaults', () => {
    expect(checksOf({ readinessProbe: { httpGet: { path: '/health', port: 'http' } } })).toEqual([
      { type: 'http', name: 'readiness', role: 'readiness', port: 'http', path: '/health', method: 'GET', intervalMs: 10_000, timeoutMs: 1_000, retries: 3, startPeriodMs: 0 },
    ]);
    const k = checkDefaults.kubernetes;
    const [check] = checksOf({ readinessProbe: { httpGet: { port: 'http' } } });
    expect(check).toMatchObject({ intervalMs: k.intervalMs, timeoutMs: k.timeoutMs, retries: k.retries, startPeriodMs: k.startPeriodMs });
  });

  test('grpc: the health service of the container\'s port, or of a port number it alone knows; service asked about', () => {
    expect(checksOf({ readinessProbe: { grpc: { port: 8080 } }, livenessProbe: { grpc: { port: 9555, service: 'liveness' }, periodSeconds: 5 } })).toEqual([
      { type: 'grpc', name: 'readiness', role: 'readiness', port: 'http', service: '', intervalMs: 10_000, timeoutMs: 1_000, retries: 3, startPeriodMs: 0 },
      { type: 'grpc', name: 'liveness', role: 'liveness', port: 9555, service: 'liveness', intervalMs: 5_000, timeoutMs: 1_000, retries: 3, startPeriodMs: 0 },
    ]);
  });

  test('httpGet: path defaults to /, scheme HTTP is what deckhand does anyway', () => {
    expect(checksOf({ readinessProbe: { httpGet: { port: 'http' } } })[0]).toMatchObject({ type: 'http', path: '/' });
    expect(checksOf({ readinessProbe: { httpGet: { port: 'http', scheme: 'HTTP' } } })[0]).toMatchObject({ type: 'http', path: '/' });
  });

  test('httpGet: scheme HTTPS is an error: deckhand probes over HTTP, so every rollout would fail', () => {
    const result = render(withProbe('            httpGet: { port: http, scheme: HTTPS }\n'));
    expect(result.jobs).toEqual([]);
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:12:44: spec.template.spec.containers[0].readinessProbe.httpGet.scheme: HTTPS probes are not supported; deckhand probes over HTTP',
    ]);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'error', code: 'unsupported' });
  });

  test('httpGet: a scheme Kubernetes does not know is an error', () => {
    expect(errors(render(withProbe('            httpGet: { port: http, scheme: https }\n')))).toEqual([
      'app.yaml:12:44: spec.template.spec.containers[0].readinessProbe.httpGet.scheme: expected "HTTP" or "HTTPS", got "https"',
    ]);
  });

  test('httpGet: httpHeaders are refused: a probe without them asks another question', () => {
    const result = render(withProbe('            httpGet:\n              port: http\n              httpHeaders: [{ name: X-Probe, value: "1" }]\n'));
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:14:15: spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders: httpHeaders is not supported: deckhand probes without headers, so the probe would ask another question (serve the health check without the headers, or remove them)',
    ]);
    expect(result.jobs).toHaveLength(0);
    expect(lines(render(withProbe('            httpGet: { port: http, httpHeaders: [] }\n')).diagnostics)).toEqual([]);
  });

  test('timing: periodSeconds, timeoutSeconds, failureThreshold, initialDelaySeconds', () => {
    const probe = { tcpSocket: { port: 'http' }, periodSeconds: 2, timeoutSeconds: 5, failureThreshold: 6, initialDelaySeconds: 15 };
    expect(checksOf({ livenessProbe: probe })).toEqual([
      { type: 'tcp', name: 'liveness', role: 'liveness', port: 'http', intervalMs: 2_000, timeoutMs: 5_000, retries: 6, startPeriodMs: 15_000 },
    ]);
  });

  test('a timing of 0 is the default, as Kubernetes defaults it', () => {
    const probe = { tcpSocket: { port: 'http' }, periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0 };
    expect(checksOf({ livenessProbe: probe })[0]).toMatchObject({ intervalMs: 10_000, timeoutMs: 1_000, retries: 3 });
  });

  test('tcpSocket with a port number', () => {
    expect(checksOf({ readinessProbe: { tcpSocket: { port: 5432 } } })[0]).toMatchObject({ type: 'tcp', port: 5432 });
  });

  test("a port number of one of the container's ports becomes that port's label", () => {
    const checks = checksOf({ readinessProbe: { httpGet: { port: 8080 } }, livenessProbe: { tcpSocket: { port: 9000 } } });
    expect(checks.map((c) => (c.type === 'exec' ? null : c.port))).toEqual(['http', '9000']);
  });

  test('exec: the command runs as Docker CMD', () => {
    expect(checksOf({ livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] } } })).toEqual([
      { type: 'exec', name: 'liveness', role: 'liveness', command: ['CMD', 'cat', '/tmp/healthy'], intervalMs: 10_000, timeoutMs: 1_000, retries: 3, startPeriodMs: 0 },
    ]);
  });

  test('readiness then liveness, each named', () => {
    const checks = checksOf({ livenessProbe: { tcpSocket: { port: 'http' } }, readinessProbe: { httpGet: { port: 'http' } } });
    expect(checks.map((c) => [c.name, c.type])).toEqual([['readiness', 'http'], ['liveness', 'tcp']]);
  });

  test('healthCheck is "checks" when any container has a readiness probe, else "task_states"', () => {
    const two = (second: Record<string, unknown>) => deployment({ pod: { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b', ports, ...second }] } });
    expect(onlyGroup(renderObjects(two({ readinessProbe: { httpGet: { port: 'http' } } }))).update.healthCheck).toBe('checks');
    expect(onlyGroup(renderObjects(two({ livenessProbe: { httpGet: { port: 'http' } } }))).update.healthCheck).toBe('task_states');
    expect(onlyGroup(renderObjects(two({}))).update.healthCheck).toBe('task_states');
  });
});

describe('wrong probes', () => {
  test.each([
    ['            grpc: { port: http }\n', 'app.yaml:12:27: spec.template.spec.containers[0].readinessProbe.grpc.port: expected a port number (grpc probes take no port names), got "http"'],
    ['            grpc: { service: web }\n', 'app.yaml:12:19: spec.template.spec.containers[0].readinessProbe.grpc.port: a grpc probe needs the port number its server listens on'],
    ['            grpc: { port: 8080, tls: true }\n', 'app.yaml:12:33: spec.template.spec.containers[0].readinessProbe.grpc.tls: unknown field "tls": Kubernetes has no such field here'],
    ['            periodSeconds: 5\n', 'app.yaml:12:13: spec.template.spec.containers[0].readinessProbe: expected one of httpGet, tcpSocket, grpc or exec, got none'],
    ['            httpGet: { port: http }\n            exec: { command: [true] }\n', 'app.yaml:13:13: spec.template.spec.containers[0].readinessProbe.exec: expected one of httpGet, tcpSocket, grpc or exec, got httpGet and exec'],
    ['            httpGet: { path: / }\n', "app.yaml:12:22: spec.template.spec.containers[0].readinessProbe.httpGet.port: a probe needs a port: a number or the name of one of the container's ports"],
    ['            tcpSocket: { port: "8080" }\n', 'app.yaml:12:32: spec.template.spec.containers[0].readinessProbe.tcpSocket.port: expected a port number or a port name, got "8080" (remove the quotes: a port name must contain a letter)'],
    ['            tcpSocket: { port: 0 }\n', 'app.yaml:12:32: spec.template.spec.containers[0].readinessProbe.tcpSocket.port: expected a whole number from 1 to 65535, got 0'],
    ['            tcpSocket: { port: Web_Port }\n', 'app.yaml:12:32: spec.template.spec.containers[0].readinessProbe.tcpSocket.port: expected a port number or a port name of at most 15 lowercase letters, digits and "-", with at least one letter, got "Web_Port"'],
    ['            exec: { command: [] }\n', 'app.yaml:12:30: spec.template.spec.containers[0].readinessProbe.exec.command: an exec probe needs a command: a list of the program and its arguments'],
    ['            exec: { command: "cat /tmp/ok" }\n', 'app.yaml:12:30: spec.template.spec.containers[0].readinessProbe.exec.command: expected a list of strings, got "cat /tmp/ok" (write each word as an item of a list, e.g. ["cat","/tmp/ok"])'],
    ['            httpGet: { port: http }\n            periodSeconds: -1\n', 'app.yaml:13:28: spec.template.spec.containers[0].readinessProbe.periodSeconds: expected a whole number of at least 0, got -1'],
    ['            httpGet: { port: http }\n            timeoutSeconds: 1.5\n', 'app.yaml:13:29: spec.template.spec.containers[0].readinessProbe.timeoutSeconds: expected a whole number of at least 0, got 1.5'],
    ['            httpGet: { port: http }\n            failureThreshold: "3"\n', 'app.yaml:13:31: spec.template.spec.containers[0].readinessProbe.failureThreshold: expected a whole number of at least 0, got "3" (remove the quotes: Kubernetes reads this field as a number)'],
    ['            httpGet: { port: http }\n            initialDelaySeconds: soon\n', 'app.yaml:13:34: spec.template.spec.containers[0].readinessProbe.initialDelaySeconds: expected a whole number of at least 0, got "soon"'],
    ['            httpGet: 8080\n', 'app.yaml:12:22: spec.template.spec.containers[0].readinessProbe.httpGet: expected a map, got 8080'],
  ])('%j', (probe, expected) => {
    const result = render(withProbe(probe));
    expect(result.jobs).toEqual([]);
    expect(errors(result)).toEqual([expected]);
  });

  test('successThreshold above 1 is an error for a liveness probe only', () => {
    const probe = { httpGet: { port: 'http' }, successThreshold: 2 };
    expect(checksOf({ readinessProbe: probe })).toHaveLength(1);
    const result = renderObjects(deployment({ container: { ports, livenessProbe: probe } }));
    expect(errors(result)).toEqual([
      expect.stringMatching(/livenessProbe\.successThreshold: expected 1 for a liveness probe, got 2$/),
    ]);
  });

  test('a named port the container does not have is reported by the shared validation at the probe port', () => {
    const result = render(withProbe('            httpGet: { path: /, port: web }\n'));
    expect(result.diagnostics).toEqual([]);
    expect(allLines(result)).toEqual([
      'app.yaml:12:39: spec.template.spec.containers[0].readinessProbe.httpGet.port: check uses port "web", which is not defined (ports defined: "http")',
    ]);
  });
});
