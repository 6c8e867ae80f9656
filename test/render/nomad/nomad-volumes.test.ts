// Nomad volumes: docker `volumes` and `mount`, group host volumes with volume_mount.
import { render, renderJob } from '../../helpers/render.js';

const job = (group: string[], task: string[], config: string[]) =>
  [
    'job "db" {',
    '  group "db" {',
    ...group.map((l) => `    ${l}`),
    '    task "db" {',
    '      driver = "docker"',
    ...task.map((l) => `      ${l}`),
    '      config {',
    '        image = "postgres:16"',
    ...config.map((l) => `        ${l}`),
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n') + '\n';

describe('Nomad volumes', () => {
  test('docker volumes and mount blocks, and a host volume with volume_mount, become mounts and the job\'s named volumes', () => {
    const mapped = renderJob(
      job(
        ['volume "pgdata" {', '  type      = "host"', '  source    = "pg-data"', '}', 'volume "conf" {', '  type = "host"', '  source = "conf"', '  read_only = true', '}'],
        ['volume_mount {', '  volume      = "pgdata"', '  destination = "/var/lib/postgresql/data"', '}', 'volume_mount {', '  volume = "conf"', '  destination = "/etc/db"', '}'],
        [
          'volumes = ["cache:/cache", "/srv/site:/site:ro"]',
          'mount {', '  type = "tmpfs"', '  target = "/scratch"', '}',
          'mount {', '  type = "bind"', '  source = "/srv/logs"', '  target = "/logs"', '  readonly = false', '}',
          'mount {', '  type = "volume"', '  source = "uploads"', '  target = "/uploads"', '  readonly = true', '}',
        ],
      ),
      { options: { limits: { maxCount: 1000, maxGroups: 200, maxTasks: 50, hostPaths: { allowed: ['/srv'] } } } },
    );
    expect(mapped.groups[0]!.tasks[0]!.mounts).toEqual([
      { type: 'volume', source: 'pg-data', target: '/var/lib/postgresql/data', readOnly: false },
      { type: 'volume', source: 'conf', target: '/etc/db', readOnly: true },
      { type: 'volume', source: 'cache', target: '/cache', readOnly: false },
      { type: 'bind', source: '/srv/site', target: '/site', readOnly: true },
      { type: 'tmpfs', source: '', target: '/scratch', readOnly: false },
      { type: 'bind', source: '/srv/logs', target: '/logs', readOnly: false },
      { type: 'volume', source: 'uploads', target: '/uploads', readOnly: true },
    ]);
    expect(mapped.volumes).toEqual(['pg-data', 'conf', 'cache', 'uploads'].map((name) => ({ name, dockerName: null, external: false, driverOpts: {} })));
  });

  test('a job without volumes has neither volumes nor mounts: its spec hash is what it was', () => {
    const mapped = renderJob(job([], [], []));
    expect(mapped).not.toHaveProperty('volumes');
    expect(mapped.groups[0]!.tasks[0]).not.toHaveProperty('mounts');
  });

  test('bind mounts outside the agent\'s allow-list are refused at their place in the file', () => {
    expect(render(job([], [], ['volumes = ["data:/data", "/var/run/docker.sock:/var/run/docker.sock"]', 'mount {', '  type = "bind"', '  source = "/etc"', '  target = "/etc2"', '}'])).lines).toEqual([
      expect.stringContaining('job.nomad:7:34: config.volumes[1]: mounting the Docker socket (/var/run/docker.sock) is refused'),
      expect.stringContaining('job.nomad:8:9: config.mount: host path /etc is not under a directory the agent allows (allow-host-path: none)'),
    ]);
  });

  test('refused, each at its place: CSI, per_alloc, an undeclared volume, relative paths, options, another driver, two mounts at one path', () => {
    expect(render(job(
      ['volume "csi" {', '  type = "csi"', '  source = "ebs"', '}', 'volume "each" {', '  type = "host"', '  source = "each"', '  per_alloc = true', '}'],
      ['volume_mount {', '  volume = "missing"', '  destination = "/m"', '}'],
      [
        'volumes = ["local/data:/data", "a:/x", "b:/x", "c:/y:z"]',
        'volume_driver = "rexray"',
        'mount {', '  type = "volume"', '  source = "v"', '  target = "/v"', '  volume_options {', '    no_copy = true', '  }', '}',
        'mount {', '  type = "bind"', '  source = "./rel"', '  target = "/rel"', '}',
      ],
    )).lines).toEqual([
      'job.nomad:4:14: volume.csi.type: volume type "csi" is not supported: deckhand mounts host volumes, as named Docker volumes of the job (use type = "host")',
      expect.stringContaining('job.nomad:10:19: volume.each.per_alloc: per_alloc is not supported'),
      expect.stringContaining('job.nomad:15:18: volume_mount.volume: volume "missing" is not declared in the group'),
      expect.stringContaining('job.nomad:20:20: config.volumes[0]: a relative host path (local/data) is refused'),
      expect.stringContaining('job.nomad:20:48: config.volumes[2]: two mounts at /x'),
      expect.stringContaining('job.nomad:20:56: config.volumes[3]: volume mode "z" is not supported'),
      expect.stringContaining('job.nomad:21:25: config.volume_driver: volume driver "rexray" is not supported'),
      expect.stringContaining('job.nomad:26:11: config.mount.volume_options: volume_options is not supported'),
      expect.stringContaining('job.nomad:32:20: config.mount.source: a relative host path (./rel) is refused'),
    ]);
  });
});
