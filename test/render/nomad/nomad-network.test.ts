import { render, renderJob } from '../../helpers/render.js';

/** A job of one group `web` with the given group body (network, tasks...). */
const job = (groupBody: string, count = 3) => `job "shop" {
  group "web" {
    count = ${count}
${groupBody}
  }
}
`;
const task = (name: string, config = '', body = '') => `    task "${name}" {
      driver = "docker"
      config {
        image = "demo:v1"
${config}
      }
${body}
    }`;

describe('Nomad networking', () => {
  it.each(['', 'mode = "host"', 'mode = "bridge"'])('group network %s: the job network, ports mapped', (mode) => {
    const mapped = renderJob(job(`    network {\n      ${mode}\n      port "http" { to = 8080 }\n      port "db" {}\n    }\n${task('server', '        ports = ["http"]')}`));
    expect(mapped.networks).toEqual([{ name: 'default', dockerName: null, external: false }]);
    expect(mapped.groups[0]!.network).toEqual({ mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] });
    expect(mapped.groups[0]!.tasks[0]!.ports).toEqual([
      { label: 'http', static: null, to: 8080 },
      { label: 'db', static: null, to: null },
    ]);
    expect(mapped.endpoints).toEqual([]);
  });

  it('a static port is an endpoint, led to the task whose config publishes it; each allocation maps its own host port', () => {
    const text = job(`    network {\n      port "http" {\n        static = 8000\n        to     = 80\n      }\n      port "admin" { static = 9000 }\n    }\n${task('sidecar')}\n${task('server', '        ports = ["http"]')}`);
    const result = render(text);
    expect(result.lines).toEqual([]);
    const mapped = result.jobs[0]!;
    expect(mapped.job.endpoints).toEqual([
      { port: 8000, group: 'web', task: 'server', portLabel: 'http', canaries: false },
      // Published by no task's config: the group's first task.
      { port: 9000, group: 'web', task: 'sidecar', portLabel: 'admin', canaries: false },
    ]);
    expect(mapped.job.groups[0]!.tasks[1]!.ports).toEqual([
      { label: 'http', static: null, to: 80 },
      // No `to`: the container listens on the static number.
      { label: 'admin', static: null, to: 9000 },
    ]);
    expect(mapped.fields.get('endpoints.0')).toEqual({ field: 'network.port.http', pos: { line: 5, col: 12 } });
    expect(mapped.fields.get('endpoints.1.port')).toEqual({ field: 'network.port.admin.static', pos: { line: 9, col: 31 } });
    expect(mapped.fields.get('groups.0.tasks.1.ports.1.to')).toEqual({ field: 'network.port.admin.static', pos: { line: 9, col: 31 } });
  });

  it('docker network_mode = "host": the host network, static ports are host ports, no endpoint, no job network', () => {
    const result = render(job(`    network {\n      port "http" {\n        static = 8000\n        to     = 80\n      }\n      port "dyn" {}\n    }\n${task('server', '        network_mode = "host"')}`, 1));
    expect(result.lines).toEqual(['job.nomad:7:18: warning: network.port.http.to: to is not used on the host\'s network: the process listens on the host port itself']);
    const mapped = result.jobs[0]!;
    expect(mapped.job.groups[0]!.network).toEqual({ mode: 'host', attachments: [] });
    expect(mapped.job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: 'http', static: 8000, to: null },
      { label: 'dyn', static: null, to: null },
    ]);
    expect(mapped.job.endpoints).toEqual([]);
    expect(mapped.job.networks).toEqual([]);
    expect(mapped.fields.get('groups.0.network.mode')).toEqual({ field: 'config.network_mode', pos: { line: 15, col: 24 } });
  });

  it.each(['bridge', 'default'])('docker network_mode = "%s" is the job network', (mode) => {
    expect(renderJob(job(task('server', `        network_mode = "${mode}"`))).groups[0]!.network.mode).toBe('bridge');
  });

  it.each(['none', 'container:abc', 'my-net'])('docker network_mode = "%s" is refused', (mode) => {
    expect(render(job(task('server', `        network_mode = "${mode}"`))).lines).toEqual([
      `job.nomad:8:24: config.network_mode: network_mode "${mode}" is not supported: a task joins the job's network, or the host's with "host" (remove network_mode, or set it to "host")`,
    ]);
  });

  it.each([
    ['cni/mynet', 'deckhand runs no CNI plugins'],
    ['none', "deckhand maps each task's ports on the job's network"],
  ])('group network mode "%s" is refused', (mode, why) => {
    expect(render(job(`    network {\n      mode = "${mode}"\n    }\n${task('server')}`)).lines).toEqual([
      `job.nomad:5:14: network.mode: network mode "${mode}" is not supported: ${why} (use mode = "bridge" (or "host", the same here), or network_mode = "host" in the docker config)`,
    ]);
  });

  it('the docker driver\'s port_map is the "to" of the task\'s own ports, warned as deprecated; other labels map nothing, as in Nomad', () => {
    const result = render(
      job(`    network {\n      port "db" { to = 5432 }\n    }\n${task('server', '        port_map {\n          http = 8080\n          db   = 9999\n        }', '      resources {\n        network {\n          port "http" {}\n        }\n      }')}`),
    );
    expect(result.jobs).toHaveLength(1);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: 'db', static: null, to: 5432 },
      { label: 'http', static: null, to: 8080 },
    ]);
    expect(result.lines).toEqual([
      'job.nomad:11:9: warning: config.port_map: port_map is deprecated: it is the docker driver\'s old form of a port\'s "to"; deckhand maps it so: set "to" on the group network\'s port and list the port under ports',
      'job.nomad:11:9: warning: config.port_map.db: the task has no port "db": nothing is mapped for it, as in Nomad (its ports: "http")',
    ]);
  });

  it('port_map on the group network\'s ports is refused, as Nomad does; beside config ports it is passed over with a warning; a bad number is an error', () => {
    const portMap = '        port_map {\n          http = 8080\n        }';
    const group = render(job(`    network {\n      port "http" {}\n    }\n${task('server', portMap)}`));
    expect(group.jobs).toEqual([]);
    expect(group.lines).toContain('job.nomad:11:9: config.port_map: port_map cannot map the group network\'s ports (Nomad refuses it too) (set "to" on the group network\'s port and list the port under config ports)');
    const listed = render(job(`    network {\n      port "http" { to = 80 }\n    }\n${task('server', `        ports = ["http"]\n${portMap}`)}`));
    expect(listed.jobs[0]!.job.groups[0]!.tasks[0]!.ports).toEqual([{ label: 'http', static: null, to: 80 }]);
    expect(listed.lines).toContain('job.nomad:12:9: warning: config.port_map: port_map is not used: config ports lists the group network\'s ports, whose own "to" applies, as in Nomad (remove port_map)');
    const bad = render(job(task('server', '        port_map {\n          http = "web"\n        }', '      resources {\n        network {\n          port "http" {}\n        }\n      }')));
    expect(bad.jobs).toEqual([]);
    expect(bad.lines).toEqual(expect.arrayContaining([expect.stringContaining('config.port_map.http: expected a port number from 1 to 65535, got "web"')]));
  });

  it('a group whose tasks differ in network_mode is refused', () => {
    expect(render(job(`${task('a', '        network_mode = "host"')}\n${task('b')}`)).lines).toEqual([
      'job.nomad:8:24: config.network_mode: task "a" runs on the host\'s network, but task "b" of group "web" does not (a group\'s tasks share one network: set network_mode = "host" on all of them or none)',
    ]);
  });

  it('two groups with the same static port: an error at the second', () => {
    const text = `job "shop" {
  group "a" {
    network {
      port "http" { static = 8000 }
    }
${task('t')}
  }
  group "b" {
    network {
      port "http" { static = 8000 }
    }
${task('t')}
  }
}
`;
    expect(render(text).lines).toEqual(['job.nomad:17:30: network.port.http.static: host port 8000 is already published by network.port.http.static at line 4 (each host port can be published once)']);
  });
});

