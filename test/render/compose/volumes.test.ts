import { diagnosticsOf, jobOf } from './helpers.js';

const stack = (...lines: string[]) => lines.join('\n') + '\n';

describe('volumes', () => {
  test('named volumes in short and long syntax, read-only, and tmpfs; only mounted volumes are the job\'s', () => {
    const job = jobOf(stack(
      'services:',
      '  db:',
      '    image: postgres',
      '    volumes:',
      '      - data:/var/lib/data',
      '      - conf:/etc/db:ro',
      '      - {type: volume, source: logs, target: /logs, read_only: false}',
      '      - {type: tmpfs, target: /scratch}',
      '    tmpfs: /run',
      'volumes:',
      '  data:',
      '  conf: {name: shared-conf}',
      '  logs: {driver: local, driver_opts: {type: tmpfs, device: tmpfs}}',
      '  unused: {}',
      '  old: {external: true}',
    ));
    expect(job.volumes).toEqual([
      { name: 'data', dockerName: null, external: false, driverOpts: {} },
      { name: 'conf', dockerName: 'shared-conf', external: false, driverOpts: {} },
      { name: 'logs', dockerName: null, external: false, driverOpts: { type: 'tmpfs', device: 'tmpfs' } },
    ]);
    expect(job.groups[0]!.tasks[0]!.mounts).toEqual([
      { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false },
      { type: 'volume', source: 'conf', target: '/etc/db', readOnly: true },
      { type: 'volume', source: 'logs', target: '/logs', readOnly: false },
      { type: 'tmpfs', source: '', target: '/scratch', readOnly: false },
      { type: 'tmpfs', source: '', target: '/run', readOnly: false },
    ]);
  });

  test('an external volume is mounted by its own name', () => {
    const job = jobOf(stack('services:', '  db:', '    image: postgres', '    volumes: [old:/data]', 'volumes:', '  old: {external: true, name: legacy-data}'));
    expect(job.volumes).toEqual([{ name: 'old', dockerName: 'legacy-data', external: true, driverOpts: {} }]);
  });

  test('a service without volumes has no mounts field: its spec hash is what it was', () => {
    expect(jobOf(stack('services:', '  web: {image: nginx}')).groups[0]!.tasks[0]).not.toHaveProperty('mounts');
  });

  test('refused, each at its line: a host path, an anonymous volume, an undeclared one, another driver, a mount type', () => {
    expect(diagnosticsOf(stack(
      'services:',
      '  db:',
      '    image: postgres',
      '    volumes:',
      '      - /var/run/docker.sock:/var/run/docker.sock',
      '      - ./conf:/etc/conf',
      '      - /data',
      '      - missing:/m',
      '      - {type: bind, source: /, target: /host}',
      '      - {type: npipe, source: x, target: /y}',
      '      - data:/a',
      '      - data:/a',
      'volumes:',
      '  data: {driver: rexray}',
    ))).toEqual([
      expect.stringContaining('app/docker-compose.yml:5:9: services.db.volumes[0]: bind mounts of host paths (/var/run/docker.sock) are refused'),
      expect.stringContaining('app/docker-compose.yml:6:9: services.db.volumes[1]: bind mounts of host paths (./conf) are refused'),
      expect.stringContaining('app/docker-compose.yml:7:9: services.db.volumes[2]: an anonymous volume at /data would be a new, empty one for every container'),
      expect.stringContaining('app/docker-compose.yml:8:9: services.db.volumes[3]: service "db" mounts volume "missing", which is not declared in the top-level volumes'),
      expect.stringContaining('app/docker-compose.yml:9:'),
      expect.stringContaining('mount type "npipe" is not supported'),
      expect.stringContaining('app/docker-compose.yml:12:9: services.db.volumes[7]: two mounts at /a'),
      expect.stringContaining('app/docker-compose.yml:14:18: volumes.data.driver: volume driver "rexray" is not supported'),
    ]);
  });
});
