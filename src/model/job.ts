// The one model every job format renders into (docs/spec.md "Job as JSON").
// Nothing after render knows which format a job came from, except `source`
// for pointing errors and plans at a file.

export type JobFormat = 'nomad' | 'compose' | 'kubernetes';

export interface JobSource {
  format: JobFormat;
  /** Path of the job file relative to the rendered tree's root, with `/` separators. */
  file: string;
}

export interface Job {
  id: string;
  type: 'service';
  source: JobSource;
  meta: Record<string, string>;
  /** How many old versions to keep (Kubernetes `revisionHistoryLimit`); null: the agent's default. */
  historyLimit: number | null;
  /** The networks the job's groups join (Compose top-level `networks`); one `default` unless the file says more. */
  networks: JobNetwork[];
  /** Stable addresses in front of the allocations (Compose published ports, Kubernetes Services, Nomad static ports). */
  endpoints: Endpoint[];
  /** Named volumes the job's tasks mount (Compose top-level `volumes`); absent in jobs of older versions. */
  volumes?: JobVolume[];
  groups: Group[];
}

/**
 * A named volume: deckhand makes it (`deckhand-<job>-<name>`, labelled) the first time
 * a task mounts it and never removes it; an external one must exist.
 */
export interface JobVolume {
  name: string;
  /** The Docker volume's own name when the file fixes it (Compose `name:` or `external`); null: deckhand's naming. */
  dockerName: string | null;
  external: boolean;
  /** Volume driver options (Compose `driver_opts`, for the local driver: a tmpfs or an NFS share). */
  driverOpts: Record<string, string>;
}

/** A filesystem mounted into a task's container. */
export interface Mount {
  /**
   * volume: a named volume of the job; tmpfs: memory, gone with the container;
   * bind: a host directory or file, only under a directory the agent allows (allow-host-path);
   * empty: a volume of the allocation's own, empty when it is placed, shared by its
   * tasks and removed with it (Kubernetes `emptyDir`: it survives restarts, not replacement).
   */
  type: 'volume' | 'tmpfs' | 'bind' | 'empty';
  /** The job volume's name (volume), the absolute host path (bind), the pod volume's name (empty), '' (tmpfs). */
  source: string;
  target: string;
  readOnly: boolean;
}

/**
 * A network of the job. deckhand makes a user-defined bridge for each one it
 * creates, named `deckhand-<job>` (`default`) or `deckhand-<job>-<name>`, and removes it
 * with the job; an external one must exist and is joined, never made or removed.
 */
export interface JobNetwork {
  /** The name groups use for it in the job file. */
  name: string;
  /** The Docker network's own name when the file fixes it (Compose `name:` or `external`); null: deckhand's naming. */
  dockerName: string | null;
  external: boolean;
}

/**
 * A port clients keep using across updates (Swarm's ingress, a Kubernetes Service):
 * deckhand's edge listens on it and spreads connections over the group's healthy
 * allocations, on each one's port `portLabel` of task `task`.
 */
export interface Endpoint {
  port: number;
  group: string;
  task: string;
  portLabel: string;
  /** Canaries receive traffic before they are promoted (off by default, as Nomad's `canary_tags` are opt-in). */
  canaries: boolean;
}

/** How a group's allocations are networked. */
export interface GroupNetwork {
  /** bridge: the job's networks, each container's port mapped to a host port; host: the host's network, ports bound directly. */
  mode: 'bridge' | 'host';
  /** The job networks joined (bridge mode), with DNS names beyond the group's and its tasks' names, which every allocation answers to. */
  attachments: NetworkAttachment[];
}

export interface NetworkAttachment {
  network: string;
  aliases: string[];
}

export interface Group {
  name: string;
  count: number;
  update: UpdateStrategy;
  /** How a rollback is carried out (Compose: `deploy.rollback_config`, else Swarm's defaults); null: as `update` (Nomad, Kubernetes). */
  rollback: UpdateStrategy | null;
  restart: RestartPolicy;
  network: GroupNetwork;
  /**
   * Groups of the job this one starts after (Compose `depends_on`), each with what it
   * waits for: started (every allocation of its current version runs) or healthy.
   * Deployments place this group's new allocations only then; absent: no order.
   */
  dependsOn?: Record<string, 'started' | 'healthy'>;
  /** Where the group's allocations may run among a swarm's nodes; absent when the file says nothing about it. */
  placement?: Placement;
  meta: Record<string, string>;
  tasks: Task[];
}

