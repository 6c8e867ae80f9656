// Secrets and ConfigMaps of the repository, used by a Deployment in another file.
import { formatDiagnostic } from '../../../src/model/diagnostic.js';
import type { Task } from '../../../src/model/job.js';
import { renderPath, renderTree } from '../../../src/render/tree.js';

const encoder = new TextEncoder();
const tree = (files: Record<string, string>) => ({ rootName: 'repo', files: new Map(Object.entries(files).map(([path, text]) => [path, encoder.encode(text)])) });
const defaults = { env: {}, vars: {}, varFiles: [] };

const deployment = (container: string, volumes = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: busybox
${container}${volumes ? `      volumes:\n${volumes}` : ''}`;

const config = `apiVersion: v1
kind: Secret
metadata: { name: db }
data:
  password: ${Buffer.from('hunter2').toString('base64')}
  blob: ${Buffer.from([0xff, 0x00, 0xfe]).toString('base64')}
stringData:
  url: postgres://app:hunter2@db/app
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data:
  MODE: production
  app.conf: |
    listen 80
  1st: skipped by envFrom
---
apiVersion: v1
kind: Secret
metadata: { name: api }
stringData: { token: tok-123 }
`;

function taskOf(container: string, volumes = ''): Task {
  const result = renderTree(tree({ 'app.yaml': deployment(container, volumes), 'config.yaml': config }), defaults);
  expect(result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  return result.jobs[0]!.job.groups[0]!.tasks[0]!;
}

function errorsOf(container: string, volumes = '', configText = config): string[] {
  const result = renderTree(tree({ 'app.yaml': deployment(container, volumes), 'config.yaml': configText }), defaults);
  expect(result.jobs).toEqual([]);
  return result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

describe('Kubernetes Secrets and ConfigMaps', () => {
  test('valueFrom: a Secret key is a sensitive variable, a ConfigMap key a plain one', () => {
    const task = taskOf(`          env:
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: db, key: url } }
            - name: MODE
              valueFrom: { configMapKeyRef: { name: settings, key: MODE } }
            - name: GONE
              valueFrom: { secretKeyRef: { name: nope, key: x, optional: true } }
`);
    expect(task.env).toEqual({ DATABASE_URL: 'postgres://app:hunter2@db/app', MODE: 'production' });
    expect(task.sensitiveEnv).toEqual(['DATABASE_URL']);
  });

  test('envFrom: every key with the prefix, the container\'s own env winning, names Kubernetes refuses skipped', () => {
    const task = taskOf(`          envFrom:
            - configMapRef: { name: settings }
              prefix: CFG_
            - configMapRef: { name: settings }
            - secretRef: { name: api }
            - secretRef: { name: nope, optional: true }
          env:
            - { name: CFG_MODE, value: mine }
`);
    expect(task.env).toEqual({ CFG_MODE: 'mine', 'CFG_app.conf': 'listen 80\n', CFG_1st: 'skipped by envFrom', MODE: 'production', 'app.conf': 'listen 80\n', token: 'tok-123' });
    expect(task.sensitiveEnv).toEqual(['token']);
  });

  test('volumes: every key as a file with defaultMode (0644 by default), or the items listed, or one key by subPath; binary data as base64', () => {
    const task = taskOf(
      `          volumeMounts:
            - { name: conf, mountPath: /etc/app }
            - { name: creds, mountPath: /etc/creds, readOnly: true }
            - { name: all, mountPath: /etc/token, subPath: password }
`,
      `        - name: conf
          configMap:
            name: settings
            items: [{ key: app.conf, path: nested/app.conf, mode: 0600 }]
        - name: creds
          secret: { secretName: db, defaultMode: 0400 }
        - name: all
          secret: { secretName: db }
`,
    );
    expect(task.files!.map((f) => [f.target, f.mode.toString(8), f.sensitive, f.encoding ?? 'text'])).toEqual([
      ['/etc/app/nested/app.conf', '600', false, 'text'],
      ['/etc/creds/password', '400', true, 'text'],
      ['/etc/creds/blob', '400', true, 'base64'],
      ['/etc/creds/url', '400', true, 'text'],
      ['/etc/token', '644', true, 'text'],
    ]);
    expect(task.files![2]!.content).toBe(Buffer.from([0xff, 0x00, 0xfe]).toString('base64'));
  });

  test('a Deployment without references keeps its shape', () => {
    const task = taskOf('          env: [{ name: A, value: b }]\n');
    expect('files' in task || 'sensitiveEnv' in task).toBe(false);
  });

  test('a missing Secret, a missing key and a binary value in a variable hold the Deployment back, at the reference', () => {
    expect(
      errorsOf(`          env:
            - name: A
              valueFrom: { secretKeyRef: { name: nope, key: x } }
            - name: B
              valueFrom: { secretKeyRef: { name: db, key: nokey } }
            - name: C
              valueFrom: { secretKeyRef: { name: db, key: blob } }
