// A pod's volumes and its containers' volumeMounts.
import { formatDiagnostic } from '../../../src/model/diagnostic.js';
import { render } from '../../helpers/render.js';

const manifest = (volumes: string[], mounts: string[][], namespace = 'shop') =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: db, namespace: ${namespace}}`,
    'spec:',
    '  selector: {matchLabels: {app: db}}',
    '  template:',
    '    metadata: {labels: {app: db}}',
    '    spec:',
    '      volumes:',
    ...volumes.map((v) => `        - ${v}`),
    '      containers:',
    ...mounts.flatMap((list, i) => [`        - name: c${i}`, '          image: postgres:16', '          volumeMounts:', ...list.map((m) => `            - ${m}`)]),
  ].join('\n') + '\n';
const renderK8s = (text: string, allowed: string[] = []) =>
  render(text, { format: 'kubernetes', path: 'db.yaml', options: { limits: { maxCount: 1000, maxGroups: 200, maxTasks: 50, hostPaths: { allowed } } } });

describe('Kubernetes volumes', () => {
  test('a claim is a named volume per claim, an emptyDir a volume of the allocation (shared by its containers) or a tmpfs, a hostPath a bind mount', () => {
    const result = renderK8s(
      manifest(
        ['{name: data, persistentVolumeClaim: {claimName: pg-data}}', '{name: scratch, emptyDir: {}}', '{name: shm, emptyDir: {medium: Memory}}', '{name: site, hostPath: {path: /srv/site, type: Directory}}', '{name: ro, persistentVolumeClaim: {claimName: conf, readOnly: true}}'],
        [['{name: data, mountPath: /var/lib/postgresql/data}', '{name: scratch, mountPath: /tmp/scratch}', '{name: site, mountPath: /site, readOnly: true}'], ['{name: shm, mountPath: /dev/shm}', '{name: ro, mountPath: /etc/db}', '{name: data, mountPath: /backup, readOnly: true}', '{name: scratch, mountPath: /in}']],
      ),
      ['/srv'],
    );
    expect(result.lines).toEqual([]);
    const job = result.jobs[0]!.job;
    expect(job.volumes).toEqual([
      { name: 'pg-data', dockerName: 'deckhand-k8s-shop-pg-data', external: false, driverOpts: {} },
      { name: 'conf', dockerName: 'deckhand-k8s-shop-conf', external: false, driverOpts: {} },
    ]);
    expect(job.groups[0]!.tasks.map((t) => t.mounts)).toEqual([
      [
        { type: 'volume', source: 'pg-data', target: '/var/lib/postgresql/data', readOnly: false },
        { type: 'empty', source: 'scratch', target: '/tmp/scratch', readOnly: false },
        { type: 'bind', source: '/srv/site', target: '/site', readOnly: true },
      ],
      [
        { type: 'tmpfs', source: '', target: '/dev/shm', readOnly: false },
        { type: 'volume', source: 'conf', target: '/etc/db', readOnly: true },
        { type: 'volume', source: 'pg-data', target: '/backup', readOnly: true },
        { type: 'empty', source: 'scratch', target: '/in', readOnly: false },
      ],
    ]);
  });

  test('a hostPath outside the agent\'s allow-list is refused at its path', () => {
    const result = renderK8s(manifest(['{name: sock, hostPath: {path: /var/run/docker.sock}}', '{name: etc, hostPath: {path: /etc}}'], [['{name: sock, mountPath: /var/run/docker.sock}', '{name: etc, mountPath: /host-etc}']]));
    expect(result.jobs).toEqual([]);
    expect(result.lines).toEqual([
      expect.stringContaining('db.yaml:10:41: spec.template.spec.volumes[0].hostPath.path: mounting the Docker socket (/var/run/docker.sock) is refused'),
      expect.stringContaining('db.yaml:11:40: spec.template.spec.volumes[1].hostPath.path: host path /etc is not under a directory the agent allows (allow-host-path: none)'),
    ]);
  });

  test('refused, each at its place: other kinds (their mounts say nothing more), subPath, an undefined volume, a memory emptyDir mounted twice, DirectoryOrCreate, sizeLimit', () => {
    const result = renderK8s(manifest(
      ['{name: nfs, nfs: {server: x, path: /}}', '{name: tmp, emptyDir: {medium: Memory}}', '{name: mk, hostPath: {path: /srv/x, type: DirectoryOrCreate}}', '{name: big, emptyDir: {sizeLimit: 1Gi}}'],
      [['{name: tmp, mountPath: /a, subPath: x}', '{name: missing, mountPath: /m}'], ['{name: tmp, mountPath: /b}', '{name: nfs, mountPath: /n}']],
    ));
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringContaining('db.yaml:10:23: spec.template.spec.volumes[0].nfs: nfs volumes are not supported (use a persistentVolumeClaim'),
      expect.stringContaining('db.yaml:12:53: spec.template.spec.volumes[2].hostPath.type: hostPath type "DirectoryOrCreate" is not supported: deckhand never creates host paths'),
      expect.stringContaining('db.yaml:13:34: spec.template.spec.volumes[3].emptyDir.sizeLimit: sizeLimit is not supported'),
      expect.stringContaining('db.yaml:18:42: spec.template.spec.containers[0].volumeMounts[0].subPath: subPath is not supported'),
      expect.stringContaining('db.yaml:19:22: spec.template.spec.containers[0].volumeMounts[1].name: volume "missing" is not defined in the pod\'s volumes'),
      expect.stringContaining('db.yaml:23:22: spec.template.spec.containers[1].volumeMounts[0].name: emptyDir "tmp" (medium: Memory) is already mounted by container "c0"'),
    ]);
  });

  test('a Deployment without volumes has neither volumes nor mounts: its spec hash is what it was', () => {
    const job = renderK8s(manifest([], [[]]).replace('      volumes:\n', '').replace('          volumeMounts:\n', '')).jobs[0]!.job;
    expect(job).not.toHaveProperty('volumes');
    expect(job.groups[0]!.tasks[0]).not.toHaveProperty('mounts');
  });
});
