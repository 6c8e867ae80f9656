// The Nomad decision table (schema.ts): every refused field is an error at its own
// name, wherever its block sits; no name is decided twice.
import { nomadSchema } from '../../../src/render/nomad/schema.js';
import { render } from '../../helpers/render.js';

/** A job with `line` placed inside the named block; the line it lands on. */
function jobWith(block: string, line: string): { text: string; at: number } {
  const inside: Record<string, string[]> = {
    job: ['job "web" {', '@', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    group: ['job "web" {', '  group "web" {', '@', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    task: ['job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '@', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    config: ['job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '@', '      }', '    }', '  }', '}'],
    resources: ['job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '      resources {', '@', '      }', '    }', '  }', '}'],
    service: ['job "web" {', '  group "web" {', '    network {', '      port "http" {}', '    }', '    service {', '      port = "http"', '@', '    }', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    check: ['job "web" {', '  group "web" {', '    network {', '      port "http" {}', '    }', '    service {', '      port = "http"', '      check {', '        type = "tcp"', '@', '      }', '    }', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    ephemeral_disk: ['job "web" {', '  group "web" {', '    ephemeral_disk {', '@', '    }', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    variable: ['variable "v" {', '@', '}', 'job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
  };
  const lines = inside[block]!;
  return { text: `${lines.map((l) => (l === '@' ? line : l)).join('\n')}\n`, at: lines.indexOf('@') + 1 };
}

const refusals = Object.entries(nomadSchema).flatMap(([block, schema]) => Object.keys(schema.refused ?? {}).map((field) => [block, field] as const));

describe('Nomad field decisions', () => {
  test('each field of a block is decided once', () => {
    for (const [block, schema] of Object.entries(nomadSchema)) {
      const names = [...schema.used, ...(schema.explainedByMapping ?? []), ...Object.keys(schema.accepted), ...Object.keys(schema.refused ?? {}), ...Object.keys(schema.deprecated ?? {})];
      expect({ block, duplicates: names.filter((n, i) => names.indexOf(n) !== i) }).toEqual({ block, duplicates: [] });
    }
  });

  // Nomad's own fields per block: the hcl tags of hashicorp/nomad's api package and the
  // docker driver's config spec (drivers/docker/config.go) at aa026cc (August 2026).
  const nomadFields: Record<string, string> = {
    job: 'affinity all_at_once constraint datacenters group id meta migrate multiregion name namespace node_pool parameterized periodic priority region reschedule spread type ui update',
    group: 'affinity constraint consul count disconnect ephemeral_disk max_client_disconnect max_run_duration meta migrate network prevent_reschedule_on_lost reschedule restart scaling service shutdown_delay spread stop_after_client_disconnect task update volume',
    task: 'action affinity artifact config constraint consul csi_plugin dispatch_payload driver env identity kill_signal kill_timeout kind leader lifecycle logs meta resources restart scaling schedule secret service shutdown_delay template user vault volume_mount',
    service: 'address address_mode canary_meta canary_tags check check_restart cluster connect enable_tag_override identity kind meta name on_update port provider tagged_addresses tags task weights',
    check: 'address_mode advertise args body check_restart command expose failures_before_critical failures_before_warning grpc_service grpc_use_tls header initial_status interval method name notes on_update path port protocol success_before_passing task timeout tls_server_name tls_skip_verify type',
    resources: 'cores cpu device disk iops memory memory_max network numa secrets',
    network: 'cidr cni device dns hostname ip mbits mode port reserved_ports',
    port: 'host_network ignore_collision static to',
    update: 'auto_promote auto_revert canary health_check healthy_deadline max_parallel min_healthy_time progress_deadline stagger',
    restart: 'attempts delay interval mode render_templates',
    template: 'change_mode change_script change_signal data destination env error_on_missing_key gid left_delimiter once perms right_delimiter source splay uid vault_grace wait',
    volume: 'access_mode attachment_mode mount_options per_alloc read_only source sticky type',
    volume_mount: 'destination propagation_mode read_only selinux_label volume',
    lifecycle: 'hook sidecar',
    constraint: 'attribute operator value',
    spread: 'attribute target weight',
    ephemeral_disk: 'migrate size sticky',
    dns: 'options searches servers',
    config:
      'advertise_ipv6_address args auth auth_soft_fail cap_add cap_drop cgroupns command cpuset_cpus cpu_hard_limit cpu_cfs_period container_exists_attempts devices dns_search_domains dns_options dns_servers entrypoint extra_hosts force_pull group_add healthchecks hostname image init interactive ipc_mode ipv4_address ipv6_address isolation labels load logging mac_address memory_hard_limit mount mounts network_aliases network_mode oom_score_adj runtime pids_limit pid_mode ports port_map privileged image_pull_timeout readonly_rootfs security_opt shm_size storage_opt sysctl tty ulimit uts_mode userns_mode volumes volume_driver work_dir',
  };

  test.each(Object.entries(nomadFields))('every field of Nomad\'s %s block is decided', (block, fields) => {
    const schema = nomadSchema[block]!;
    const decided = new Set([...schema.used, ...(schema.explainedByMapping ?? []), ...Object.keys(schema.accepted), ...Object.keys(schema.refused ?? {}), ...Object.keys(schema.deprecated ?? {})]);
    expect(fields.split(' ').filter((field) => !decided.has(field))).toEqual([]);
  });

  test('every block with refusals can be tested here', () => {
    expect(refusals.length).toBeGreaterThan(40);
  });

  test('false for a refused switch asks for nothing: accepted', () => {
    const { text } = jobWith('config', '        privileged = false\n        tty = false\n        interactive = false');
    const result = render(text.replace('      driver = "docker"', '      driver = "docker"\n      leader = false'));
    expect(result.lines).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });

  test.each([
    ['service', '      check_restart {\n        limit = 3\n        grace = "90s"\n      }'],
    ['check', '        check_restart {\n          limit = 3\n        }'],
    ['service', '      weights {\n        passing = 10\n        warning = 1\n      }'],
    ['task', '      action "dump" {\n        command = "/bin/dump"\n        args    = ["-v"]\n      }'],
  ])('valid Nomad that changes nothing here is accepted silently: %s %s', (block, body) => {
    const result = render(jobWith(block, body).text);
    expect(result.lines).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });

  test('an ephemeral_disk that only sizes the allocation directory is accepted, without effect', () => {
    const result = render(jobWith('ephemeral_disk', '      size = 300\n      migrate = false\n      sticky = false').text);
    expect(result.lines).toEqual([]);
    expect(result.jobs).toHaveLength(1);
    expect(result.settings).toContainEqual(expect.objectContaining({ line: 4, field: 'ephemeral_disk.size', use: 'no-effect', reason: expect.stringContaining('does not enforce it') }));
    expect(result.settings).toContainEqual(expect.objectContaining({ line: 5, field: 'ephemeral_disk.migrate', use: 'carried-out' }));
  });

  test.each([
    ['task', 'secret "db" {\n        provider = "nomad"\n        path     = "db"\n      }', 'secret is not supported: deckhand fetches no secrets'],
    ['group', 'max_run_duration = "1h"', 'max_run_duration is not supported: deckhand does not stop an allocation after a set time'],
    ['ephemeral_disk', 'migrate = true', 'migrate is not supported: deckhand removes an allocation\'s directory with it'],
    ['ephemeral_disk', 'sticky = true', 'sticky is not supported: deckhand removes an allocation\'s directory with it'],
  ])('valid Nomad that would change what runs is refused with why: %s %s', (block, body, message) => {
    const result = render(jobWith(block, body).text);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', message: expect.stringContaining(message) }));
  });

  test.each(refusals)('%s.%s is refused at its name as unsupported, and no job is made', (block, field) => {
    const { text, at } = jobWith(block, `${field} = true`);
    const result = render(text);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', line: at, message: expect.stringMatching(new RegExp(`^${field} is not supported: `)) }));
  });
});
