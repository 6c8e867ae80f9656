import { diagnosticsOf, firstTask, jobOf, renderJob, service } from './helpers.js';

const stack = (...lines: string[]) => lines.join('\n') + '\n';

describe('networks', () => {
  test('without networks every service joins default, the one job network', () => {
    const job = jobOf(stack('services:', '  web: {image: nginx}', '  db: {image: postgres}'));
    expect(job.networks).toEqual([{ name: 'default', dockerName: null, external: false }]);
    expect(job.groups.map((g) => g.network)).toEqual([
      { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
      { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
    ]);
  });

  test('declared networks, joined in list and map form, with aliases; only joined networks exist', () => {
    const { job, fields } = renderJob(stack(
      'services:',
      '  web:',
      '    image: nginx',
      '    networks: [front, back]',
      '  db:',
      '    image: postgres',
      '    networks:',
      '      back:',
      '        aliases: [database, pg]',
      '  cache:',
      '    image: redis',
      'networks:',
      '  front:',
      '  back: {driver: bridge, name: shop-back, attachable: true}',
      '  shared: {external: true, name: proxy-net}',
    ));
    expect(job.networks).toEqual([
      { name: 'default', dockerName: null, external: false },
      { name: 'front', dockerName: null, external: false },
      { name: 'back', dockerName: 'shop-back', external: false },
    ]);
    expect(job.groups.map((g) => g.network.attachments)).toEqual([
      [{ network: 'front', aliases: [] }, { network: 'back', aliases: [] }],
      [{ network: 'back', aliases: ['database', 'pg'] }],
      [{ network: 'default', aliases: [] }],
    ]);
    expect(fields.get('networks.2')).toEqual({ field: 'networks.back', pos: { line: 14, col: 3 } });
    expect(fields.get('groups.1.network.attachments.0')).toEqual({ field: 'services.db.networks.back', pos: { line: 8, col: 7 } });
    expect(fields.get('groups.0.network.attachments.1')).toEqual({ field: 'services.web.networks[1]', pos: { line: 4, col: 23 } });
  });

  test('an external network is joined by its name, or the older external.name', () => {
    const job = jobOf(stack(
      'services:',
      '  web: {image: nginx, networks: [proxy, legacy, plain]}',
      'networks:',
      '  proxy: {external: true, name: traefik}',
      '  legacy: {external: {name: old-net}}',
      '  plain: {external: true}',
    ));
    expect(job.networks).toEqual([
      { name: 'proxy', dockerName: 'traefik', external: true },
      { name: 'legacy', dockerName: 'old-net', external: true },
      { name: 'plain', dockerName: 'plain', external: true },
    ]);
  });

  test('the default network may be given a name, or be an external one', () => {
    const job = jobOf(stack('services:', '  web: {image: nginx}', 'networks:', '  default: {external: true, name: my-net}'));
    expect(job.networks).toEqual([{ name: 'default', dockerName: 'my-net', external: true }]);
  });

  test('a declared network no service joins is a notice, and not made', () => {
    expect(diagnosticsOf(stack('services:', '  web: {image: nginx}', 'networks:', '  spare: {}'))).toEqual([
      'app/docker-compose.yml:4:3: notice: networks.spare: network "spare" is joined by no service; deckhand does not make it',
    ]);
  });

  test.each([
    ['driver: overlay', 'app/docker-compose.yml:4:18: networks.back.driver: network driver "overlay" is not supported: deckhand runs on one Docker engine and makes each network a user-defined bridge (remove the driver, or set it to "bridge")'],
    ['ipam: {config: [{subnet: 10.5.0.0/16}]}', 'app/docker-compose.yml:4:10: networks.back.ipam: ipam (fixed subnets and addresses) is not applied: Docker picks the subnet of the bridge deckhand makes'],
    ['driver_opts: {com.docker.network.driver.mtu: 1400}', 'app/docker-compose.yml:4:10: networks.back.driver_opts: driver_opts are not applied to the bridge deckhand makes'],
    ['internal: true', "app/docker-compose.yml:4:20: networks.back.internal: internal: true is not supported: deckhand's bridge networks have internal false"],
    ['enable_ipv6: true', "app/docker-compose.yml:4:23: networks.back.enable_ipv6: enable_ipv6: true is not supported: deckhand's bridge networks have enable_ipv6 false"],
    ['external: true, driver: bridge', 'app/docker-compose.yml:4:26: networks.back.driver: an external network is joined as it is: "driver" cannot be set beside "external: true"'],
  ])('a network with %s is refused', (settings, message) => {
    expect(diagnosticsOf(stack('services:', '  web: {image: nginx, networks: [back]}', 'networks:', '  back:', `    {${settings}}`).replace('  back:\n    {', '  back: {'))).toEqual([message]);
  });

  test('a network a service names that is not declared is an error, as in Compose', () => {
    expect(diagnosticsOf(stack('services:', '  web:', '    image: nginx', '    networks: [front, backend]', 'networks:', '  front:', '  back:'))).toEqual([
      'app/docker-compose.yml:4:23: services.web.networks[1]: service "web" joins network "backend", which is not declared under the top-level networks (declared: "front", "back")',
      'app/docker-compose.yml:7:3: notice: networks.back: network "back" is joined by no service; deckhand does not make it',
    ]);
  });

  test.each(['ipv4_address: 10.5.0.5', 'mac_address: 02:42:ac:11:65:43', 'priority: 10'])('a service network with %s is refused', (setting) => {
    const [key] = setting.split(':');
    expect(diagnosticsOf(stack('services:', '  web:', '    image: nginx', '    networks:', '      back:', `        ${setting}`, 'networks:', '  back:'))).toEqual([
      `app/docker-compose.yml:6:9: services.web.networks.back.${key}: ${key} is not supported: Docker gives each container of a network its own address, and deckhand runs several of each service (reach the service by its name or an alias)`,
    ]);
  });
});

describe('network_mode', () => {
  test('host runs the service on the host network', () => {
    const { job, fields } = renderJob(service('network_mode: host'));
    expect(job.groups[0]!.network).toEqual({ mode: 'host', attachments: [] });
    expect(job.networks).toEqual([]);
    expect(fields.get('groups.0.network.mode')).toEqual({ field: 'services.web.network_mode', pos: { line: 4, col: 19 } });
  });

  test.each(['none', 'bridge', 'service:db', 'container:abc'])('network_mode %s is refused', (mode) => {
    expect(diagnosticsOf(service(`network_mode: "${mode}"`))).toEqual([
      `app/docker-compose.yml:4:19: services.web.network_mode: network_mode "${mode}" is not supported: a service joins the job's networks, or the host's with "host" (remove network_mode to join the job's networks, where services reach each other by name)`,
    ]);
  });

  test('network_mode and networks together are an error, as in Compose', () => {
    expect(diagnosticsOf(service('network_mode: host', 'networks: [default]'))).toEqual([
      'app/docker-compose.yml:5:5: services.web.networks: a service with network_mode cannot also join networks, as in Compose',
    ]);
  });
});

describe('stop_grace_period', () => {
  test('is the kill timeout', () => {
    const { job, fields } = renderJob(service('stop_grace_period: 1m30s'));
    expect(job.groups[0]!.tasks[0]!.killTimeoutMs).toBe(90_000);
    expect(fields.get('groups.0.tasks.0.killTimeoutMs')).toEqual({ field: 'services.web.stop_grace_period', pos: { line: 4, col: 24 } });
  });

  test('absent: the agent default', () => {
    expect(firstTask(service()).killTimeoutMs).toBeNull();
  });

  test('a bad duration is an error at the field', () => {
    expect(diagnosticsOf(service('stop_grace_period: soon'))).toEqual([
      'app/docker-compose.yml:4:24: services.web.stop_grace_period: expected a duration such as "10s" or "1m30s", got "soon"',
    ]);
  });
});
