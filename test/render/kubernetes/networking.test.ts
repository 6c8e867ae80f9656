import { stringify } from 'yaml';
import { formatDiagnostic } from '../../../src/model/diagnostic.js';
import { RenderCache } from '../../../src/render/cache.js';
import { renderPath, renderTree } from '../../../src/render/tree.js';
import { treeOf } from '../../helpers/render.js';
import { deployment, firstTask, lines, onlyGroup, onlyJob, renderObjects } from './helpers.js';

const yaml = (...documents: unknown[]) => documents.map((d) => stringify(d)).join('---\n');

/** A Service selecting `app: web` with the given spec parts. */
function service(spec: Record<string, unknown> = {}, name = 'web-svc', metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, ...metadata }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }], ...spec } };
}

const web = (patch: Parameters<typeof deployment>[0] = {}) => deployment({ container: { ports: [{ name: 'http', containerPort: 8080 }], ...patch.container }, ...(patch.pod ? { pod: patch.pod } : {}), ...(patch.metadata ? { metadata: patch.metadata } : {}) });

describe('pod networking', () => {
  test('by default the namespace network, shared by its Deployments; containerPort mapped from hostPort or a dynamic port', () => {
    const result = renderObjects(deployment({ metadata: { namespace: 'shop' }, container: { ports: [{ containerPort: 80, hostPort: 8080 }, { name: 'admin', containerPort: 9000 }] } }));
    const job = onlyJob(result);
    expect(job.networks).toEqual([{ name: 'default', dockerName: 'deckhand-k8s-shop', external: false }]);
    expect(job.groups[0]!.network).toEqual({ mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] });
    expect(job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: '80', static: 8080, to: 80 },
      { label: 'admin', static: null, to: 9000 },
    ]);
  });

  test('hostNetwork: the host network, containerPorts are host ports', () => {
    const result = renderObjects(deployment({ pod: { hostNetwork: true }, container: { ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 81 }] } }));
    const job = onlyJob(result);
    expect(job.networks).toEqual([]);
    expect(job.groups[0]!.network).toEqual({ mode: 'host', attachments: [] });
    expect(job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: '80', static: 80, to: null },
      { label: '81', static: 81, to: null },
    ]);
    expect(result.jobs[0]!.fields.get('groups.0.network.mode')?.field).toBe('spec.template.spec.hostNetwork');
  });

  test('hostNetwork with a hostPort other than the containerPort is an error, as in Kubernetes', () => {
    expect(lines(renderObjects(deployment({ pod: { hostNetwork: true }, container: { ports: [{ containerPort: 80, hostPort: 8080 }] } })).diagnostics)).toEqual([
      'app.yaml:20:25: spec.template.spec.containers[0].ports[0].hostPort: expected 80, the containerPort: with hostNetwork the two are one port, got 8080',
    ]);
  });

  test('a namespace that is not a DNS label is an error', () => {
    expect(lines(renderObjects(deployment({ metadata: { namespace: 'Shop_1' } })).diagnostics)).toEqual([
      'app.yaml:5:14: metadata.namespace: expected a namespace of at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit, got "Shop_1"',
    ]);
  });
});

describe('stopping', () => {
  test('terminationGracePeriodSeconds is every container\'s kill timeout; 30s when absent, as in Kubernetes', () => {
    const two = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }], terminationGracePeriodSeconds: 45 };
    expect(onlyGroup(renderObjects(deployment({ pod: two }))).tasks.map((t) => t.killTimeoutMs)).toEqual([45_000, 45_000]);
    expect(firstTask(renderObjects(deployment())).killTimeoutMs).toBe(30_000);
  });

  test.each([
    [{ sleep: { seconds: 5 } }],
    [{ exec: { command: ['sleep', '5'] } }],
    [{ exec: { command: ['/bin/sleep', '5'] } }],
    [{ exec: { command: ['sh', '-c', 'sleep 5'] } }],
    [{ exec: { command: ['/bin/sh', '-c', ' sleep 5 '] } }],
  ])('a preStop that sleeps is the shutdown delay: %j', (preStop) => {
    const result = renderObjects(deployment({ container: { lifecycle: { preStop } } }));
    expect(firstTask(result).shutdownDelayMs).toBe(5_000);
    expect(result.jobs[0]!.fields.get('groups.0.tasks.0.shutdownDelayMs')?.field).toBe('spec.template.spec.containers[0].lifecycle.preStop');
  });

  test.each([
    [{ exec: { command: ['nginx', '-s', 'quit'] } }, '22:19: spec.template.spec.containers[0].lifecycle.preStop.exec.command'],
    [{ exec: { command: ['sh', '-c', 'sleep 5 && nginx -s quit'] } }, '22:19: spec.template.spec.containers[0].lifecycle.preStop.exec.command'],
    [{ httpGet: { path: '/drain', port: 80 } }, '21:17: spec.template.spec.containers[0].lifecycle.preStop.httpGet'],
  ])('any other preStop is refused: %j', (preStop, where) => {
    const result = renderObjects(deployment({ container: { lifecycle: { preStop } } }));
    expect(result.jobs).toEqual([]);
    expect(lines(result.diagnostics)).toEqual([
      `app.yaml:${where}: only a preStop that sleeps is supported (sleep: {seconds: N}, or exec of "sleep N"): deckhand does not run other commands inside containers (deckhand takes the sleep as the time the allocation leaves its endpoints before the stop signal)`,
    ]);
  });

  test('a postStart hook is refused', () => {
    expect(lines(renderObjects(deployment({ container: { lifecycle: { postStart: { exec: { command: ['touch', '/ready'] } } } } })).diagnostics)).toEqual([
      'app.yaml:19:13: spec.template.spec.containers[0].lifecycle.postStart: postStart hooks are not supported: deckhand does not run commands inside containers',
    ]);
  });
});

