// Which attributes and blocks each Nomad block may hold (Nomad's job
// specification), and what deckhand does with each: the one table of decisions
// for Nomad (docs/spec.md points here).
//   used         mapped into the Job;
//   accepted     valid Nomad that changes nothing on one Docker engine, accepted
//                silently for the reason given;
//   refused      valid Nomad that would change what runs, which deckhand does not
//                do: an error at the field (code `unsupported`);
//   deprecated   a form Nomad itself calls deprecated: accepted with a warning (and
//                read when listed in readDeprecated).
//   explainedByMapping  read by the mapping, which says block by block what each
//                comes to (constraint, spread: placement.ts).
// Every key a file holds is listed by `validate --explain` with its decision (explain.ts).
// Anything else is a misspelling: an error, as Nomad's "Unsupported argument", with a guess.

import { placementWithoutSwarmEquivalent } from '../placement.js';

export interface Refusal {
  why: string;
  hint?: string;
  /** An attribute value that asks for nothing deckhand does not already do (`privileged = false`): accepted. */
  harmless?: (value: unknown) => boolean;
}

const isFalse = (value: unknown) => value === false || value === 'false';

export interface BlockSchema {
  used: readonly string[];
  accepted: Readonly<Record<string, string>>;
  refused?: Readonly<Record<string, Refusal>>;
  deprecated?: Readonly<Record<string, string>>;
  /** Deprecated keys the mapping still reads (port_map); the others change nothing. */
  readDeprecated?: readonly string[];
  /** Keys the mapping reads and explains itself, block by block (a constraint may be carried or not). */
  explainedByMapping?: readonly string[];
  /** Holds free-form keys (env, meta). */
  freeform?: boolean;
}

const placementReason = 'it chooses among Nomad clients; deckhand runs on one engine (or one swarm), the only datacenter and node pool, whatever their names';
/** `constraint` and `spread` are read by placement.ts, which says what each one comes to; `affinity` is a preference Swarm lacks. */
const placement = { affinity: `${placementWithoutSwarmEquivalent} (a soft preference, which Swarm lacks)` };
const placementBlocks = ['constraint', 'spread'];
const clientLoss = 'it says what happens when a Nomad client loses its servers; deckhand runs beside its engine';
const moves = 'it moves allocations between Nomad clients; deckhand has one engine and replaces failed allocations itself';
const consul = 'deckhand registers nothing in Consul; its edge serves the job\'s ports';
const scaling = 'a policy for the Nomad Autoscaler; count is what runs';
const catalogue = 'it is what Consul or Nomad\'s catalogue say about the service; deckhand\'s edge serves the port without a catalogue';
const vault: Refusal = { why: 'deckhand has no Vault: no token would reach the tasks' };

function refused(why: string, names: string[], hint?: string, harmless?: (value: unknown) => boolean): Record<string, Refusal> {
  return Object.fromEntries(names.map((name) => [name, { why, ...(hint ? { hint } : {}), ...(harmless ? { harmless } : {}) }]));
}

