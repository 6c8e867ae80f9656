// What deckhand does with each field of the Compose specification, in one table
// per level so the decisions can be reviewed together (docs/spec.md points here):
//   'mapped'   the mapping reads it (and refuses what it cannot honour itself);
//   accepted   valid Compose that changes nothing on one Docker engine: accepted
//              silently, for the reason given;
//   refused    valid Compose that would change what runs, which deckhand does not
//              do: an error at the key (code `unsupported`), never dropped silently;
//   deprecated an obsolete form Compose itself warns about: a warning (code `deprecated`).
// A key in none of these tables is not Compose at all: an `unknown-field` error (values.ts).
import { isFalse, useOf, verdictOf } from '../field-decision.js';
import { placementCarried } from '../placement.js';
import type { DecisionTable, FieldDecision } from '../field-decision.js';
import type { PlainMap } from '../yaml/values.js';
import type { Path, Reporter } from './report.js';

export type { FieldDecision } from '../field-decision.js';

const notRefusing = (why: string, hint?: string): FieldDecision => ({ refused: why, ...(hint ? { hint } : {}), harmless: isFalse });

export const topLevelFields: DecisionTable = {
  name: 'mapped',
  services: 'mapped',
  networks: 'mapped',
  volumes: 'mapped',
  configs: 'mapped',
  secrets: 'mapped',
  version: { deprecated: 'the attribute is obsolete and ignored, as Compose says of it' },
  include: { refused: 'deckhand does not follow "include": the services of the included files would not be deployed', hint: 'put the services in this file, or give each file its own folder' },
  models: { refused: 'AI models need Docker Model Runner, which deckhand does not drive' },
};

export const serviceFields: DecisionTable = {
  // Read by the mapping (service.ts and its neighbours).
  build: { accepted: 'deckhand runs the image named by "image", which CI builds and pushes; it builds nothing itself' },
  cap_add: 'mapped',
  cap_drop: 'mapped',
  command: 'mapped',
  configs: 'mapped',
  cpus: 'mapped',
  deploy: 'mapped',
  depends_on: 'mapped',
  dns: 'mapped',
  dns_opt: 'mapped',
  dns_search: 'mapped',
  entrypoint: 'mapped',
  env_file: 'mapped',
  environment: 'mapped',
  extra_hosts: 'mapped',
  healthcheck: 'mapped',
  hostname: 'mapped',
  image: 'mapped',
  init: 'mapped',
  labels: 'mapped',
  logging: 'mapped',
  mem_limit: 'mapped',
  network_mode: 'mapped',
  networks: 'mapped',
  ports: 'mapped',
  pull_policy: 'mapped',
  read_only: 'mapped',
  restart: 'mapped',
  scale: 'mapped',
  secrets: 'mapped',
  shm_size: 'mapped',
  stop_grace_period: 'mapped',
  stop_signal: 'mapped',
  sysctls: 'mapped',
  tmpfs: 'mapped',
  ulimits: 'mapped',
  user: 'mapped',
  volumes: 'mapped',
  working_dir: 'mapped',

  // Changes nothing on one Docker engine.
  attach: { accepted: 'it chooses whose logs "docker compose up" prints; Docker keeps every container\'s logs' },
  develop: { accepted: 'it drives "docker compose watch" on a developer\'s machine' },
  expose: { accepted: 'it only documents ports: containers of a network reach each other on any port' },
  mem_reservation: { accepted: 'a reservation steers placement; deckhand has one engine and sets only limits' },

  // Would change what runs: refused.
  annotations: { refused: 'annotations are not set on deckhand\'s containers' },
  blkio_config: { refused: 'block IO weights and limits are not applied' },
  cgroup: { refused: 'deckhand runs each container in its own cgroup namespace, as Docker\'s default' },
  cgroup_parent: { refused: 'deckhand places containers in Docker\'s default cgroup' },
  container_name: { refused: 'deckhand names each container itself (several per service while it rolls out)', hint: 'remove it; other services reach this one by its service name or a network alias' },
  cpu_count: { refused: 'CPU counts are not applied', hint: 'limit CPUs with deploy.resources.limits.cpus' },
  cpu_percent: { refused: 'CPU percentages are not applied', hint: 'limit CPUs with deploy.resources.limits.cpus' },
  cpu_period: { refused: 'CFS periods are not applied', hint: 'limit CPUs with deploy.resources.limits.cpus' },
  cpu_quota: { refused: 'CFS quotas are not applied', hint: 'limit CPUs with deploy.resources.limits.cpus' },
  cpu_rt_period: { refused: 'real-time CPU scheduling is not applied' },
  cpu_rt_runtime: { refused: 'real-time CPU scheduling is not applied' },
  cpu_shares: { refused: 'CPU shares are not applied', hint: 'limit CPUs with deploy.resources.limits.cpus' },
  cpuset: { refused: 'CPU pinning is not applied' },
  credential_spec: { refused: 'credential specs are for Windows containers, which deckhand does not run' },
  device_cgroup_rules: { refused: 'device access is not given to deckhand\'s containers' },
  devices: { refused: 'host devices are not mapped into deckhand\'s containers' },
  domainname: { refused: 'a container\'s domain name is not set' },
  driver_opts: { refused: 'network driver options of a service are not applied' },
  extends: { refused: 'deckhand does not follow "extends": the fields of the extended service would be missing', hint: 'copy the fields, or share them with a YAML anchor and "<<: *anchor"' },
  external_links: { refused: 'links to containers outside the job are not made', hint: 'join an external network (networks: NAME: external: true) and reach the container by name' },
  gpus: { refused: 'GPUs are not given to deckhand\'s containers' },
  group_add: { refused: 'supplementary groups are not set' },
  ipc: notRefusing('deckhand gives each container its own IPC namespace', 'remove ipc'),
  isolation: { refused: 'isolation technologies are for Windows containers, which deckhand does not run' },
  label_file: { refused: 'labels from a file are not read', hint: 'write the labels under "labels:"' },
  links: {
    refused: 'link aliases are not made: services reach each other by service name on the job\'s networks',
    hint: 'remove the alias (":NAME"), or give the service a network alias',
    harmless: (value) => Array.isArray(value) && value.every((link) => typeof link === 'string' && !link.includes(':')),
  },
  mac_address: { refused: 'Docker gives each container its own MAC address, and deckhand runs several of each service' },
  mem_swappiness: { refused: 'swappiness is not applied' },
  memswap_limit: { refused: 'swap limits are not applied', hint: 'limit memory with deploy.resources.limits.memory' },
  models: { refused: 'AI models need Docker Model Runner, which deckhand does not drive' },
  oom_kill_disable: notRefusing('the kernel\'s OOM killer is left on for every container'),
  oom_score_adj: { refused: 'OOM scores are not adjusted' },
  pid: { refused: 'deckhand gives each container its own PID namespace', hint: 'remove pid' },
  pids_limit: { refused: 'process limits are not applied' },
  platform: { refused: 'deckhand runs the image for its Docker engine\'s own platform', hint: 'remove platform; push a multi-platform image if the engine differs' },
  post_start: { refused: 'lifecycle hooks are not run: deckhand does not run commands inside containers' },
  pre_stop: { refused: 'lifecycle hooks are not run: deckhand does not run commands inside containers' },
  privileged: notRefusing('deckhand does not run privileged containers', 'remove privileged; grant single capabilities with cap_add'),
  profiles: { refused: 'deckhand runs every service of the file, while Compose starts a service in a profile only when asked', hint: 'remove the profiles, or keep such services in a file outside the job folder' },
  provider: { refused: 'provider services are run by Compose plugins, which deckhand does not have' },
  runtime: { refused: 'deckhand runs containers with the engine\'s default runtime' },
  security_opt: { refused: 'security options (seccomp, AppArmor, SELinux labels, no-new-privileges) are not applied' },
  stdin_open: notRefusing('containers run without an open stdin, so a shell reading it would exit at once'),
  storage_opt: { refused: 'storage driver options are not applied' },
  tty: notRefusing('containers run without a terminal'),
  use_api_socket: notRefusing('the Docker socket is never given to a job\'s containers'),
  userns_mode: { refused: 'deckhand runs containers in the engine\'s default user namespace' },
  uts: { refused: 'deckhand gives each container its own UTS namespace' },
  volumes_from: { refused: 'volumes of other containers are not mounted', hint: 'mount the same named volume in both services' },
};