/**
 * Placement in Docker Swarm's own terms (the Engine API's `TaskTemplate.Placement`),
 * handed to Swarm under `--runtime swarm`. The local runtime has one engine, which is
 * the only node: there it changes nothing (model/placement.ts has the syntax).
 */
export interface Placement {
  /** `key==value` or `key!=value` (`node.labels.zone==east`, `node.role==manager`): a node must meet every one. */
  constraints: string[];
  /** Node or engine labels (`node.labels.zone`) to spread allocations evenly over, the first one first: Swarm's `spread` preferences. */
  spread: string[];
  /** At most this many allocations of the group on one node (Compose `max_replicas_per_node`, Nomad `distinct_hosts`); null: no limit. */
  maxReplicasPerNode: number | null;
}

export type HealthCheckMode = 'checks' | 'task_states' | 'manual';
export type UpdateOrder = 'stop-first' | 'start-first';
export type FailureAction = 'pause' | 'continue' | 'rollback';

export interface UpdateStrategy {
  /** Allocations replaced at a time; 0 replaces them all at once (Swarm's `parallelism: 0`). */
  maxParallel: number;
  canary: number;
  autoPromote: boolean;
  autoRevert: boolean;
  /** How long an allocation must stay ready before it counts healthy: each batch waits for it (Nomad's min_healthy_time, Kubernetes' minReadySeconds). */
  minHealthyTimeMs: number;
  /**
   * Swarm's `monitor`: a failure-watch window that holds no batch. An allocation counts
   * healthy once ready, so the next batch goes ahead; a failure within this long of it
   * turning ready still counts against maxFailureRatio, and the deployment completes
   * only once the last new allocation has been ready this long. 0: none (Nomad, Kubernetes).
   */
  monitorMs: number;
  /** 0: no deadline per allocation (Compose, Kubernetes): only the progress deadline applies. */
  healthyDeadlineMs: number;
  /** 0 disables the deployment deadline (as in Nomad). */
  progressDeadlineMs: number;
  healthCheck: HealthCheckMode;
  order: UpdateOrder;
  delayMs: number;
  failureAction: FailureAction;
  maxFailureRatio: number;
  /**
   * What an unhealthy allocation does to a deployment. replace: it is replaced, and
   * only the progress deadline fails the deployment (Nomad with a progress deadline,
   * Kubernetes). fail: it counts as a failure against maxFailureRatio, and
   * failureAction decides (Swarm; Nomad with progress_deadline = 0).
   */
  onUnhealthy: 'replace' | 'fail';
  /** Kubernetes budgets resolved to whole numbers against the replica count; null elsewhere. */
  maxSurge: number | null;
  maxUnavailable: number | null;
}

export type RestartCondition = 'any' | 'on-failure' | 'none';

export interface RestartPolicy {
  condition: RestartCondition;
  /** 0 means no limit. */
  maxAttempts: number;
  delayMs: number;
  /** Window in which `maxAttempts` are counted; 0: the whole life of the allocation. */
  windowMs: number;
}

