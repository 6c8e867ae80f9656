import { validateJob } from '../../../src/render/validate.js';
import { diagnosticsOf, firstTask, lines, render, renderJob, service } from './helpers.js';

const portsOf = (...lines: string[]) => firstTask(service('ports:', ...lines.map((l) => `  ${l}`))).ports;

const endpointsOf = (...lines: string[]) => renderJob(service('ports:', ...lines.map((l) => `  ${l}`))).job.endpoints;
const endpoint = (port: number, portLabel: string) => ({ port, group: 'web', task: 'web', portLabel, canaries: false });

describe('ports, short syntax', () => {
  test.each([
    ['"8000"', [{ label: '8000', static: null, to: 8000 }], []],
    ['8000', [{ label: '8000', static: null, to: 8000 }], []],
    ['"8000:80"', [{ label: '80', static: null, to: 80 }], [endpoint(8000, '80')]],
    ['"127.0.0.1:8000:80"', [{ label: '80', static: null, to: 80 }], [endpoint(8000, '80')]],
    ['"0.0.0.0:8000:80"', [{ label: '80', static: null, to: 80 }], [endpoint(8000, '80')]],
    ['"127.0.0.1::80"', [{ label: '80', static: null, to: 80 }], []],
    ['"8000:80/tcp"', [{ label: '80', static: null, to: 80 }], [endpoint(8000, '80')]],
    ['"3000-3001"', [{ label: '3000', static: null, to: 3000 }, { label: '3001', static: null, to: 3001 }], []],
    ['"8000-8001:80-81"', [{ label: '80', static: null, to: 80 }, { label: '81', static: null, to: 81 }], [endpoint(8000, '80'), endpoint(8001, '81')]],
  ])('- %s', (entry, ports, endpoints) => {
    const { job } = renderJob(service('ports:', `  - ${entry}`));
    expect(job.groups[0]!.tasks[0]!.ports).toEqual(ports);
    expect(job.endpoints).toEqual(endpoints);
  });

  test('a published port is an endpoint: each replica gets its own host port, the endpoint is the stable one', () => {
    const { job } = renderJob(service('deploy: {replicas: 3}', 'ports: ["18080:8080"]'));
    expect(job.groups[0]!.tasks[0]!.ports).toEqual([{ label: '8080', static: null, to: 8080 }]);
    expect(job.endpoints).toEqual([{ port: 18080, group: 'web', task: 'web', portLabel: '8080', canaries: false }]);
  });

  test('a range of host ports for one container port takes the first, with a warning', () => {
    const result = render(service('ports: ["9090-9091:8080"]'));
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.ports).toEqual([{ label: '8080', static: null, to: 8080 }]);
    expect(result.jobs[0]!.job.endpoints).toEqual([endpoint(9090, '8080')]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'port-range', line: 4, col: 13 })]);
  });

  test.each([
    ['"53:53/udp"', 'services.web.ports[0]: protocol udp is not supported: deckhand maps and serves TCP ports only (a service that needs UDP can use network_mode: host)'],
    ['"8000/sctp"', 'services.web.ports[0]: protocol sctp is not supported: deckhand maps and serves TCP ports only (a service that needs UDP can use network_mode: host)'],
    [
      '"10.0.0.5:8000:80"',
      'services.web.ports[0]: host address 10.0.0.5 is not supported: the agent publishes every port on its own publish address (127.0.0.1 unless its publish-address setting says otherwise) (leave the address out, or write 127.0.0.1 or 0.0.0.0)',
    ],
    [
      '"[::1]:8000:80"',
      'services.web.ports[0]: host address ::1 is not supported: the agent publishes every port on its own publish address (127.0.0.1 unless its publish-address setting says otherwise) (leave the address out, or write 127.0.0.1 or 0.0.0.0)',
    ],
  ])('- %s is refused at the entry', (entry, message) => {
    expect(diagnosticsOf(service('ports:', `  - ${entry}`))).toEqual([`app/docker-compose.yml:5:9: ${message}`]);
  });

  test.each([
    ['"http"', 'the container port must be a number from 1 to 65535 or a range such as 80-81'],
    ['"70000"', 'the container port must be a number from 1 to 65535 or a range such as 80-81'],
    ['"0:80"', 'the host port must be a number from 1 to 65535 or a range such as 8000-8001'],
    ['"80/quic"', 'the protocol must be tcp, udp or sctp'],
    ['"1:2:3:4"', 'too many ":"'],
    ['"[::1:80"', 'the IPv6 address has no closing "]"'],
  ])('- %s is an error at the entry', (entry, why) => {
    expect(diagnosticsOf(service('ports:', `  - ${entry}`))).toEqual([
      `app/docker-compose.yml:5:9: services.web.ports[0]: expected a port such as "80", "8000:80" or "127.0.0.1:8000:80/udp", got ${entry}: ${why}`,
    ]);
  });

  test('ranges of different lengths are an error', () => {
    expect(diagnosticsOf(service('ports: ["8000-8002:80-81"]'))).toEqual([
      'app/docker-compose.yml:4:13: services.web.ports[0]: expected as many host ports as container ports, got 3 host and 2 container ports',
    ]);
  });

  test('ports that are not a list are an error', () => {
    expect(diagnosticsOf(service('ports: "8000:80"'))).toEqual([
      'app/docker-compose.yml:4:12: services.web.ports: expected a list of ports, got "8000:80"',
    ]);
  });
});

