import { validateJob } from '../../../src/render/validate.js';
import { diagnosticsOf, firstTask, lines, render, renderJob, service } from './helpers.js';

const portsOf = (...lines: string[]) => firstTask(service('ports:', ...lines.map((l) => `  ${l}`))).ports;

describe('ports, short syntax', () => {
  test.each([
    ['"8000"', [{ label: '8000', static: null, to: 8000 }]],
    ['8000', [{ label: '8000', static: null, to: 8000 }]],
    ['"8000:80"', [{ label: '80', static: 8000, to: 80 }]],
    ['"127.0.0.1:8000:80"', [{ label: '80', static: 8000, to: 80 }]],
    ['"127.0.0.1::80"', [{ label: '80', static: null, to: 80 }]],
    ['"[::1]:8000:80"', [{ label: '80', static: 8000, to: 80 }]],
    ['"53:53/udp"', [{ label: '53', static: 53, to: 53 }]],
    ['"8000:80/tcp"', [{ label: '80', static: 8000, to: 80 }]],
    ['"3000-3001"', [{ label: '3000', static: null, to: 3000 }, { label: '3001', static: null, to: 3001 }]],
    ['"8000-8001:80-81"', [{ label: '80', static: 8000, to: 80 }, { label: '81', static: 8001, to: 81 }]],
  ])('- %s', (entry, expected) => {
    expect(portsOf(`- ${entry}`)).toEqual(expected);
  });

  test('the same mapping for tcp and udp is one port: containers share the host network', () => {
    expect(portsOf('- "53:53/tcp"', '- "53:53/udp"')).toEqual([{ label: '53', static: 53, to: 53 }]);
  });

  test('a range of host ports for one container port takes the first, with a warning', () => {
    const result = render(service('ports: ["9090-9091:8080"]'));
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.ports).toEqual([{ label: '8080', static: 9090, to: 8080 }]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'port-range', line: 4, col: 13 })]);
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
    const ports = portsOf(
      '- target: 80',
      '  published: 8080',
      '  host_ip: 127.0.0.1',
      '  protocol: tcp',
      '  mode: host',
      '  name: web',
      '  app_protocol: http',
      '- target: 9000',
      '- {target: "81", published: "8081"}',
    );
    expect(ports).toEqual([
      { label: 'web', static: 8080, to: 80 },
      { label: '9000', static: null, to: 9000 },
      { label: '81', static: 8081, to: 81 },
    ]);
  });

  test('a published range in long syntax', () => {
    expect(portsOf('- {target: 80-81, published: 8000-8001}')).toEqual([
      { label: '80', static: 8000, to: 80 },
      { label: '81', static: 8001, to: 81 },
    ]);
  });

  test('errors are at the field', () => {
    expect(diagnosticsOf(service('ports:', '  - published: 8080', '  - {target: 80, protocol: icmp, mode: bridge}', '  - {target: 80, published: x}'))).toEqual([
      'app/docker-compose.yml:5:9: services.web.ports[0]: expected a "target" (the container port), got none',
      'app/docker-compose.yml:6:32: services.web.ports[1].protocol: expected "tcp", "udp" or "sctp", got "icmp"',
      'app/docker-compose.yml:6:44: services.web.ports[1].mode: expected "host" or "ingress", got "bridge"',
      'app/docker-compose.yml:7:33: services.web.ports[2].published: expected a port from 1 to 65535 or a range such as 8000-8001, got "x"',
    ]);
  });

  test('an unknown key of a port is a warning with a did-you-mean', () => {
    expect(diagnosticsOf(service('ports: [{target: 80, publish: 8080}]'))[0]).toBe(
      'app/docker-compose.yml:4:26: warning: services.web.ports[0].publish: unknown field "publish" is ignored; expected one of target, published, host_ip, protocol, mode, name, app_protocol (did you mean "published"?)',
    );
  });
});

describe('port labels are unique in the service', () => {
  test('one container port published twice: labelled <published>-<target>', () => {
    expect(portsOf('- "8000:80"', '- "8001:80"')).toEqual([
      { label: '8000-80', static: 8000, to: 80 },
      { label: '8001-80', static: 8001, to: 80 },
    ]);
  });

  test('passes the shared validation, which refuses a label defined twice', () => {
    const mapped = renderJob(service('ports: ["8000:80", "8001:80", "9000:90"]'));
    expect(lines(validateJob(mapped.job, mapped.fields))).toEqual([]);
    expect(mapped.job.groups[0]!.tasks[0]!.ports.map((p) => p.label)).toEqual(['8000-80', '8001-80', '90']);
  });

  test('without a published port: <target>-<n>, n counting the ports with that target', () => {
    expect(portsOf('- "80"', '- "8000:80"', '- target: 80', '  published: 8001', '  protocol: udp')).toEqual([
      { label: '80-1', static: null, to: 80 },
      { label: '8000-80', static: 8000, to: 80 },
      { label: '8001-80', static: 8001, to: 80 },
    ]);
  });

  test('a target no other port has keeps its own number', () => {
    expect(portsOf('- "8000:80"', '- "8001:80"', '- "9090"').map((p) => p.label)).toEqual(['8000-80', '8001-80', '9090']);
  });

  test("the long syntax's name wins", () => {
    expect(portsOf('- {target: 80, published: 8000, name: web}', '- "8001:80"')).toEqual([
      { label: 'web', static: 8000, to: 80 },
      { label: '8001-80', static: 8001, to: 80 },
    ]);
  });

  test('the same mapping written twice, or for tcp and udp, is still one port', () => {
    expect(portsOf('- "8000:80/tcp"', '- "8000:80/udp"', '- "8000:80"')).toEqual([{ label: '80', static: 8000, to: 80 }]);
  });

  test('a label made up is located at the target', () => {
    const { fields } = renderJob(service('ports:', '  - "8000:80"', '  - target: 80', '    published: 8001'));
    expect(fields.get('groups.0.tasks.0.ports.1.label')).toEqual({ field: 'services.web.ports[1].target', pos: { line: 6, col: 17 } });
  });
});

describe('where ports come from', () => {
  test('each port, its static and its to are located in the file', () => {
    const { fields } = renderJob(service('ports:', '  - "8000:80"', '  - target: 90', '    published: 9000'));
    expect(fields.get('groups.0.tasks.0.ports.0')).toEqual({ field: 'services.web.ports[0]', pos: { line: 5, col: 9 } });
    expect(fields.get('groups.0.tasks.0.ports.1')).toEqual({ field: 'services.web.ports[1]', pos: { line: 6, col: 9 } });
    expect(fields.get('groups.0.tasks.0.ports.1.to')).toEqual({ field: 'services.web.ports[1].target', pos: { line: 6, col: 17 } });
    expect(fields.get('groups.0.tasks.0.ports.1.static')).toEqual({ field: 'services.web.ports[1].published', pos: { line: 7, col: 20 } });
  });
});