describe('Nomad shutdown_delay and kill_timeout', () => {
  it('shutdown_delay of the group, the task\'s winning; kill_timeout of the task', () => {
    const result = render(job(`    shutdown_delay = "5s"\n${task('a', '', '      kill_timeout = "20s"')}\n${task('b', '', '      shutdown_delay = "2s"')}`));
    expect(result.lines).toEqual([]);
    const mapped = result.jobs[0]!;
    const tasks = mapped.job.groups[0]!.tasks;
    expect(tasks.map((t) => [t.name, t.shutdownDelayMs, t.killTimeoutMs])).toEqual([
      ['a', 5_000, 20_000],
      ['b', 2_000, null],
    ]);
    expect(mapped.fields.get('groups.0.tasks.0.shutdownDelayMs')).toEqual({ field: 'shutdown_delay', pos: { line: 4, col: 22 } });
    expect(mapped.fields.get('groups.0.tasks.0.killTimeoutMs')).toEqual({ field: 'kill_timeout', pos: { line: 11, col: 22 } });
  });

  it('absent: no delay, the agent\'s kill timeout', () => {
    const t = renderJob(job(task('a'))).groups[0]!.tasks[0]!;
    expect([t.shutdownDelayMs, t.killTimeoutMs]).toEqual([0, null]);
  });

  it('a bad duration is an error at the field', () => {
    expect(render(job(task('a', '', '      kill_timeout = "soon"'))).lines).toEqual(['job.nomad:10:22: kill_timeout: expected a duration such as "30s" or "1m30s", got "soon"']);
  });

  it('a network dns or hostname block is given to the group\'s tasks (nomad-container-settings.test.ts)', () => {
    const result = render(job(`    network {\n      hostname = "web"\n      dns {\n        servers = ["1.1.1.1"]\n      }\n      port "http" {}\n    }\n${task('server')}`));
    expect(result.lines).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.container).toEqual({ hostname: 'web', dns: ['1.1.1.1'] });
  });
});

describe('Nomad task lifecycle', () => {
  const lifecycle = (body: string) => `      lifecycle {\n${body}\n      }`;

  it('prestart and poststart tasks, sidecar or not; a task without a lifecycle block is a main task', () => {
    const result = render(job(`${task('migrate', '', lifecycle('        hook = "prestart"'))}\n${task('proxy', '', lifecycle('        hook = "prestart"\n        sidecar = true'))}\n${task('web')}\n${task('warm', '', lifecycle('        hook = "poststart"'))}`));
    expect(result.lines).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.tasks.map((t) => [t.name, t.lifecycle])).toEqual([
      ['migrate', { hook: 'prestart', sidecar: false }],
      ['proxy', { hook: 'prestart', sidecar: true }],
      ['web', undefined],
      ['warm', { hook: 'poststart', sidecar: false }],
    ]);
  });

  it('poststop is refused at the hook; a group of lifecycle tasks only has no main task', () => {
    expect(render(job(`${task('cleanup', '', lifecycle('        hook = "poststop"'))}\n${task('web')}`)).lines).toEqual([
      'job.nomad:11:16: lifecycle.hook: poststop tasks are not run by deckhand (use hook = "prestart" or "poststart")',
    ]);
    expect(render(job(task('migrate', '', lifecycle('        hook = "prestart"')))).lines).toEqual([
      'job.nomad:11:16: lifecycle.hook: group "web" needs a main task: every task has a lifecycle hook (remove the lifecycle block of the task the group is for)',
    ]);
  });
});