export interface Task {
  name: string;
  driver: 'docker';
  image: string;
  /** Docker's Cmd is `[command, ...args]` when command is set, else `args`. */
  command: string | null;
  args: string[] | null;
  entrypoint: string[] | null;
  env: Record<string, string>;
  ports: Port[];
  resources: Resources;
  checks: Check[];
  /** Compose `healthcheck: { disable: true }` / `test: NONE`: ignore the image's HEALTHCHECK. */
  imageHealthcheck: 'use' | 'disable';
  /** Time between leaving the endpoints and the stop signal (Nomad `shutdown_delay`, a Kubernetes `preStop` sleep); in-flight requests drain meanwhile. */
  shutdownDelayMs: number;
  /** Time between the stop signal and SIGKILL (Nomad `kill_timeout`, Compose `stop_grace_period`, `terminationGracePeriodSeconds`); null: the agent's default. */
  killTimeoutMs: number | null;
  /** Filesystems mounted into the container; absent in jobs of older versions. */
  mounts?: Mount[];
  /** How the container runs beyond image and command; absent when the file sets none of it (and in jobs of older versions). */
  container?: ContainerSettings;
  /** Files the task sees, read-only (Compose secrets and configs, Kubernetes Secret and ConfigMap volumes, Nomad templates); absent when none. */
  files?: TaskFile[];
  /**
   * Names of `env` entries whose values come from a secret (a Kubernetes secretKeyRef or
   * envFrom secretRef, a Nomad template rendered into secrets/): shown as `(sensitive)`
   * whatever their names say; absent when none.
   */
  sensitiveEnv?: string[];
  /** When the task runs in its allocation (Nomad `lifecycle`, Kubernetes `initContainers`); absent: a main task. */
  lifecycle?: TaskLifecycle;
  /** When the image is pulled (Compose `pull_policy`, Kubernetes `imagePullPolicy`, Nomad `force_pull`); absent: the agent's `--pull`. */
  pull?: PullPolicy;
  /**
   * The registry's digest of `image` (`sha256:...`), resolved when the version was submitted
   * because the image is pulled always: containers run exactly it, and a tag pushed anew is
   * a new version. Never set by a job file; absent otherwise.
   */
  imageDigest?: string;
  /**
   * Credentials for the image's registry given by the job file (Nomad `config { auth {} }`),
   * used instead of the Docker client's; the password never leaves the agent (model/sensitive.ts).
   */
  registryAuth?: RegistryCredentials;
  meta: Record<string, string>;
}

export interface RegistryCredentials {
  username: string;
  password: string;
  /** The registry they are for; null: the image's own. */
  serverAddress: string | null;
}

/** always: pull on every placement (and resolve the tag to a digest on each sync); missing: only when absent; never: the image must be there. */
export type PullPolicy = 'always' | 'missing' | 'never';

export const pullPolicies: readonly PullPolicy[] = ['always', 'missing', 'never'];

/**
 * A file mounted read-only into the task's container. The agent writes it under its
 * data directory and bind-mounts it at `target`; its content is part of the spec hash,
 * so a changed file replaces the containers.
 */
export interface TaskFile {
  /** Absolute path inside the container. */
  target: string;
  /** UTF-8 text, or base64 when `encoding` says so (a Secret's binary `data`). */
  content: string;
  encoding?: 'base64';
  /** Unix permission bits (0o444: readable by every user of the container). */
  mode: number;
  /** A secret's content: shown as `(sensitive)` in plans, the API and messages, never as itself. */
  sensitive: boolean;
}

/**
 * Settings Docker fixes when it creates a container (Compose service keys, Nomad's
 * docker config, a Kubernetes container and pod). An absent field is Docker's
 * default, except `init`, which deckhand turns on unless the file says false.
 */
export interface ContainerSettings {
  /** Container labels (Compose `labels`, Nomad `config.labels`): what Traefik or Caddy read. `deckhand.` is reserved. */
  labels?: Record<string, string>;
  /** `user[:group]`, names or numbers. */
  user?: string;
  workingDir?: string;
  /** Bridge networking only: on the host's network the container has the host's name. */
  hostname?: string;
  /** The signal that asks the task to stop (`SIGTERM` when absent). */
  stopSignal?: string;
  /** `name:address` lines added to /etc/hosts. */
  extraHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** Supplementary group ids of the process (Kubernetes `fsGroup`, `supplementalGroups`). */
  groupAdd?: string[];
  capAdd?: string[];
  capDrop?: string[];
  readOnlyRootfs?: boolean;
  /** Processes cannot gain privileges (setuid binaries): Docker's `no-new-privileges`, Kubernetes' `allowPrivilegeEscalation: false`. */
  noNewPrivileges?: boolean;
  sysctls?: Record<string, string>;
  ulimits?: Ulimit[];
  shmSizeBytes?: number;
  init?: boolean;
  logging?: { driver: string; options: Record<string, string> };
}

/**
 * prestart: before the main tasks; it must exit 0 before they start, unless it is a
 * sidecar (started first, then running beside them). poststart: after the main
 * tasks have started; it runs to its end, or beside them as a sidecar.
 */
export interface TaskLifecycle {
  hook: 'prestart' | 'poststart';
  sidecar: boolean;
}

/** A task that runs once to its end in each allocation (a prestart or poststart task that is not a sidecar). */
export function runsOnce(task: Task): boolean {
  return task.lifecycle !== undefined && !task.lifecycle.sidecar;
}

