// Which attributes and blocks each Nomad block may hold (Nomad's job specification).
// `used` fields are mapped into the Job; `accepted` ones are valid Nomad that means
// nothing on one Docker engine and is ignored silently; `unsupported` ones are
// valid Nomad whose effect deckhand cannot give, so the user hears about it.
// Anything else is a misspelling until proven otherwise: a warning with a guess.

export interface BlockSchema {
  used: readonly string[];
  accepted: readonly string[];
  unsupported?: Readonly<Record<string, string>>;
  /** Holds free-form keys (env, meta). */
  freeform?: boolean;
}

const placement = ['constraint', 'affinity', 'spread'];

/** Valid Nomad that would change what runs, which deckhand does not do yet: the user must hear it. */
function notApplied(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, `${name} is not applied by deckhand; ignored`]));
}

export const nomadSchema: Readonly<Record<string, BlockSchema>> = {
  file: {
    used: ['job', 'variable', 'variables', 'locals'],
    accepted: [],
  },
  variable: {
    used: ['type', 'default'],
    accepted: ['description', 'sensitive', 'nullable', 'validation'],
  },
  job: {
    used: ['type', 'meta', 'update', 'group'],
    accepted: [
      'datacenters', 'region', 'namespace', 'priority', 'all_at_once', 'node_pool', 'name', 'id', 'vault_token',
      'consul_token', 'migrate', 'reschedule', 'ui', 'vault', 'consul', ...placement,
    ],
    unsupported: {
      periodic: 'periodic jobs are batch jobs; deckhand runs service jobs',
      parameterized: 'parameterized jobs are batch jobs; deckhand runs service jobs',
      multiregion: 'deckhand runs on one Docker engine; multiregion is ignored',
    },
  },
  group: {
    used: ['count', 'task', 'update', 'restart', 'network', 'service', 'meta', 'shutdown_delay'],
    accepted: [
      'stop_after_client_disconnect', 'max_client_disconnect', 'prevent_reschedule_on_lost',
      'ephemeral_disk', 'migrate', 'reschedule', 'scaling', 'disconnect', 'vault', 'consul', ...placement,
    ],
    unsupported: { volume: 'volumes are not mounted by deckhand; ignored' },
  },
  task: {
    used: ['driver', 'config', 'env', 'resources', 'service', 'restart', 'meta', 'kill_timeout', 'shutdown_delay', 'lifecycle', 'user', 'kill_signal', 'template'],
    accepted: ['leader', 'kind', 'logs', 'vault', 'consul', 'identity', 'scaling', 'dispatch_payload', 'csi_plugin', ...placement],
    unsupported: {
      artifact: 'artifacts are not downloaded by deckhand; ignored',
      volume_mount: 'volumes are not mounted by deckhand; ignored',
    },
  },
  config: {
    used: [
      'image', 'command', 'args', 'entrypoint', 'ports', 'healthchecks', 'network_mode',
      // Container settings (container-settings.ts).
      'labels', 'work_dir', 'hostname', 'extra_hosts', 'dns_servers', 'dns_search_domains', 'dns_options', 'cap_add',
      'cap_drop', 'readonly_rootfs', 'sysctl', 'ulimit', 'shm_size', 'init', 'logging',
    ],
    accepted: [
      'auth', 'auth_soft_fail', 'force_pull', 'image_pull_timeout', 'container_exists_attempts', 'load', 'interactive',
      'tty', 'advertise_ipv6_address', 'ipv4_address', 'ipv6_address', 'mac_address', 'isolation', 'cpu_cfs_period',
    ],
    unsupported: {
      ...notApplied([
        'volumes', 'mount', 'mounts', 'port_map', 'privileged', 'devices', 'security_opt', 'ipc_mode', 'pid_mode',
        'userns_mode', 'uts_mode', 'runtime', 'storage_opt', 'cpuset_cpus', 'group_add', 'memory_hard_limit',
        'cpu_hard_limit', 'oom_score_adj', 'pids_limit',
      ]),
    },
  },
  // Inline data only; what a template does when Consul or Vault data changes means nothing for fixed content (template.ts).
  template: {
    used: ['data', 'destination', 'env', 'perms', 'left_delimiter', 'right_delimiter', 'source', 'uid', 'gid'],
    accepted: ['change_mode', 'change_signal', 'change_script', 'splay', 'wait', 'error_on_missing_key', 'once', 'vault_grace'],
  },
  healthchecks: {
    used: ['disable'],
    accepted: [],
  },
  lifecycle: {
    used: ['hook', 'sidecar'],
    accepted: [],
  },
  logging: {
    used: ['type', 'driver', 'config'],
    accepted: [],
  },
  resources: {
    used: ['cpu', 'cores', 'memory', 'network'],
    accepted: ['disk', 'iops', 'secrets'],
    unsupported: notApplied(['memory_max', 'device', 'numa']),
  },
  network: {
    used: ['port', 'mode', 'hostname', 'dns'],
    accepted: ['mbits', 'cni'],
  },
  dns: {
    used: ['servers', 'searches', 'options'],
    accepted: [],
  },
  port: {
    used: ['static', 'to'],
    accepted: ['host_network', 'ignore_collision'],
  },
  update: {
    used: [
      'max_parallel', 'health_check', 'min_healthy_time', 'healthy_deadline', 'progress_deadline', 'auto_revert',
      'auto_promote', 'canary',
    ],
    accepted: ['stagger'],
  },
  restart: {
    used: ['attempts', 'interval', 'delay', 'mode'],
    accepted: ['render_templates'],
  },
  service: {
    used: ['port', 'check', 'task', 'name'],
    accepted: [
      'tags', 'canary_tags', 'enable_tag_override', 'address_mode', 'provider', 'meta', 'canary_meta', 'on_update',
      'address', 'connect', 'tagged_addresses', 'identity', 'cluster', 'kind',
    ],
  },
  check: {
    used: ['type', 'port', 'path', 'method', 'interval', 'timeout', 'name', 'failures_before_critical', 'protocol'],
    accepted: [
      'check_restart', 'command', 'args', 'expose', 'grpc_service', 'grpc_use_tls', 'initial_status',
      'success_before_passing', 'failures_before_warning', 'task', 'on_update', 'address_mode', 'notes',
    ],
    unsupported: notApplied(['header', 'body', 'tls_skip_verify', 'tls_server_name']),
  },
  env: { used: [], accepted: [], freeform: true },
  meta: { used: [], accepted: [], freeform: true },
  locals: { used: [], accepted: [], freeform: true },
  variables: { used: [], accepted: [], freeform: true },
};
