// Field names of the Compose specification (compose-spec/compose-spec, schema
// compose-spec.json). What deckhand does with each known field is decided in
// field-decisions.ts; anything else is an `unknown-field` error with a did-you-mean.

const set = (...names: string[]): ReadonlySet<string> => new Set(names);

export const topLevelKeys = set('version', 'name', 'include', 'services', 'networks', 'volumes', 'configs', 'secrets', 'models');

export const serviceKeys = set(
  'annotations', 'attach', 'blkio_config', 'build', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent',
  'command', 'configs', 'container_name', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota',
  'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares', 'cpus', 'cpuset', 'credential_spec', 'depends_on',
  'deploy', 'develop', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname',
  'driver_opts', 'entrypoint', 'env_file', 'environment', 'expose', 'extends', 'external_links',
  'extra_hosts', 'gpus', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc', 'isolation',
  'label_file', 'labels', 'links', 'logging', 'mac_address', 'mem_limit', 'mem_reservation',
  'mem_swappiness', 'memswap_limit', 'models', 'network_mode', 'networks', 'oom_kill_disable',
  'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'post_start', 'pre_stop', 'privileged',
  'profiles', 'provider', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets',
  'security_opt', 'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt',
  'sysctls', 'tmpfs', 'tty', 'ulimits', 'use_api_socket', 'user', 'userns_mode', 'uts', 'volumes',
  'volumes_from', 'working_dir',
);

export const deployKeys = set(
  'endpoint_mode', 'labels', 'mode', 'placement', 'replicas', 'resources', 'restart_policy', 'rollback_config', 'update_config',
);

export const placementKeys = set('constraints', 'preferences', 'max_replicas_per_node');
export const preferenceKeys = set('spread');

export const updateConfigKeys = set('parallelism', 'delay', 'failure_action', 'monitor', 'max_failure_ratio', 'order');

export const resourcesKeys = set('limits', 'reservations');
export const limitsKeys = set('cpus', 'memory', 'pids');
export const reservationsKeys = set('cpus', 'memory', 'generic_resources', 'devices');

export const restartPolicyKeys = set('condition', 'delay', 'max_attempts', 'window');

export const healthcheckKeys = set('test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable');

export const portKeys = set('target', 'published', 'host_ip', 'protocol', 'mode', 'name', 'app_protocol');

/** A top-level network. */
export const networkKeys = set('name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'enable_ipv4', 'enable_ipv6', 'attachable', 'labels');

/** An entry of a service's `networks` map. */
export const serviceNetworkKeys = set(
  'aliases', 'interface_name', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'driver_opts', 'priority', 'gw_priority',
);

export const envFileKeys = set('path', 'required', 'format');
