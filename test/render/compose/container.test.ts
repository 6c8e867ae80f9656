import { diagnosticsOf, firstGroup, firstTask, jobOf, lines, renderInTree, service } from './helpers.js';

const validated = (text: string) => lines(renderInTree(text).diagnostics);

describe('container settings of a service', () => {
  test('a service without them has none (its spec hash is unchanged)', () => {
    expect(firstTask(service())).not.toHaveProperty('container');
  });

  test('every setting a real stack uses is carried to the task', () => {
    const task = firstTask(
      service(
        'labels:',
        '  traefik.enable: "true"',
        '  tier: 1',
        'user: 1000:1000',
        'working_dir: /srv',
        'hostname: web-1',
        'stop_signal: SIGQUIT',
        'extra_hosts: ["db.local:198.18.0.5", "v6.local=::1"]',
        'dns: 198.18.0.53',
        'dns_search: [example.internal]',
        'dns_opt: [ndots:2]',
        'cap_add: [NET_ADMIN]',
        'cap_drop: [ALL]',
        'read_only: true',
        'sysctls: [net.core.somaxconn=1024]',
        'ulimits:',
        '  nproc: 512',
        '  memlock: -1',
        '  nofile: {soft: 1024, hard: 2048}',
        'shm_size: 64m',
        'init: false',
        'logging:',
        '  driver: json-file',
        '  options: {max-size: 1m, max-file: 3}',
      ),
    );
    expect(task.container).toEqual({
      labels: { 'traefik.enable': 'true', tier: '1' },
      user: '1000:1000',
      workingDir: '/srv',
      hostname: 'web-1',
      stopSignal: 'SIGQUIT',
      extraHosts: ['db.local:198.18.0.5', 'v6.local:::1'],
      dns: ['198.18.0.53'],
      dnsSearch: ['example.internal'],
      dnsOptions: ['ndots:2'],
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      readOnlyRootfs: true,
      sysctls: { 'net.core.somaxconn': '1024' },
      ulimits: [
        { name: 'nproc', soft: 512, hard: 512 },
        { name: 'memlock', soft: -1, hard: -1 },
        { name: 'nofile', soft: 1024, hard: 2048 },
      ],
      shmSizeBytes: 64 * 1024 * 1024,
      init: false,
      logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } },
    });
  });

  test('labels go on the container; deploy.labels are the group meta', () => {
    const text = service('labels: [a=1, b]', 'deploy:', '  labels: {team: web}');
    expect(firstTask(text).container?.labels).toEqual({ a: '1', b: '' });
    expect(firstGroup(text).meta).toEqual({ team: 'web' });
    expect(firstTask(text).meta).toEqual({});
    expect(jobOf(text).meta).toEqual({});
  });

  test('extra_hosts as a map, with one or several addresses', () => {
    expect(firstTask(service('extra_hosts:', '  db: 198.18.0.5', '  multi: [198.18.0.6, 198.18.0.7]')).container?.extraHosts).toEqual([
      'db:198.18.0.5',
      'multi:198.18.0.6',
      'multi:198.18.0.7',
    ]);
  });

  test('logging without a driver keeps the engine default driver', () => {
    expect(firstTask(service('logging: {options: {max-size: 1m}}')).container?.logging).toEqual({ driver: '', options: { 'max-size': '1m' } });
  });

  test('wrong values are errors at their line', () => {
    expect(diagnosticsOf(service('cap_add: [net admin]'))).toEqual([expect.stringMatching(/:4:\d+: .*cap_add\[0\].*capability name/)]);
    expect(diagnosticsOf(service('extra_hosts: [nohost]'))).toEqual([expect.stringMatching(/:4:\d+: .*extra_hosts\[0\].*host:address/)]);
    expect(diagnosticsOf(service('ulimits:', '  nofile: {soft: 10}'))).toEqual([expect.stringMatching(/:5:\d+: .*both "soft" and "hard"/)]);
    expect(diagnosticsOf(service('read_only: maybe'))).toEqual([expect.stringMatching(/:4:\d+: .*read_only.*true or false/)]);
    expect(diagnosticsOf(service('shm_size: lots'))).toEqual([expect.stringMatching(/:4:\d+: .*shm_size.*amount of memory/)]);
  });

  test('shared validation points at the file: a reserved label, soft above hard, a hostname on the host network', () => {
    expect(validated(service('labels: {deckhand.job: other}'))).toEqual([expect.stringMatching(/:4:\d+: .*label "deckhand.job" is reserved/)]);
    expect(validated(service('ulimits:', '  nofile: {soft: 20, hard: 10}'))).toEqual([expect.stringMatching(/:5:\d+: .*nofile.*soft limit 20 is above the hard limit 10/)]);
    expect(validated(service('network_mode: host', 'hostname: web'))).toEqual([expect.stringMatching(/:5:\d+: .*hostname cannot be set on the host's network/)]);
  });
});