export const nomadSchema: Readonly<Record<string, BlockSchema>> = {
  file: {
    used: ['job', 'variable', 'variables', 'locals'],
    accepted: {},
  },
  variable: {
    used: ['type', 'default'],
    accepted: {
      description: 'it documents the variable',
      sensitive: 'it hides the value in Nomad\'s output; deckhand masks secret-looking values by name',
      nullable: 'deckhand reads a null value as unset either way',
    },
    refused: { validation: { why: 'validation rules are not checked, so a value they refuse would run', hint: 'remove the validation block' } },
  },
  job: {
    used: ['type', 'meta', 'update', 'group'],
    accepted: {
      datacenters: placementReason,
      region: 'deckhand is one region',
      namespace: 'Nomad namespaces divide one cluster; deckhand knows a job by its id',
      priority: 'it orders scheduling and preemption in a cluster; deckhand places every job',
      all_at_once: 'it says how Nomad\'s scheduler places allocations; deckhand places them on its one engine',
      node_pool: placementReason,
      name: 'a display name; the job id is the block\'s label',
      id: 'the job id is the block\'s label',
      vault_token: 'a token for Nomad\'s servers to check at submission',
      consul_token: 'a token for Nomad\'s servers to check at submission',
      migrate: moves,
      reschedule: moves,
      ui: 'descriptions and links for Nomad\'s web UI',
      consul,
      ...placement,
    },
    explainedByMapping: placementBlocks,
    refused: {
      periodic: { why: 'periodic jobs are batch jobs; deckhand runs service jobs' },
      parameterized: { why: 'parameterized jobs are batch jobs; deckhand runs service jobs' },
      multiregion: { why: 'deckhand runs one region on one Docker engine, so the counts per region would not apply' },
      vault,
    },
  },
  group: {
    used: ['count', 'task', 'update', 'restart', 'network', 'service', 'meta', 'shutdown_delay', 'volume', 'ephemeral_disk'],
    accepted: {
      stop_after_client_disconnect: clientLoss,
      max_client_disconnect: clientLoss,
      prevent_reschedule_on_lost: clientLoss,
      disconnect: clientLoss,
      migrate: moves,
      reschedule: moves,
      scaling,
      consul,
      ...placement,
    },
    explainedByMapping: placementBlocks,
    refused: {
      vault,
      max_run_duration: { why: 'deckhand does not stop an allocation after a set time: it would run on', hint: 'remove max_run_duration' },
    },
  },
  task: {
    used: ['driver', 'config', 'env', 'resources', 'service', 'restart', 'meta', 'kill_timeout', 'shutdown_delay', 'lifecycle', 'user', 'kill_signal', 'volume_mount', 'template'],
    accepted: {
      kind: 'Nomad sets it on Consul Connect proxies',
      action: 'an action is a command an operator runs on demand through Nomad (nomad action); it changes nothing that runs',
      logs: 'it rotates Nomad\'s log files; Docker keeps the container\'s logs',
      scaling,
      consul,
      ...placement,
    },
    explainedByMapping: placementBlocks,
    refused: {
      leader: { why: 'deckhand does not stop a group\'s other tasks when one exits', harmless: isFalse },
      vault,
      identity: { why: 'no workload identity token is given to the task' },
      dispatch_payload: { why: 'dispatch payloads belong to parameterized jobs, which deckhand does not run' },
      csi_plugin: { why: 'deckhand runs no CSI plugins' },
      artifact: { why: 'artifacts are not downloaded: the task would start without its files', hint: 'build the files into the image' },
      secret: { why: 'deckhand fetches no secrets from Vault or Nomad variables: the task would start without them', hint: 'write the value in a template whose destination is under secrets/ (env = true makes it environment variables); deckhand masks it' },
      schedule: { why: 'task schedules (Nomad Enterprise) are not applied: the task would run outside its schedule' },
    },
  },
  config: {
    used: [
      'image', 'command', 'args', 'entrypoint', 'ports', 'healthchecks', 'network_mode',
      // Container settings (container-settings.ts).
      'labels', 'work_dir', 'hostname', 'extra_hosts', 'dns_servers', 'dns_search_domains', 'dns_options', 'cap_add',
      'cap_drop', 'readonly_rootfs', 'sysctl', 'ulimit', 'shm_size', 'init', 'logging',
      // Images (pull policy, credentials).
      'force_pull', 'auth',
      // Volumes (volumes.ts).
      'volumes', 'mount', 'volume_driver',
    ],
    accepted: {
      auth_soft_fail: 'deckhand never pulls without the credentials it was given: a refused pull fails the allocation',
      image_pull_timeout: 'how long Nomad waits for a pull; deckhand\'s pulls end on their own',
      pull_activity_timeout: 'how long Nomad waits for a pull; deckhand\'s pulls end on their own',
      container_exists_attempts: 'how often Nomad retries a name clash; deckhand names each container uniquely',
      advertise_ipv6_address: 'what Nomad advertises to Consul',
    },
    refused: {
      ...refused('deckhand does not run privileged containers', ['privileged'], 'remove privileged; grant single capabilities with cap_add', isFalse),
      ...refused('host devices are not mapped into deckhand\'s containers', ['devices']),
      ...refused('security options (seccomp, AppArmor, SELinux labels, no-new-privileges) are not applied', ['security_opt']),
      ...refused('deckhand gives each container its own namespaces, as Docker\'s defaults', ['ipc_mode', 'pid_mode', 'userns_mode', 'uts_mode', 'cgroupns']),
      ...refused('deckhand runs containers with the engine\'s default runtime', ['runtime', 'isolation']),
      ...refused('storage driver options are not applied', ['storage_opt']),
      ...refused('CPU pinning, CFS periods and hard CPU limits are not applied', ['cpuset_cpus', 'cpu_cfs_period', 'cpu_hard_limit'], 'limit CPUs with resources { cores }'),
      ...refused('memory_hard_limit is not applied', ['memory_hard_limit'], 'set resources { memory }, which is the container\'s limit'),
      ...refused('supplementary groups are not set', ['group_add']),
      ...refused('OOM scores are not adjusted', ['oom_score_adj']),
      ...refused('process limits are not applied', ['pids_limit']),
      ...refused('Docker gives each container its own addresses, and deckhand runs several of each task', ['ipv4_address', 'ipv6_address', 'mac_address']),
      ...refused('network aliases are not made; tasks reach each other through the job\'s network', ['network_aliases']),
      ...refused('containers run without a terminal or an open stdin', ['tty', 'interactive'], undefined, isFalse),
      ...refused('images are pulled from a registry; deckhand loads no image archives', ['load']),
      mounts: { why: 'mounts is the docker driver\'s old list form, which deckhand does not read', hint: 'write each as a mount { type target source } block' },
    },
    // Mapped to each port's `to` (task.ts), with this warning.
    readDeprecated: ['port_map'],
    deprecated: { port_map: 'it is the docker driver\'s old form of a port\'s "to"; deckhand maps it so: set "to" on the group network\'s port and list the port under ports' },
  },
  // Inline data only; what a template does when Consul or Vault data changes means nothing for fixed content (template.ts).
  template: {
    used: ['data', 'destination', 'env', 'perms', 'left_delimiter', 'right_delimiter', 'source', 'uid', 'gid'],
    accepted: {
      change_mode: 'the content is fixed in the file, so it never changes under a running task',
      change_signal: 'the content is fixed in the file, so it never changes under a running task',
      change_script: 'the content is fixed in the file, so it never changes under a running task',
      splay: 'the content is fixed in the file, so it never changes under a running task',
      wait: 'it paces re-rendering from Consul or Vault, which deckhand does not do',
      error_on_missing_key: 'templates with {{ }} are refused, so no key can be missing',
      once: 'the content is rendered once, when the allocation is placed',
      vault_grace: 'deprecated in Nomad and without effect',
    },
  },
  // deckhand's allocation directory (/alloc) is a volume made with the allocation and removed with it.
  ephemeral_disk: {
    used: [],
    accepted: { size: 'Nomad uses it to place allocations and does not enforce it; deckhand has one engine' },
    refused: {
      ...refused(
        'deckhand removes an allocation\'s directory with it: nothing in /alloc/data is kept for, or moved to, the allocation that replaces it',
        ['migrate', 'sticky'],
        'keep the data in a host volume (group volume { type = "host" } and the task\'s volume_mount), or set it to false',
        isFalse,
      ),
    },
  },
  healthchecks: {
    used: ['disable'],
    accepted: {},
  },
  lifecycle: {
    used: ['hook', 'sidecar'],
    accepted: {},
  },
  volume: {
    used: ['type', 'source', 'read_only', 'per_alloc', 'access_mode', 'attachment_mode', 'mount_options', 'sticky'],
    accepted: {},
  },
  volume_mount: {
    used: ['volume', 'destination', 'read_only', 'propagation_mode', 'selinux_label'],
    accepted: {},
  },
  mount: {
    used: ['type', 'target', 'source', 'readonly', 'bind_options', 'volume_options', 'tmpfs_options'],
    accepted: {},
  },
  auth: {
    used: ['username', 'password', 'server_address'],
    accepted: { email: 'registries ignore it; Docker dropped it' },
  },
  logging: {
    used: ['type', 'driver', 'config'],
    accepted: {},
  },
  resources: {
    used: ['cpu', 'cores', 'memory', 'network'],
    accepted: {
      disk: 'it sized the allocation directory, which deckhand does not make',
      secrets: 'it sizes Nomad\'s secrets directory, which deckhand does not make',
    },
    deprecated: { iops: 'Nomad ignores it' },
    refused: {
      memory_max: { why: 'memory oversubscription is not applied: the container\'s limit is memory', hint: 'set memory to the limit the task needs' },
      device: { why: 'devices (GPUs) are not given to deckhand\'s containers' },
      numa: { why: 'NUMA placement is not applied' },
    },
  },
  network: {
    used: ['port', 'mode', 'hostname', 'dns'],
    accepted: {
      mbits: 'Nomad no longer reserves bandwidth, nor does deckhand',
      cni: 'arguments for CNI plugins, read only with a cni/ mode, which is refused',
      ...Object.fromEntries(['device', 'cidr', 'ip', 'reserved_ports'].map((name) => [name, 'it describes a Nomad client\'s network interface as Nomad fingerprints it, not what a job asks for'])),
    },
  },
  dns: {
    used: ['servers', 'searches', 'options'],
    accepted: {},
  },
  port: {
    used: ['static', 'to'],
    accepted: {
      host_network: 'it chooses among a Nomad client\'s host networks; deckhand publishes on its own address',
      ignore_collision: 'deckhand refuses a host port two allocations would share',
    },
  },
  update: {
    used: [
      'max_parallel', 'health_check', 'min_healthy_time', 'healthy_deadline', 'progress_deadline', 'auto_revert',
      'auto_promote', 'canary',
    ],
    accepted: {},
    deprecated: { stagger: 'Nomad paces updates by min_healthy_time, as deckhand does; it is ignored' },
  },
  restart: {
    used: ['attempts', 'interval', 'delay', 'mode'],
    accepted: { render_templates: 'it re-renders templates on a restart' },
  },
  service: {
    used: ['port', 'check', 'task', 'name'],
    accepted: {
      tags: catalogue,
      canary_tags: catalogue,
      enable_tag_override: catalogue,
      address_mode: catalogue,
      provider: catalogue,
      meta: catalogue,
      canary_meta: catalogue,
      address: catalogue,
      tagged_addresses: catalogue,
      identity: catalogue,
      cluster: catalogue,
      kind: catalogue,
      weights: catalogue,
      check_restart: 'deckhand restarts a task whose container exits and replaces an allocation whose checks fail after it was healthy, by its own rules',
    },
    refused: {
      connect: { why: 'Consul Connect sidecars and upstreams are not run', hint: 'reach the other jobs\' endpoints through deckhand\'s edge' },
      on_update: { why: 'every check counts towards a deployment\'s health in deckhand', hint: 'remove on_update' },
    },
  },
  check: {
    used: ['type', 'port', 'path', 'method', 'interval', 'timeout', 'name', 'failures_before_critical', 'protocol', 'grpc_service', 'grpc_use_tls'],
    accepted: {
      check_restart: 'deckhand restarts a task whose container exits and replaces an allocation whose checks fail after it was healthy, by its own rules',
      command: 'read only by script checks, which type refuses',
      args: 'read only by script checks, which type refuses',
      expose: 'it exposes the check through Consul Connect; deckhand probes the container directly',
      initial_status: 'deckhand counts an allocation healthy only once its checks pass',
      failures_before_warning: 'deckhand has no warning state: a check passes or fails',
      task: 'deckhand probes the task that owns the port',
      address_mode: 'deckhand probes the container\'s own address',
      notes: 'it documents the check',
      advertise: catalogue,
    },
    refused: {
      success_before_passing: { why: 'a check passes on its first success in deckhand' },
      on_update: { why: 'every check counts towards a deployment\'s health in deckhand', hint: 'remove on_update' },
      ...refused('checks are sent without headers or a body', ['header', 'body']),
      ...refused('deckhand probes checks over plain http', ['tls_skip_verify', 'tls_server_name']),
    },
  },
  constraint: {
    used: ['attribute', 'operator', 'value', 'distinct_hosts', 'distinct_property', 'regexp', 'set_contains', 'version', 'semver'],
    accepted: {},
  },
  spread: {
    used: ['attribute', 'weight', 'target'],
    accepted: {},
  },
  target: {
    used: ['percent'],
    accepted: {},
  },
  env: { used: [], accepted: {}, freeform: true },
  meta: { used: [], accepted: {}, freeform: true },
  locals: { used: [], accepted: {}, freeform: true },
  variables: { used: [], accepted: {}, freeform: true },
};