describe('ports, long syntax', () => {
  test('target, published, host_ip, protocol, mode and name', () => {
    const { job } = renderJob(service(
      'ports:',
      '  - target: 80',
      '    published: 8080',
      '    host_ip: 127.0.0.1',
      '    protocol: tcp',
      '    mode: ingress',
      '    name: web',
      '    app_protocol: http',
      '  - target: 9000',
      '  - {target: "81", published: "8081"}',
    ));
    expect(job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: 'web', static: null, to: 80 },
      { label: '9000', static: null, to: 9000 },
      { label: '81', static: null, to: 81 },
    ]);
    expect(job.endpoints).toEqual([endpoint(8080, 'web'), endpoint(8081, '81')]);
  });

  test('mode host publishes the target on that fixed host port, with no endpoint (Swarm host-mode publish)', () => {
    const { job } = renderJob(service('ports:', '  - {target: 80, published: 8080, mode: host}', '  - {target: 81, mode: host}'));
    expect(job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: '80', static: 8080, to: 80 },
      { label: '81', static: null, to: 81 },
    ]);
    expect(job.endpoints).toEqual([]);
  });

  test('udp is refused in mode host too: deckhand maps TCP only', () => {
    expect(diagnosticsOf(service('ports:', '  - {target: 53, published: 53, mode: host, protocol: udp}'))).toEqual([
      'app/docker-compose.yml:5:59: services.web.ports[0].protocol: protocol udp is not supported: deckhand maps and serves TCP ports only (a service that needs UDP can use network_mode: host)',
    ]);
  });

  test('a host_ip deckhand cannot publish on is refused at host_ip', () => {
    expect(diagnosticsOf(service('ports:', '  - {target: 80, published: 8080, host_ip: 192.168.1.2}'))).toEqual([
      'app/docker-compose.yml:5:48: services.web.ports[0].host_ip: host address 192.168.1.2 is not supported: the agent publishes every port on its own publish address (127.0.0.1 unless its publish-address setting says otherwise) (leave the address out, or write 127.0.0.1 or 0.0.0.0)',
    ]);
  });

  test('a published range in long syntax', () => {
    expect(endpointsOf('- {target: 80-81, published: 8000-8001}')).toEqual([endpoint(8000, '80'), endpoint(8001, '81')]);
  });

  test('errors are at the field', () => {
    expect(diagnosticsOf(service('ports:', '  - published: 8080', '  - {target: 80, protocol: icmp, mode: bridge}', '  - {target: 80, published: x}'))).toEqual([
      'app/docker-compose.yml:5:9: services.web.ports[0]: expected a "target" (the container port), got none',
      'app/docker-compose.yml:6:32: services.web.ports[1].protocol: expected "tcp", "udp" or "sctp", got "icmp"',
      'app/docker-compose.yml:6:44: services.web.ports[1].mode: expected "host" or "ingress", got "bridge"',
      'app/docker-compose.yml:7:33: services.web.ports[2].published: expected a port from 1 to 65535 or a range such as 8000-8001, got "x"',
    ]);
  });

  test('an unknown key of a port is an error with a did-you-mean', () => {
    expect(diagnosticsOf(service('ports: [{target: 80, publish: 8080}]'))[0]).toBe(
      'app/docker-compose.yml:4:26: services.web.ports[0].publish: unknown field "publish": Compose has no such field here; expected one of target, published, host_ip, protocol, mode, name, app_protocol (did you mean "published"?)',
    );
  });
});