/** The tasks that keep running in each allocation: the ones its health and status are about. */
export function longRunningTasks(group: Group): Task[] {
  return group.tasks.filter((task) => !runsOnce(task));
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface Port {
  label: string;
  /** A fixed host port; null: taken from the agent's dynamic range. */
  static: number | null;
  /**
   * The port the process listens on inside its container (Compose target, Kubernetes
   * containerPort, Nomad `to`); null: the same number as the host port (Nomad's default).
   * Host networking has no mapping: there the process listens on the host port.
   */
  to: number | null;
}

export interface Resources {
  /** Nomad's CPU in MHz, mapped to Docker CPU shares; null: no reservation. */
  cpu: number | null;
  /** A hard limit in cores (Compose `cpus`, Kubernetes `limits.cpu`); null: none. */
  cpuLimit: number | null;
  memoryMB: number | null;
}

export type Check = HttpCheck | TcpCheck | GrpcCheck | ExecCheck;

interface CheckTiming {
  name: string | null;
  /**
   * readiness: the allocation is healthy only while it passes (what rollouts wait for);
   * liveness: failing restarts the task, but does not hold a rollout (Kubernetes' livenessProbe).
   */
  role: 'readiness' | 'liveness';
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before the check counts as failing. */
  retries: number;
  startPeriodMs: number;
}

export interface HttpCheck extends CheckTiming {
  type: 'http';
  /** A port label of the task, or a fixed port number. */
  port: string | number;
  path: string;
  method: string;
}

export interface TcpCheck extends CheckTiming {
  type: 'tcp';
  port: string | number;
}

/** gRPC's health checking protocol (`grpc.health.v1.Health/Check`) over plain HTTP/2: passes when the answer is SERVING. */
export interface GrpcCheck extends CheckTiming {
  type: 'grpc';
  port: string | number;
  /** The service asked about; '' asks about the server as a whole. */
  service: string;
}

/** Runs inside the container; carried out by the Docker engine as the container's HEALTHCHECK. */
export interface ExecCheck extends CheckTiming {
  type: 'exec';
  /** Docker's form: `["CMD", ...argv]` or `["CMD-SHELL", script]`. */
  command: string[];
}

/** The job's own network, which every bridge group joins unless the file says otherwise. */
export const defaultNetworkName = 'default';

export function defaultJobNetworks(): JobNetwork[] {
  return [{ name: defaultNetworkName, dockerName: null, external: false }];
}

export function defaultGroupNetwork(): GroupNetwork {
  return { mode: 'bridge', attachments: [{ network: defaultNetworkName, aliases: [] }] };
}

/** The Docker volume a job volume is: its fixed name, else `deckhand-<job>-<name>`. */
export function dockerVolumeName(jobId: string, volume: JobVolume): string {
  return volume.dockerName ?? `deckhand-${jobId}-${volume.name}`;
}

/** The Docker network a job network is: its fixed name, else `deckhand-<job>` or `deckhand-<job>-<name>`. */
export function dockerNetworkName(jobId: string, network: JobNetwork): string {
  if (network.dockerName !== null) return network.dockerName;
  return network.name === defaultNetworkName ? `deckhand-${jobId}` : `deckhand-${jobId}-${network.name}`;
}

/**
 * A job stored or labelled by an older deckhand, given the fields it lacked, with
 * their defaults (which hash as before: its containers are not replaced for it).
 * Allocations placed by a version before job networks keep the host's network
 * until their next update; new ones join the job's network.
 */
export function withCurrentFields(job: Job): Job {
  const old = job as Partial<Job> & Pick<Job, 'groups'>;
  if (old.networks && old.endpoints && old.groups.every((g) => g.network && g.tasks.every((t) => t.shutdownDelayMs !== undefined))) return job;
  return {
    ...job,
    networks: old.networks ?? defaultJobNetworks(),
    endpoints: old.endpoints ?? [],
    groups: old.groups.map((group) => ({
      ...group,
      network: group.network ?? defaultGroupNetwork(),
      tasks: group.tasks.map((task) => ({ ...task, shutdownDelayMs: task.shutdownDelayMs ?? 0, killTimeoutMs: task.killTimeoutMs ?? null })),
    })),
  };
}