`),
    ).toEqual([
      'app.yaml:12:28: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef: Secret "nope" of namespace "default" is not defined in this repository; Deployment "web" is held back (add a Secret manifest, or mark the reference optional: true)',
      'app.yaml:14:28: spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef: Secret "db" has no key "nokey" (its keys: password, blob, url)',
      'app.yaml:16:28: spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef: key "blob" of Secret "db" holds bytes that are not UTF-8 text, which a variable cannot hold',
    ]);
  });

  test('a Secret with errors holds back the Deployment using it, and its message never shows the value', () => {
    const broken = 'apiVersion: v1\nkind: Secret\nmetadata: { name: db }\ndata:\n  password: "hunter2!"\n';
    const errors = errorsOf('          envFrom: [{ secretRef: { name: db } }]\n', '', broken);
    expect(errors).toEqual([
      'app.yaml:10:23: spec.template.spec.containers[0].envFrom[0].secretRef: Secret "db", which Deployment "web" uses, has errors (config.yaml:3); the Deployment is held back (what runs from it keeps running until that is fixed)',
      "config.yaml:5:13: data.password: expected base64 (Kubernetes keeps the bytes of a Secret's data in base64) (put text under stringData instead)",
    ]);
    expect(errors.join('\n')).not.toContain('hunter2');
  });

  test('$(VAR) of a variable from a Secret in args is refused: it would stay as written', () => {
    expect(errorsOf('          args: ["--db", "$(DATABASE_URL)"]\n          env:\n            - name: DATABASE_URL\n              valueFrom: { secretKeyRef: { name: db, key: url } }\n')).toEqual([
      'app.yaml:10:26: spec.template.spec.containers[0].args[1]: $(DATABASE_URL) takes its value from a Secret or ConfigMap, which deckhand does not expand in args (read $DATABASE_URL in the program, or through a shell: ["sh", "-c", "exec app \\"$DATABASE_URL\\""])',
    ]);
  });

  test('a Secret of another namespace is not found', () => {
    const other = config.replace('metadata: { name: db }', 'metadata: { name: db, namespace: other }');
    expect(errorsOf('          envFrom: [{ secretRef: { name: db } }]\n', '', other)[0]).toContain('Secret "db" of namespace "default" is not defined in this repository');
  });

  test('a file rendered alone takes Secrets from itself and the YAML files its tree holds, and says where it looked', () => {
    const uses = deployment('          envFrom: [{ secretRef: { name: api } }]\n');
    const alone = renderPath(tree({ 'app.yaml': uses }), 'app.yaml', defaults, true);
    expect(alone.jobs).toEqual([]);
    expect(alone.diagnostics.map((d) => d.message)).toEqual(['Secret "api" of namespace "default" is not defined in this file (a file sent alone is rendered without the rest of its folder); Deployment "web" is held back']);
    const together = renderPath(tree({ 'app.yaml': `${config}---\n${uses}` }), 'app.yaml', defaults, true);
    expect(together.jobs[0]!.job.groups[0]!.tasks[0]!.env.token).toBe('tok-123');
    const beside = renderPath(tree({ 'app.yaml': uses, 'config.yaml': config, 'notes.yml': 'not: [kubernetes' }), 'app.yaml', defaults, true);
    expect(beside.diagnostics).toEqual([]);
    expect(beside.jobs[0]!.job.groups[0]!.tasks[0]!.env.token).toBe('tok-123');
  });
});

describe('imagePullSecrets', () => {
  const pullDeployment = (image: string, secrets: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: private }
spec:
  template:
    spec:
      imagePullSecrets: [${secrets}]
      containers:
        - name: app
          image: ${image}
`;
  const dockerConfig = (auths: Record<string, unknown>) => `apiVersion: v1
kind: Secret
metadata: { name: regcred }
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${Buffer.from(JSON.stringify({ auths })).toString('base64')}
`;
  const render = (files: Record<string, string>) => renderTree(tree(files), defaults);

  it("gives each container the credentials for its image's registry", () => {
    const result = render({
      'app.yaml': pullDeployment('127.0.0.1:5000/team/app:1', '{name: regcred}'),
      'regcred.yaml': dockerConfig({ 'https://127.0.0.1:5000/v2/': { auth: Buffer.from('ci:s3cret:x').toString('base64') }, 'docker.io': { username: 'hub', password: 'other' } }),
    });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.registryAuth).toEqual({ username: 'ci', password: 's3cret:x', serverAddress: 'https://127.0.0.1:5000/v2/' });
  });

  it('Docker Hub under any of its names; no entry for the registry leaves the agent\'s own credentials', () => {
    const hub = render({ 'app.yaml': pullDeployment('library/nginx:1', '{name: regcred}'), 'regcred.yaml': dockerConfig({ 'https://index.docker.io/v1/': { username: 'hub', password: 'pw' } }) });
    expect(hub.jobs[0]!.job.groups[0]!.tasks[0]!.registryAuth).toMatchObject({ username: 'hub', password: 'pw' });
    const other = render({ 'app.yaml': pullDeployment('ghcr.io/x/app:1', '{name: regcred}'), 'regcred.yaml': dockerConfig({ 'docker.io': { username: 'hub', password: 'pw' } }) });
    expect(other.diagnostics).toEqual([]);
    expect(other.jobs[0]!.job.groups[0]!.tasks[0]).not.toHaveProperty('registryAuth');
  });

  it('a missing Secret, or one that is not a dockerconfigjson, holds the Deployment back at the reference', () => {
    const missing = render({ 'app.yaml': pullDeployment('ghcr.io/x/app:1', '{name: regcrd}') });
    expect(missing.jobs).toEqual([]);
    expect(missing.diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(/^app\.yaml:7:\d+: .*Secret "regcrd" of namespace "default" is not defined in this repository/)]);
    const opaque = render({ 'app.yaml': pullDeployment('ghcr.io/x/app:1', '{name: db}'), 'db.yaml': config });
    expect(opaque.diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(/^app\.yaml:7:\d+: .*Secret "db" cannot be used to pull images: it has no \.dockerconfigjson key/)]);
  });
});