describe('port labels are unique in the service', () => {
  test('one container port published twice: labelled <published>-<target>, two endpoints', () => {
    expect(portsOf('- "8000:80"', '- "8001:80"')).toEqual([
      { label: '8000-80', static: null, to: 80 },
      { label: '8001-80', static: null, to: 80 },
    ]);
    expect(endpointsOf('- "8000:80"', '- "8001:80"')).toEqual([endpoint(8000, '8000-80'), endpoint(8001, '8001-80')]);
  });

  test('passes the shared validation, which refuses a label defined twice', () => {
    const mapped = renderJob(service('ports: ["8000:80", "8001:80", "9000:90"]'));
    expect(lines(validateJob(mapped.job, mapped.fields))).toEqual([]);
    expect(mapped.job.groups[0]!.tasks[0]!.ports.map((p) => p.label)).toEqual(['8000-80', '8001-80', '90']);
  });

  test('without a published port: <target>-<n>, n counting the ports with that target', () => {
    expect(portsOf('- "80"', '- "8000:80"', '- target: 80', '  published: 8001', '  mode: host')).toEqual([
      { label: '80-1', static: null, to: 80 },
      { label: '8000-80', static: null, to: 80 },
      { label: '8001-80', static: 8001, to: 80 },
    ]);
  });

  test('a target no other port has keeps its own number', () => {
    expect(portsOf('- "8000:80"', '- "8001:80"', '- "9090"').map((p) => p.label)).toEqual(['8000-80', '8001-80', '9090']);
  });

  test("the long syntax's name wins", () => {
    expect(portsOf('- {target: 80, published: 8000, name: web}', '- "8001:80"')).toEqual([
      { label: 'web', static: null, to: 80 },
      { label: '8001-80', static: null, to: 80 },
    ]);
  });

  test('a label made up is located at the target', () => {
    const { fields } = renderJob(service('ports:', '  - "8000:80"', '  - target: 80', '    published: 8001'));
    expect(fields.get('groups.0.tasks.0.ports.1.label')).toEqual({ field: 'services.web.ports[1].target', pos: { line: 6, col: 17 } });
  });
});

describe('a host port published twice', () => {
  test('by two services: an error at the second, naming the first', () => {
    const text = 'services:\n  web:\n    image: nginx\n    ports: ["8000:80"]\n  api:\n    image: api\n    ports:\n      - "9000"\n      - "8000:8080"\n';
    const mapped = renderJob(text);
    expect(lines(validateJob(mapped.job, mapped.fields))).toEqual([
      'app/docker-compose.yml:9:9: services.api.ports[1]: host port 8000 is already published by services.web.ports[0] at line 4 (each host port can be published once)',
    ]);
  });

  test('by one service, as an endpoint and as a mode host port', () => {
    const mapped = renderJob(service('ports:', '  - "8000:80"', '  - {target: 81, published: 8000, mode: host}'));
    expect(lines(validateJob(mapped.job, mapped.fields))).toEqual([
      'app/docker-compose.yml:6:33: services.web.ports[1].published: host port 8000 is already published by services.web.ports[0] at line 5 (each host port can be published once)',
    ]);
  });
});

describe('network_mode: host', () => {
  const hostService = (...body: string[]) => service('network_mode: host', ...body);

  test('ports are host ports the process listens on: the published one, else the target; no endpoint, with a warning', () => {
    const result = render(hostService('ports: ["9999:80", "8080", "53:53/udp", "53:53/tcp"]'));
    const { job } = result.jobs[0]!;
    expect(job.groups[0]!.network).toEqual({ mode: 'host', attachments: [] });
    expect(job.groups[0]!.tasks[0]!.ports).toEqual([
      { label: '80', static: 9999, to: null },
      { label: '8080', static: 8080, to: null },
      { label: '53', static: 53, to: null },
    ]);
    expect(job.endpoints).toEqual([]);
    expect(job.networks).toEqual([]);
    expect(lines(result.diagnostics)).toEqual([
      'app/docker-compose.yml:5:5: warning: services.web.ports: with network_mode "host" nothing is mapped (Compose ignores ports): deckhand takes each port as a host port the process listens on, the published one when given, else the target',
    ]);
  });

  test('where a host port comes from', () => {
    const { fields } = renderJob(hostService('ports:', '  - "8080"', '  - {target: 80, published: 9000}'));
    expect(fields.get('groups.0.tasks.0.ports.0.static')).toEqual({ field: 'services.web.ports[0]', pos: { line: 6, col: 9 } });
    expect(fields.get('groups.0.tasks.0.ports.1.static')).toEqual({ field: 'services.web.ports[1].published', pos: { line: 7, col: 33 } });
  });
});

describe('where ports come from', () => {
  test('each port, its to, and each endpoint are located in the file', () => {
    const { fields } = renderJob(service('ports:', '  - "8000:80"', '  - target: 90', '    published: 9000'));
    expect(fields.get('groups.0.tasks.0.ports.0')).toEqual({ field: 'services.web.ports[0]', pos: { line: 5, col: 9 } });
    expect(fields.get('groups.0.tasks.0.ports.1')).toEqual({ field: 'services.web.ports[1]', pos: { line: 6, col: 9 } });
    expect(fields.get('groups.0.tasks.0.ports.1.to')).toEqual({ field: 'services.web.ports[1].target', pos: { line: 6, col: 17 } });
    expect(fields.get('endpoints.0')).toEqual({ field: 'services.web.ports[0]', pos: { line: 5, col: 9 } });
    expect(fields.get('endpoints.1.port')).toEqual({ field: 'services.web.ports[1].published', pos: { line: 7, col: 20 } });
  });
});