export const deployFields: DecisionTable = {
  labels: 'mapped',
  mode: 'mapped',
  replicas: 'mapped',
  resources: 'mapped',
  restart_policy: 'mapped',
  rollback_config: 'mapped',
  update_config: 'mapped',
  endpoint_mode: { accepted: 'on deckhand\'s networks a service\'s name resolves to its containers, whichever mode' },
  placement: { accepted: placementCarried },
};

/** `deploy.placement`, read by placement.ts. */
export const placementFields: DecisionTable = {
  constraints: { accepted: placementCarried },
  preferences: { accepted: placementCarried },
  max_replicas_per_node: { accepted: placementCarried },
};

export const limitsFields: DecisionTable = {
  cpus: 'mapped',
  memory: 'mapped',
  pids: { refused: 'process limits are not applied' },
};

export const reservationsFields: DecisionTable = {
  cpus: { accepted: 'a reservation steers placement; deckhand has one engine and sets only limits' },
  memory: { accepted: 'a reservation steers placement; deckhand has one engine and sets only limits' },
  devices: { refused: 'devices (GPUs) are not given to deckhand\'s containers' },
  generic_resources: { refused: 'generic resources are not given to deckhand\'s containers' },
};

/** Reports each refused field present in `map` at its key, and each deprecated one as a warning; records what is done with each (`--explain`). */
export function checkDecisions(r: Reporter, path: Path, map: PlainMap, table: DecisionTable): void {
  for (const [key, value] of Object.entries(map)) {
    const use = useOf(table, key, value);
    if (use) r.use([...path, key], use.use, use.reason);
    const verdict = verdictOf(table, key, value);
    if (!verdict) continue;
    const report = verdict.severity === 'error' ? r.error.bind(r) : r.warning.bind(r);
    report([...path, key], verdict.message, { code: verdict.code, part: 'key', ...(verdict.hint ? { hint: verdict.hint } : {}) });
  }
}
