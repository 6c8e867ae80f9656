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

  test('refused, each at its line: a relative host path, an anonymous volume, an undeclared one, another driver, a mount type, bind options', () => {
    expect(diagnosticsOf(stack(
      'services:',
      '  db:',
      '    image: postgres',
      '    volumes:',
      '      - ./conf:/etc/conf',
      '      - /data',
      '      - missing:/m',
      '      - {type: bind, source: /srv/x, target: /host, bind: {create_host_path: true}}',
      '      - {type: npipe, source: x, target: /y}',
      '      - data:/a',
      '      - data:/a',
      '      - {type: bind, source: ../up, target: /up}',
      'volumes:',
      '  data: {driver: rexray}',
    ))).toEqual([
      expect.stringContaining('app/docker-compose.yml:5:9: services.db.volumes[0]: a relative host path (./conf) mounted read-write is refused'),
      expect.stringContaining('app/docker-compose.yml:6:9: services.db.volumes[1]: an anonymous volume at /data would be a new, empty one for every container'),
      expect.stringContaining('app/docker-compose.yml:7:9: services.db.volumes[2]: service "db" mounts volume "missing", which is not declared in the top-level volumes'),
      expect.stringContaining('app/docker-compose.yml:8:78: services.db.volumes[3].bind.create_host_path: bind option create_host_path: true is not supported'),
      expect.stringContaining('mount type "npipe" is not supported'),
      expect.stringContaining('app/docker-compose.yml:11:9: services.db.volumes[6]: two mounts at /a'),
      expect.stringContaining('app/docker-compose.yml:12:30: services.db.volumes[7].source: a relative host path (../up) mounted read-write is refused'),
      expect.stringContaining('app/docker-compose.yml:14:18: volumes.data.driver: volume driver "rexray" is not supported'),
    ]);
  });

  test('a file of the repository mounted read-only is the task\'s file, as it is at the revision rendered; read-write, a folder, a home folder or a path out of the repository is refused', () => {
    const files = { 'app/nginx/nginx.conf': 'events {}\nhttp { server { listen 80; } }\n', 'app/init.sql': 'create table t (id int);\n', 'app/site/index.html': '<p>hi</p>' };
    const task = jobOf(stack(
      'services:',
      '  web:',
      '    image: nginx',
      '    volumes:',
      '      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro',
      '      - {type: bind, source: init.sql, target: /docker-entrypoint-initdb.d/init.sql, read_only: true}',
      '      - data:/data',
      'volumes:',
      '  data: {}',
    ), { files }).groups[0]!.tasks[0]!;
    expect(task.files).toEqual([
      { target: '/etc/nginx/nginx.conf', content: files['app/nginx/nginx.conf'], mode: 0o444, sensitive: false },
      { target: '/docker-entrypoint-initdb.d/init.sql', content: files['app/init.sql'], mode: 0o444, sensitive: false },
    ]);
    expect(task.mounts).toEqual([{ type: 'volume', source: 'data', target: '/data', readOnly: false }]);

    expect(diagnosticsOf(stack(
      'services:',
      '  web:',
      '    image: nginx',
      '    volumes:',
      '      - ./nginx/nginx.conf:/etc/nginx/nginx.conf',
      '      - ./site:/usr/share/nginx/html:ro',
      '      - ~/data:/data:ro',
      '      - ../../etc/passwd:/p:ro',
    ), { files })).toEqual([
      'app/docker-compose.yml:5:9: services.web.volumes[0]: a relative host path (./nginx/nginx.conf) mounted read-write is refused: Compose reads it from the file\'s folder, which for deckhand is a checkout of one revision, not a place on the host that lasts, so what the container writes there would be lost (to mount the repository\'s file as it is at the revision deployed, mount it read-only ("./nginx/nginx.conf:/etc/nginx/nginx.conf:ro"); for data, use a named volume (top-level volumes))',
      'app/docker-compose.yml:6:9: services.web.volumes[1]: "./site" is not a file of the repository, or not UTF-8 text (looked for app/site); deckhand mounts single files of the repository read-only, never a folder (add the file to the repository; for a folder, mount each of its files, or build them into the image)',
      'app/docker-compose.yml:7:9: services.web.volumes[2]: a host path in a home folder (~/data) is refused: it would be the home of the agent\'s user, on the agent\'s host (use a named volume (top-level volumes) for data, or an absolute path under a directory the agent allows (allow-host-path))',
      'app/docker-compose.yml:8:9: services.web.volumes[3]: expected a path inside the repository, got "../../etc/passwd", which leads out of it (deckhand mounts files of the repository only)',
    ]);
  });

  test('a mounted script (known by its #!, as the tree keeps no file modes) stays executable', () => {
    const task = jobOf(stack('services:', '  web:', '    image: nginx', '    volumes: ["./entrypoint.sh:/entrypoint.sh:ro"]'), { files: { 'app/entrypoint.sh': '#!/bin/sh\nexec nginx\n' } }).groups[0]!.tasks[0]!;
    expect(task.files).toEqual([{ target: '/entrypoint.sh', content: '#!/bin/sh\nexec nginx\n', mode: 0o555, sensitive: false }]);
  });

  test('a repository file mounted where a config or another mount already is: two mounts', () => {
    expect(diagnosticsOf(stack(
      'services:',
      '  web:',
      '    image: nginx',
      '    volumes: ["./init.sql:/etc/site.conf:ro"]',
      '    configs: [{source: site, target: /etc/site.conf}]',
      'configs:',
      '  site: {content: "x"}',
    ), { files: { 'app/init.sql': 'x' } })).toEqual(['app/docker-compose.yml:4:15: services.web.volumes[0]: two mounts at /etc/site.conf']);
  });

  test('SELinux relabelling of a host path is refused: deckhand would not do it', () => {
    expect(diagnosticsOf(stack('services:', '  web:', '    image: nginx', '    volumes: ["/srv/site:/site:ro,Z"]'))).toEqual([
      expect.stringContaining('app/docker-compose.yml:4:15: services.web.volumes[0]: volume mode "Z" is not supported: deckhand never relabels a host path for SELinux'),
    ]);
  });

  test('an absolute host path is a bind mount, in short and long syntax', () => {
    const task = jobOf(stack(
      'services:',
      '  web:',
      '    image: nginx',
      '    volumes:',
      '      - /srv/site:/usr/share/nginx/html:ro',
      '      - {type: bind, source: /srv/logs, target: /logs, bind: {create_host_path: false}}',
    )).groups[0]!.tasks[0]!;
    expect(task.mounts).toEqual([
      { type: 'bind', source: '/srv/site', target: '/usr/share/nginx/html', readOnly: true },
      { type: 'bind', source: '/srv/logs', target: '/logs', readOnly: false },
    ]);
  });
});