describe('Services', () => {
  const tree = (files: Record<string, string>) => renderTree(treeOf(files));
  const problems = (result: { diagnostics: Parameters<typeof formatDiagnostic>[0][] }) => result.diagnostics.map(formatDiagnostic);

  test('a Service in the same file: its ports are endpoints, its name an alias of the pods', () => {
    const result = tree({ 'app.yaml': yaml(web(), service({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }, { port: 81, targetPort: 8080 }] })) });
    expect(problems(result)).toEqual([]);
    const { job, fields } = result.jobs[0]!;
    expect(job.endpoints).toEqual([
      { port: 30080, group: 'web', task: 'web', portLabel: 'http', canaries: false },
      { port: 81, group: 'web', task: 'web', portLabel: 'http', canaries: false },
    ]);
    expect(job.groups[0]!.network.attachments).toEqual([{ network: 'default', aliases: ['web-svc'] }]);
    expect(fields.get('endpoints.0.port')).toEqual({ field: 'spec.ports[0].nodePort', pos: { line: 32, col: 17 }, file: 'app.yaml' });
  });

  test('a Service in another file, of the same namespace; the rendered job is a copy, the cached one untouched', () => {
    const files = { 'k8s/web.yaml': yaml(web()), 'k8s/svc.yaml': yaml(service({ ports: [{ port: 8000, targetPort: 'http' }] }, 'db')) };
    const cache = new RenderCache();
    const first = renderTree(treeOf(files), undefined, cache);
    expect(problems(first)).toEqual([]);
    expect(first.jobs[0]!.job.endpoints).toEqual([{ port: 8000, group: 'web', task: 'web', portLabel: 'http', canaries: false }]);
    expect(first.jobs[0]!.job.groups[0]!.network.attachments[0]!.aliases).toEqual(['db']);
    expect(first.jobs[0]!.fields.get('endpoints.0')?.file).toBe('k8s/svc.yaml');
    // The Service goes away: the Deployment, read from the cache, has no endpoint any more.
    const second = renderTree(treeOf({ 'k8s/web.yaml': files['k8s/web.yaml'] }), undefined, cache);
    expect(cache.hits).toBe(1);
    expect(second.jobs[0]!.job.endpoints).toEqual([]);
    expect(second.jobs[0]!.job.groups[0]!.network.attachments[0]!.aliases).toEqual([]);
  });

  test('a Service of another namespace does not select the Deployment: a warning', () => {
    const result = tree({ 'app.yaml': yaml(web(), service({}, 'web-svc', { namespace: 'other' })) });
    expect(result.jobs[0]!.job.endpoints).toEqual([]);
    expect(problems(result)).toEqual(['app.yaml:25:9: warning: metadata.name: Service "web-svc" selects no Deployment of namespace "other" in this repository; nothing is served for it']);
  });

  test('a headless Service is a name only', () => {
    const result = tree({ 'app.yaml': yaml(web(), service({ clusterIP: 'None' }, 'db')) });
    expect(result.jobs[0]!.job.endpoints).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.network.attachments[0]!.aliases).toEqual(['db']);
  });

  test('a numbered targetPort the one container does not list is served from it: containerPort only documents a port in Kubernetes', () => {
    const result = tree({ 'web.yaml': yaml(web()), 'svc.yaml': yaml(service({ ports: [{ port: 80, targetPort: 9999 }, { port: 81, targetPort: 9999 }] })) });
    expect(problems(result)).toEqual([]);
    const { job, fields } = result.jobs[0]!;
    expect(job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: 'http', static: null, to: 8080 },
      { label: '9999', static: null, to: 9999 },
    ]);
    expect(job.endpoints).toEqual([
      { port: 80, group: 'web', task: 'web', portLabel: '9999', canaries: false },
      { port: 81, group: 'web', task: 'web', portLabel: '9999', canaries: false },
    ]);
    expect(fields.get('groups.0.tasks.0.ports.1')).toEqual(expect.objectContaining({ file: 'svc.yaml', field: 'spec.ports[0].targetPort' }));
  });

  test('a targetPort no container has, named or among several containers, is an error at it naming what to add, and the Deployment is held back', () => {
    const named = tree({ 'web.yaml': yaml(web()), 'svc.yaml': yaml(service({ ports: [{ port: 80, targetPort: 'metrics' }] })) });
    expect(named.jobs).toEqual([]);
    expect(problems(named)).toEqual([
      'svc.yaml:10:19: spec.ports[0].targetPort: targetPort metrics matches no container port of Deployment "web": it has no port "metrics"',
      'web.yaml:4:9: metadata.name: Deployment "web" is held back: svc.yaml:10:19: targetPort metrics matches no container port of Deployment "web": it has no port "metrics" (what runs from it keeps running until that is fixed)',
    ]);
    const two = web({ pod: { containers: [{ name: 'web', image: 'demo:v1' }, { name: 'proxy', image: 'proxy:v1' }] } });
    const several = tree({ 'web.yaml': yaml(two), 'svc.yaml': yaml(service({ ports: [{ port: 80, targetPort: 9999 }] })) });
    expect(several.jobs).toEqual([]);
    expect(problems(several)[0]).toBe(
      'svc.yaml:10:19: spec.ports[0].targetPort: targetPort 9999 matches no container port of Deployment "web": it has no containerPort 9999, and deckhand serves a port from one container, which it cannot tell among the pod\'s (add containerPort: 9999 to the container that listens on it)',
    );
    expect(several.failedFiles).toEqual(['svc.yaml', 'web.yaml']);
  });

  test('a Service selecting two Deployments is an error; both are held back', () => {
    const other = web({ metadata: { name: 'web2' } });
    const result = tree({ 'a.yaml': yaml(web(), other), 'svc.yaml': yaml(service()) });
    expect(result.jobs).toEqual([]);
    expect(problems(result)[problems(result).length - 1]).toBe(
      'svc.yaml:6:3: spec.selector: Service "web-svc" selects 2 Deployments: "web" (a.yaml:4), "web2" (a.yaml:25); deckhand serves a Service from one (give each Deployment pod labels of its own, and select them)',
    );
    expect(result.failedFiles).toEqual(['a.yaml', 'svc.yaml']);
  });

  test('a Service with an error holds back what it selects', () => {
    const result = tree({ 'web.yaml': yaml(web()), 'svc.yaml': yaml(service({ ports: [{ port: 80, targetPort: 'http', protocol: 'UDP' }] })) });
    expect(result.jobs).toEqual([]);
    expect(problems(result)).toEqual([
      'svc.yaml:11:17: spec.ports[0].protocol: protocol UDP is not supported: deckhand serves TCP ports only',
      'web.yaml:4:9: metadata.name: Deployment "web" is held back: svc.yaml:4:9: Service "web-svc", which selects it, has errors (what runs from it keeps running until that is fixed)',
    ]);
  });

  test('a Service selecting a hostNetwork Deployment is an error', () => {
    // One replica: two on the host's network would already clash on their port.
    const result = tree({ 'app.yaml': yaml({ ...web({ pod: { hostNetwork: true } }), spec: { ...(web({ pod: { hostNetwork: true } }).spec as object), replicas: 1 } }, service()) });
    expect(result.jobs).toEqual([]);
    expect(problems(result)).toEqual(['app.yaml:26:9: metadata.name: Service "web-svc" selects Deployment "web", which uses hostNetwork: deckhand serves a Service over mapped ports']);
  });

  test('a file of a job named alone attaches its own Services', () => {
    const result = renderPath(treeOf({ 'app.yaml': yaml(web(), service()) }), 'app.yaml', { env: {}, vars: {}, varFiles: [] }, true);
    expect(result.jobs[0]!.job.endpoints).toEqual([{ port: 80, group: 'web', task: 'web', portLabel: 'http', canaries: false }]);
  });
});

describe('a host port published by two jobs', () => {
  test('is an error at the second, naming the first', () => {
    const compose = (port: number) => `services:\n  web:\n    image: nginx\n    ports: ["${port}:80"]\n`;
    const result = renderTree(treeOf({ 'a/compose.yml': compose(8000), 'b/compose.yml': compose(8000), 'c/compose.yml': compose(8001) }));
    expect(result.jobs.map((j) => j.job.id)).toEqual(['a', 'c']);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['b/compose.yml:4:13: services.web.ports[0]: host port 8000 is already published by job "a" (a/compose.yml:4) (each host port can be published by one job)']);
    expect(result.failedFiles).toEqual(['b/compose.yml']);
  });
});
