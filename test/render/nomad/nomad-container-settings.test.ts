import { flattenTask } from '../../../src/model/spec/flatten.js';
import { render, renderJob } from '../../helpers/render.js';

/** A job of one group `web`; the group body holds the task. */
const job = (groupBody: string) => `job "shop" {
  group "web" {
${groupBody}
  }
}
`;
/** A task `server` whose docker config lines start at line 7 (after `image` at line 6) and whose body follows the config. */
const task = (config = '', body = '') => `    task "server" {
      driver = "docker"
      config {
        image = "demo:v1"
${config}
      }
${body}
    }`;

const settingsOf = (text: string) => renderJob(text).groups[0]!.tasks[0]!.container;

describe('Nomad container settings', () => {
  it('maps every docker config setting, the task user and kill_signal', () => {
    const config = `        labels {
          team = "shop"
        }
        work_dir           = "/srv"
        hostname           = "web-1"
        extra_hosts        = ["db.internal:10.0.0.5", "v6:::1"]
        dns_servers        = ["1.1.1.1"]
        dns_search_domains = ["corp.example"]
        dns_options        = ["ndots:2"]
        cap_add            = ["net_admin", "CAP_SYS_TIME"]
        cap_drop           = ["all"]
        readonly_rootfs    = true
        sysctl             = { "net.core.somaxconn" = "1024" }
        ulimit {
          nofile = "2048:4096"
          nproc  = "512"
        }
        shm_size = 67108864
        init     = false
        logging {
          type = "json-file"
          config {
            max-size = "10m"
            max-file = 3
          }
        }`;
    const result = render(job(task(config, '      user        = "1000:1000"\n      kill_signal = "SIGINT"')));
    expect(result.lines).toEqual([]);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.container).toEqual({
      labels: { team: 'shop' },
      user: '1000:1000',
      stopSignal: 'SIGINT',
      workingDir: '/srv',
      hostname: 'web-1',
      extraHosts: ['db.internal:10.0.0.5', 'v6:::1'],
      dns: ['1.1.1.1'],
      dnsSearch: ['corp.example'],
      dnsOptions: ['ndots:2'],
      capAdd: ['NET_ADMIN', 'SYS_TIME'],
      capDrop: ['ALL'],
      readOnlyRootfs: true,
      sysctls: { 'net.core.somaxconn': '1024' },
      ulimits: [{ name: 'nofile', soft: 2048, hard: 4096 }, { name: 'nproc', soft: 512, hard: 512 }],
      shmSizeBytes: 67108864,
      init: false,
      logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
    });
    // Each setting is recorded where it is written.
    const fields = result.jobs[0]!.fields;
    expect(fields.get('groups.0.tasks.0.container.workingDir')).toEqual({ field: 'config.work_dir', pos: { line: 10, col: 30 } });
    expect(fields.get('groups.0.tasks.0.container.user')).toEqual({ field: 'user', pos: { line: 34, col: 21 } });
    expect(fields.get('groups.0.tasks.0.container.labels.team')).toEqual({ field: 'config.labels.team', pos: { line: 8, col: 11 } });
  });

  it('a task without settings has no container object, so it flattens as before', () => {
    const t = renderJob(job(task())).groups[0]!.tasks[0]!;
    expect(t.container).toBeUndefined();
    expect(flattenTask(t).objects.some((o) => o.kind === 'Container')).toBe(false);
  });

  it.each([
    ['a map', '        labels = { "traefik.http.routers.web.rule" = "Host(`shop.example`)", tier = 2 }'],
    ['the older list of maps', '        labels = [{ "traefik.http.routers.web.rule" = "Host(`shop.example`)" }, { tier = 2 }]'],
  ])('labels as %s', (_, config) => {
    expect(settingsOf(job(task(config)))!.labels).toEqual({ 'traefik.http.routers.web.rule': 'Host(`shop.example`)', tier: '2' });
  });

  it('a label value may use a runtime variable, kept as written for the placement', () => {
    expect(settingsOf(job(task('        labels = { alloc = "${NOMAD_ALLOC_ID}" }')))!.labels).toEqual({ alloc: '${NOMAD_ALLOC_ID}' });
  });

  it('logging: driver is the older name of type; options need a type', () => {
    expect(settingsOf(job(task('        logging {\n          driver = "local"\n        }')))!.logging).toEqual({ driver: 'local', options: {} });
    expect(settingsOf(job(task('        logging {\n          type = "local"\n          config = [{ max-size = "1m" }]\n        }')))!.logging).toEqual({ driver: 'local', options: { 'max-size': '1m' } });
    expect(render(job(task('        logging {\n          type   = "local"\n          driver = "syslog"\n        }'))).lines).toEqual([
      'job.nomad:9:20: config.logging.driver: driver "syslog" and type "local" disagree (driver is the older name of type: keep one)',
    ]);
    expect(render(job(task('        logging {\n          config {\n            max-size = "1m"\n          }\n        }'))).lines).toEqual([
      'job.nomad:7:9: config.logging.type: logging options need a logging type (add type = "json-file" (or the driver they are for))',
    ]);
  });

  it('the group network\'s dns replaces the docker config\'s, its hostname is the default for each task', () => {
    const network = `    network {
      hostname = "shop"
      dns {
        servers  = ["10.0.0.2"]
        searches = ["svc.example"]
      }
    }`;
    const text = job(`${network}\n${task('        dns_servers = ["8.8.8.8"]\n        dns_options = ["ndots:1"]')}\n    task "named" {\n      driver = "docker"\n      config {\n        image    = "x"\n        hostname = "own"\n      }\n    }`);
    const result = render(text);
    expect(result.lines).toEqual(['job.nomad:6:20: warning: network.dns.servers: this network\'s dns replaces the docker config\'s dns_* settings of task "server", as in Nomad (set DNS in one place)']);
    const [server, named] = result.jobs[0]!.job.groups[0]!.tasks;
    expect(server!.container).toEqual({ dns: ['10.0.0.2'], dnsSearch: ['svc.example'], hostname: 'shop' });
    expect(named!.container).toEqual({ hostname: 'own', dns: ['10.0.0.2'], dnsSearch: ['svc.example'] });
    expect(result.jobs[0]!.fields.get('groups.0.tasks.0.container.dns')).toEqual({ field: 'network.dns.servers', pos: { line: 6, col: 20 } });
  });

  it('bad forms are errors at the field', () => {
    const lines = (config: string, body = '') => render(job(task(config, body))).lines;
    expect(lines('        cap_add = ["net_admin", "fly"]')).toEqual(['job.nomad:7:19: config.cap_add: "fly" is not a Linux capability (write it as Docker does, e.g. "net_admin" or "NET_ADMIN")']);
    expect(lines('        extra_hosts = ["db"]')).toEqual(['job.nomad:7:23: config.extra_hosts: expected a "name:address" line, e.g. "db.internal:10.0.0.5", got "db"']);
    expect(lines('        ulimit {\n          nofile = "many"\n        }')).toEqual(['job.nomad:8:11: config.ulimit.nofile: expected "soft:hard" or one number, got "many" (e.g. nofile = "2048:4096")']);
    expect(lines('        shm_size = "64m"')).toEqual(['job.nomad:7:20: config.shm_size: expected a whole number, got "64m"']);
    expect(lines('', '      kill_signal = "SIGNOPE"')).toEqual(['job.nomad:9:21: kill_signal: expected a signal name such as "SIGINT" or "SIGQUIT", or its number, got "SIGNOPE"']);
    expect(lines('        labels = ["a"]')).toEqual(['job.nomad:7:18: config.labels: expected a map of strings (or a list of maps)']);
  });

  it('the shared checks point at the Nomad field: a reserved label, a soft limit above the hard one, a hostname on the host network', () => {
    const lines = (config: string) => render(job(task(config))).lines;
    expect(lines('        labels = {\n          "deckhand.job" = "other"\n        }')).toEqual([
      'job.nomad:8:11: config.labels.deckhand.job: label "deckhand.job" is reserved: deckhand\'s own labels start with "deckhand." (choose another prefix)',
    ]);
    expect(lines('        ulimit = { nofile = "4096:2048" }')).toEqual(['job.nomad:7:18: config.ulimit: ulimit "nofile": the soft limit 4096 is above the hard limit 2048']);
    expect(lines('        network_mode = "host"\n        hostname     = "web"')).toEqual([
      'job.nomad:8:24: config.hostname: a hostname cannot be set on the host\'s network: the container has the host\'s name (use bridge networking, or drop the hostname)',
    ]);
  });

  it('settings Nomad has that deckhand does not apply are still said', () => {
    expect(render(job(task('        privileged = true'))).lines).toEqual(['job.nomad:7:9: warning: config.privileged: privileged is not applied by deckhand; ignored']);
  });
});

describe('Nomad DNS and hostname in other places', () => {
  it('the older task-level network gives its dns and hostname to its own task', () => {
    const text = job(task('', '      resources {\n        network {\n          hostname = "own"\n          dns {\n            servers = ["10.0.0.2"]\n          }\n        }\n      }'));
    expect(settingsOf(text)).toEqual({ hostname: 'own', dns: ['10.0.0.2'] });
  });

  it('name servers are addresses', () => {
    expect(render(job(task('        dns_servers = ["dns.example"]'))).lines).toEqual(['job.nomad:7:23: config.dns_servers: expected IPv4 or IPv6 addresses, got "dns.example"']);
    expect(render(job(`    network {\n      dns {\n        servers = ["ns1"]\n      }\n    }\n${task()}`)).lines).toEqual(['job.nomad:5:19: network.dns.servers: expected IPv4 or IPv6 addresses, got "ns1"']);
  });
});
