import { allLines, deployment, errors, firstTask, lines, render, renderObjects } from './helpers.js';

/** A Deployment whose pod spec lines (at 6 spaces) start at line 7, before its one container. */
const withPod = (podLines: string, containerLines = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
${podLines}
      containers:
        - name: web
          image: demo
${containerLines}`;

describe('Kubernetes container settings', () => {
  test('every setting of the pod and the container', () => {
    const result = renderObjects(deployment({
      pod: {
        hostname: 'web-0',
        securityContext: { runAsUser: 1000, runAsGroup: 2000, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
        hostAliases: [{ ip: '10.0.0.5', hostnames: ['db.internal', 'db'] }, { ip: '::1', hostnames: ['v6'] }],
        dnsConfig: { nameservers: ['1.1.1.1'], searches: ['corp.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
      },
      container: {
        workingDir: '/srv',
        securityContext: {
          runAsUser: 1001,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { add: ['NET_ADMIN', 'CAP_SYS_TIME'], drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        lifecycle: { stopSignal: 'SIGUSR1' },
      },
    }));
    expect(result.diagnostics).toEqual([]);
    expect(firstTask(result).container).toEqual({
      workingDir: '/srv',
      // The container's own runAsUser wins; the group comes from the pod.
      user: '1001:2000',
      readOnlyRootfs: true,
      noNewPrivileges: true,
      capAdd: ['NET_ADMIN', 'SYS_TIME'],
      capDrop: ['ALL'],
      sysctls: { 'net.core.somaxconn': '1024' },
      extraHosts: ['db.internal:10.0.0.5', 'db:10.0.0.5', 'v6:::1'],
      dns: ['1.1.1.1'],
      dnsSearch: ['corp.example'],
      dnsOptions: ['ndots:2', 'edns0'],
      hostname: 'web-0',
      stopSignal: 'SIGUSR1',
    });
  });

  test('a container without settings has no container object; pod labels are not container labels', () => {
    const task = firstTask(renderObjects(deployment({ pod: { securityContext: { seLinuxChangePolicy: 'Recursive' } } })));
    expect(task.container).toBeUndefined();
  });

  test('the pod\'s user applies to each container; each setting is recorded at its line', () => {
    const result = render(withPod(`      securityContext:
        runAsUser: 1000
      hostAliases:
        - ip: 10.0.0.5
          hostnames: [db]`, `          workingDir: /srv
        - name: side
          image: demo`));
    expect(errors(result)).toEqual([]);
    const [web, side] = result.jobs[0]!.job.groups[0]!.tasks;
    expect(web!.container).toEqual({ workingDir: '/srv', user: '1000', extraHosts: ['db:10.0.0.5'] });
    expect(side!.container).toEqual({ user: '1000', extraHosts: ['db:10.0.0.5'] });
    const fields = result.jobs[0]!.fields;
    expect(fields.get('groups.0.tasks.1.container.user')).toEqual({ field: 'spec.template.spec.securityContext.runAsUser', pos: { line: 8, col: 20 } });
    expect(fields.get('groups.0.tasks.0.container.workingDir')).toEqual({ field: 'spec.template.spec.containers[0].workingDir', pos: { line: 15, col: 23 } });
  });

  test('the shared checks point at the manifest: a hostname on the host network', () => {
    const result = render(withPod('      hostNetwork: true\n      hostname: web'));
    expect(allLines(result)).toEqual([
      'app.yaml:8:17: spec.template.spec.hostname: a hostname cannot be set on the host\'s network: the container has the host\'s name (use bridge networking, or drop the hostname)',
    ]);
  });

  test('refused: privileged, other seccomp profiles, SELinux options, a group without a user, root with runAsNonRoot', () => {
    const result = render(withPod(`      securityContext:
        runAsGroup: 10
        seLinuxOptions: { level: "s0:c1" }`, `          securityContext:
            privileged: true
            runAsNonRoot: true
            runAsUser: 0
            seccompProfile: { type: Unconfined }`));
    expect(errors(result)).toEqual([
      'app.yaml:9:9: spec.template.spec.securityContext.seLinuxOptions: seLinuxOptions are not supported: deckhand does not label containers for SELinux (remove seLinuxOptions)',
      'app.yaml:14:25: spec.template.spec.containers[0].securityContext.privileged: privileged containers are not run by deckhand: they hold every capability and every device of the host (add only the capabilities the container needs with capabilities.add)',
      'app.yaml:15:27: spec.template.spec.containers[0].securityContext.runAsNonRoot: runAsNonRoot is true, but runAsUser is 0 (root) (run as another user, or drop runAsNonRoot)',
      'app.yaml:17:37: spec.template.spec.containers[0].securityContext.seccompProfile.type: seccompProfile type "Unconfined" is not supported: deckhand runs containers with Docker\'s default profile (use type: RuntimeDefault, or remove it)',
    ]);
    expect(result.diagnostics.filter((d) => d.code === 'unsupported' && d.severity === 'error')).toHaveLength(3);
    const groupOnly = render(withPod('      securityContext:\n        runAsGroup: 10'));
    expect(errors(groupOnly)).toEqual([
      'app.yaml:8:9: spec.template.spec.securityContext.runAsGroup: runAsGroup needs runAsUser: Docker sets a group only together with a user (set runAsUser too, e.g. to the image\'s user id)',
    ]);
  });

  test('bad forms are errors at the value', () => {
    const result = render(withPod(`      hostAliases:
        - ip: db
          hostnames: [db]
      dnsConfig:
        nameservers: [dns.example]
        options: [{ value: "2" }]`, `          lifecycle:
            stopSignal: SIGNOPE
          securityContext:
            capabilities: { add: [FLY] }`));
    expect(errors(result)).toEqual([
      'app.yaml:8:15: spec.template.spec.hostAliases[0].ip: expected an IPv4 or IPv6 address, got "db"',
      'app.yaml:11:23: spec.template.spec.dnsConfig.nameservers[0]: expected an IPv4 or IPv6 address, got "dns.example"',
      'app.yaml:12:19: spec.template.spec.dnsConfig.options[0].name: a DNS option needs a name',
      'app.yaml:17:25: spec.template.spec.containers[0].lifecycle.stopSignal: expected a signal name such as "SIGINT" or "SIGQUIT", or its number, got "SIGNOPE"',
      'app.yaml:19:35: spec.template.spec.containers[0].securityContext.capabilities.add[0]: "FLY" is not a Linux capability (write it as Kubernetes does, e.g. NET_ADMIN)',
    ]);
  });

  test('fsGroup and supplementalGroups are supplementary groups of every container\'s process', () => {
    const result = render(withPod(`      securityContext:
        fsGroup: 2000
        fsGroupChangePolicy: OnRootMismatch
        supplementalGroups: [3000, 2000]
        supplementalGroupsPolicy: Merge`, `        - name: side
          image: demo`));
    expect(lines(result.diagnostics)).toEqual([]);
    for (const task of result.jobs[0]!.job.groups[0]!.tasks) expect(task.container).toEqual({ groupAdd: ['2000', '3000'] });
    expect(result.jobs[0]!.fields.get('groups.0.tasks.1.container.groupAdd')?.field).toBe('spec.template.spec.securityContext.fsGroup');
    expect(result.settings).toContainEqual(expect.objectContaining({ line: 9, field: 'spec.template.spec.securityContext.fsGroupChangePolicy', use: 'no-effect' }));
  });

  test('fsGroup beside an emptyDir or a claimed volume, whose owner deckhand cannot change, and supplementalGroupsPolicy Strict are refused', () => {
    const result = render(withPod(`      securityContext:
        fsGroup: 2000
        supplementalGroupsPolicy: Strict
      volumes:
        - name: data
          emptyDir: {}`));
    expect(result.jobs).toEqual([]);
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:8:9: spec.template.spec.securityContext.fsGroup: fsGroup is not supported beside emptyDir and persistentVolumeClaim volumes: Kubernetes gives them to group 2000, deckhand leaves them as the image has them (volume "data"), so the group could not write them (run as the user that owns the mount path in the image (runAsUser), and remove fsGroup)',
      'app.yaml:9:35: spec.template.spec.securityContext.supplementalGroupsPolicy: supplementalGroupsPolicy Strict is not supported: Docker adds the groups the image gives the user, as Merge does (remove supplementalGroupsPolicy, or set it to Merge)',
    ]);
  });

  test('said, not applied: subdomain, runAsNonRoot without a user', () => {
    const result = render(withPod(`      subdomain: web
      securityContext:
        runAsNonRoot: true`));
    expect(result.jobs).toHaveLength(1);
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:7:7: warning: spec.template.spec.subdomain: subdomain is not applied by deckhand: the containers answer to their group\'s and task\'s names on the job network',
      'app.yaml:9:9: warning: spec.template.spec.securityContext.runAsNonRoot: runAsNonRoot is not checked against the image\'s user by deckhand (set runAsUser to run as a known user)',
    ]);
  });
});

test('a pod setting that is refused is said once, not once per container', () => {
  const result = render(withPod('      securityContext:\n        runAsGroup: 10', '        - name: side\n          image: demo\n'));
  expect(errors(result)).toHaveLength(1);
});
