// One allocation as one Swarm service of one replica (pure; docs/design/swarm-runtime.md
// says why not one service per version): its name, its labels (deckhand's, and
// Compose's stack namespace so `docker stack ps <job>` lists it), the task's
// container, restart policy and resources, the job's overlay networks with the
// group's aliases shared by every allocation of every version, and `dnsrr`
// endpoints (the routing mesh needs IPVS and cannot serve two versions).
// What a service cannot carry yet is refused, one message per setting, never dropped.
// Not here, as they are the driver's or deckhand's: registry credentials (sent with
// the create call), http/tcp checks and endpoints (through the overlay). Nomad's
// NOMAD_* environment is per allocation and not given yet; a task naming one is refused.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { defaultGroupNetwork, defaultJobNetworks, dockerNetworkName, pinnedImage } from '../../model/index.js';
import type { ContainerSettings, Group, Job, Placement, Resources, RestartPolicy, RuntimeRefusal, RuntimeSupport, Task } from '../../model/index.js';
import type { PlacementRequest } from '../driver.js';
import { healthcheck } from '../docker/container-spec.js';
import { interpolateTask, placementContext } from '../interpolate.js';
import { label, scopeOf } from '../docker/labels.js';
import { declaredVolume, volumeLabel, volumeNameOf } from '../docker/volumes.js';

export interface ServiceSpecOptions {
  /**
   * Port label → the port the task has on its node, chosen by the driver (one no
   * other allocation of the swarm has): the port it listens on under host
   * networking; on an overlay, the node's port published (host mode) to the port it
   * listens on (its `to`, else the same number).
   */
  ports?: Record<string, number>;
  /** The task's files as the driver made them: Swarm secrets (sensitive ones) and configs, by the file's index. */
  files?: SwarmFile[];
  stopTimeoutSeconds: number;
  /** The agent's `--labels`. */
  extraLabels: Record<string, string>;
  /** Ends the names of the networks deckhand makes. */
  networkSuffix: string;
}

/** A task file as a Swarm object: a secret (encrypted in the swarm's store, given only to the tasks that name it) or a config. */
export interface SwarmFile {
  kind: 'secret' | 'config';
  id: string;
  name: string;
  target: string;
  mode: number;
}

/** The Swarm objects of an allocation's files, named after the allocation: made with it, removed with it. */
export function swarmFileObjects(request: PlacementRequest, extraLabels: Record<string, string>): Array<{ kind: 'secret' | 'config'; spec: { Name: string; Labels: Record<string, string>; Data: string } }> {
  const task = request.group.tasks[0];
  return (task?.files ?? []).map((file, n) => ({
    kind: file.sensitive ? 'secret' : 'config',
    spec: {
      Name: `deckhand_${request.allocId.slice(0, 12)}_${n}`,
      Labels: { ...extraLabels, [label.job]: request.jobId, [label.alloc]: request.allocId, [label.scope]: scopeOf(extraLabels) },
      Data: (file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8')).toString('base64'),
    },
  }));
}

/** Compose's label for a stack's services and networks. */
export const stackNamespaceLabel = 'com.docker.stack.namespace';

/** The group's settings a Swarm service cannot carry (yet), as `group "g": task "t": field: why` lines. */
export class SwarmSpecError extends Error {
  constructor(
    readonly file: string,
    readonly refusals: string[],
  ) {
    super(`${file}: not supported by --runtime swarm:\n${refusals.map((line) => `  ${line}`).join('\n')}`);
    this.name = 'SwarmSpecError';
  }
}

// Swarm's limit for a service name, which is also a DNS label on the overlay.
const maxNameLength = 63;
const msToNs = (ms: number) => Math.round(ms * 1e6);
// Only Nomad's per-allocation values are known to the Docker driver when it places; a service has no allocation.
// Swarm chooses the node after the spec is written: the node's name and attributes cannot be filled in.
// (NOMAD_IP_* is 0.0.0.0 under Swarm: the address a task binds to listen on every address it has.)
const nodeVariable = /\$\{\s*(node\.[^}]*|attr\.(?!kernel\.name\s*\})[^}]*)\s*\}/;

/**
 * `<job>_<group>_<index>_<allocation>` (the allocation's first 8 characters: a
 * replacement of the same index may run beside the one it replaces); a longer one
 * keeps its start and ends with a hash of the whole, so allocations stay apart.
 */
export function serviceName(jobId: string, group: string, index: number, allocId: string): string {
  const whole = `${jobId}_${group}_${index}_${allocId.slice(0, 8)}`.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/^[^a-zA-Z0-9]+/, 'x');
  if (whole.length <= maxNameLength) return whole;
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, 10);
  return `${whole.slice(0, maxNameLength - hash.length - 1).replace(/[-_]+$/, '')}-${hash}`;
}

/** deckhand's labels for the service and its containers: what a restarted agent adopts it by. */
export function serviceLabels(request: PlacementRequest, extra: Record<string, string>): Record<string, string> {
  return {
    ...extra,
    [stackNamespaceLabel]: request.jobId,
    [label.job]: request.jobId,
    [label.group]: request.group.name,
    [label.task]: request.group.tasks[0]?.name ?? '',
    [label.alloc]: request.allocId,
    [label.index]: String(request.index),
    [label.version]: String(request.jobVersion),
    [label.specHash]: request.specHash,
    [label.deployment]: request.deploymentId ?? '',
    [label.tasks]: JSON.stringify(request.group.tasks.map((task) => task.name)),
    ...(request.job ? { [label.spec]: JSON.stringify(withoutSecretContents(request.job)) } : {}),
    [label.scope]: scopeOf(extra),
  };
}

/**
 * The job as the labels carry it, a secret file's content left out: whoever reads a
 * service's labels must not read what Swarm keeps encrypted. An agent that lost its
 * data directory rebuilds the job without it; the next sync from Git puts it back.
 */
function withoutSecretContents(job: Job): Job {
  return {
    ...job,
    groups: job.groups.map((group) => ({
      ...group,
      tasks: group.tasks.map((task) => (task.files?.some((file) => file.sensitive) ? { ...task, files: task.files.map((file) => (file.sensitive ? { ...file, content: '' } : file)) } : task)),
    })),
  };
}

/** Swarm restarts with a delay, a limit and a window, as Nomad does: one to one. */
export function swarmRestartPolicy(policy: RestartPolicy): Docker.TaskRestartPolicy {
  return {
    Condition: policy.condition === 'any' ? 'any' : policy.condition === 'none' ? 'none' : 'on-failure',
    Delay: msToNs(policy.delayMs),
    MaxAttempts: policy.maxAttempts,
    Window: msToNs(policy.windowMs),
  };
}

/** Nomad's CPU MHz is what the scheduler reserves (1000 MHz a core); limits stay limits. */
export function swarmResources(resources: Resources): Docker.ResourceRequirements {
  const reservations = resources.cpu !== null ? { NanoCPUs: Math.round((resources.cpu / 1000) * 1e9) } : undefined;
  const limits = {
    ...(resources.cpuLimit !== null ? { NanoCPUs: Math.round(resources.cpuLimit * 1e9) } : {}),
    ...(resources.memoryMB !== null ? { MemoryBytes: Math.round(resources.memoryMB * 1024 * 1024) } : {}),
  };
  return { ...(reservations ? { Reservations: reservations } : {}), ...(Object.keys(limits).length > 0 ? { Limits: limits } : {}) };
}

/**
 * Every setting of the job a Swarm service cannot carry (yet), at its path in the
 * Job; empty: it maps. The agent gives this to render (`swarmSupport`), so a job
 * file asking for one is refused at its line before anything runs.
 */
export function swarmRefusals(job: Job): RuntimeRefusal[] {
  const refusals: RuntimeRefusal[] = [];
  // Endpoints are served by the agent's edge, which reaches each task at its node's address and port.
  job.groups.forEach((group, gi) => refusals.push(...groupRefusals(group).map((refusal) => ({ ...refusal, path: `groups.${gi}${refusal.path ? `.${refusal.path}` : ''}` }))));
  return refusals;
}

export const swarmSupport: RuntimeSupport = { name: '--runtime swarm', refusals: swarmRefusals };

/** The group's settings a service cannot carry, at paths inside the group. */
function groupRefusals(group: Group): RuntimeRefusal[] {
  const refusals: RuntimeRefusal[] = [];
  if (group.tasks.length !== 1) refusals.push({ path: 'tasks', message: `${group.tasks.length} tasks in group "${group.name}"; a Swarm service runs one container, and tasks of a group would share nothing across services` });
  group.tasks.forEach((task, ti) => refusals.push(...taskRefusals(task).map((refusal) => ({ path: `tasks.${ti}.${refusal.path}`, message: `task "${task.name}": ${refusal.message}` }))));
  return refusals;
}

function taskRefusals(task: Task): RuntimeRefusal[] {
  const refusals: RuntimeRefusal[] = [];
  if (task.lifecycle) refusals.push({ path: 'lifecycle', message: 'prestart, poststart and sidecar tasks' });
  (task.mounts ?? []).forEach((mount, mi) => {
    // A host path, or an allocation's own volume, is on one node; Swarm may run the task on another.
    if (mount.type === 'bind') refusals.push({ path: `mounts.${mi}`, message: `a bind mount of ${mount.source} (a host path is on one node; Swarm chooses the node: use a volume, with a placement constraint to keep its data)` });
    if (mount.type === 'empty') refusals.push({ path: `mounts.${mi}`, message: 'an allocation volume (emptyDir) is not mapped to Swarm yet' });
  });
  // Each node pulls for itself, as its engine is set up to: neither a policy nor the file's credentials reach it yet.
  if (task.pull !== undefined) refusals.push({ path: 'pull', message: `pull policy "${task.pull}" (each node pulls as Swarm does)` });
  if (task.registryAuth) refusals.push({ path: 'registryAuth', message: "registry credentials in the job file (give them to the swarm's nodes)" });
  task.ports.forEach((port, pi) => {
    // Two allocations Swarm puts on one node would both want it: nothing keeps them apart across services.
    if (port.static !== null) refusals.push({ path: `ports.${pi}`, message: `port "${port.label}": a static host port (deckhand gives each allocation a port of its own)` });
  });
  const texts: Array<[string, string]> = [
    ...Object.entries(task.env).map(([name, value]): [string, string] => [`env.${name}`, value]),
    ['command', task.command ?? ''],
    ...(task.args ?? []).map((arg, i): [string, string] => [`args.${i}`, arg]),
    ...(task.entrypoint ?? []).map((part, i): [string, string] => [`entrypoint.${i}`, part]),
  ];
  const found = texts.map(([path, text]) => ({ path, variable: nodeVariable.exec(text)?.[0] })).find((item) => item.variable !== undefined);
  if (found) refusals.push({ path: found.path, message: `${found.variable}: names the node, which Swarm chooses after deckhand writes the service` });
  const settings = task.container ?? {};
  for (const [field, handling] of Object.entries(containerFields) as Array<[keyof ContainerSettings, string]>) {
    if (handling !== 'mapped' && settings[field] !== undefined) refusals.push({ path: `container.${field}`, message: `${field}: ${handling}` });
  }
  return refusals;
}

// Every container setting, so a new one in the model fails the build here until it is mapped or refused.
const containerFields: Record<keyof ContainerSettings, 'mapped' | string> = {
  labels: 'mapped',
  user: 'mapped',
  workingDir: 'mapped',
  hostname: 'mapped',
  stopSignal: 'mapped',
  extraHosts: 'mapped',
  dns: 'mapped',
  dnsSearch: 'mapped',
  dnsOptions: 'mapped',
  capAdd: 'mapped',
  capDrop: 'mapped',
  readOnlyRootfs: 'mapped',
  sysctls: 'mapped',
  ulimits: 'mapped',
  init: 'mapped',
  logging: 'mapped',
  groupAdd: 'mapped',
  noNewPrivileges: 'a service has no no-new-privileges option on Engine API 1.41',
  shmSizeBytes: 'a service has no /dev/shm size on Engine API 1.41',
};

/** Throws SwarmSpecError naming every setting of the allocation's group a service cannot carry. Render refuses these at their lines first (swarmSupport); a job that reaches the runtime another way is refused here. */
export function refuseUncarried(request: PlacementRequest): void {
  const refusals = groupRefusals(request.group);
  if (refusals.length > 0) throw new SwarmSpecError(request.job?.source.file ?? request.jobId, refusals.map((refusal) => `group "${request.group.name}": ${refusal.message}`));
}

/** The service of one allocation; throws SwarmSpecError naming every setting it cannot carry. */
export function serviceSpec(request: PlacementRequest, options: ServiceSpecOptions): Docker.CreateServiceOptions {
  refuseUncarried(request);
  const task = request.group.tasks[0]!;
  const hostNetwork = (request.group.network ?? defaultGroupNetwork()).mode === 'host';
  const ports = options.ports ?? {};
  const listening = listeningPorts(task, ports, hostNetwork);
  const labels = { ...serviceLabels(request, options.extraLabels), [label.ports]: JSON.stringify(ports) };
  const settings = task.container ?? {};
  const health = healthcheck(task, new Map());
  // The task listens on every address of its node (host networking) or of its container.
  const resolved = interpolateTask(task, placementContext(request, task, { ports, containerPorts: listening, publishAddress: '0.0.0.0', hostname: '' }));
  const cmd = resolved.command !== null ? [resolved.command, ...(resolved.args ?? [])] : resolved.args;
  return {
    Name: serviceName(request.jobId, request.group.name, request.index, request.allocId),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: task.imageDigest ? pinnedImage(task.image, task.imageDigest) : task.image,
        // The file's labels first: deckhand's own are reserved and always win.
        Labels: { ...(settings.labels ?? {}), ...labels },
        Env: [...resolved.env].map(([name, value]) => `${name}=${value}`),
        ...(resolved.entrypoint ? { Command: resolved.entrypoint } : {}),
        ...(cmd ? { Args: cmd } : {}),
        ...(health ? { HealthCheck: health } : {}),
        StopGracePeriod: msToNs(task.killTimeoutMs ?? options.stopTimeoutSeconds * 1000),
        Init: settings.init ?? true,
        ...containerSettings(settings),
        ...mountsOf(request, options),
        ...fileReferences(options.files ?? []),
      },
      RestartPolicy: swarmRestartPolicy(request.group.restart),
      Resources: swarmResources(task.resources),
      Networks: hostNetwork ? [{ Target: 'host' }] : networks(request, options.networkSuffix),
      ...(request.group.placement ? { Placement: swarmPlacement(request.group.placement) } : {}),
      ...(settings.logging ? { LogDriver: { Name: settings.logging.driver, Options: settings.logging.options } } : {}),
    },
    // Swarm restarts the one task (also on another node when its node is lost); deckhand places and stops allocations.
    Mode: { Replicated: { Replicas: 1 } },
    // On the host's network the task is its node's port. On an overlay its ports are
    // published on its node only (host mode: no routing mesh, which needs IPVS): the
    // agent's checks and the edge reach it at the node's address.
    ...(hostNetwork ? {} : { EndpointSpec: { Mode: 'dnsrr' as const, Ports: Object.entries(ports).map(([portLabel, published]) => ({ Protocol: 'tcp' as const, TargetPort: listening[portLabel] ?? published, PublishedPort: published, PublishMode: 'host' as const })) } }),
  };
}

/**
 * The task's volumes and tmpfs mounts, and Nomad's task folders (in memory). A job
 * volume is each node's own local volume, made by the node where a task first
 * mounts it, with deckhand's labels and the file's driver options: its data stays
 * on that node (a placement constraint keeps the task there).
 */
function mountsOf(request: PlacementRequest, options: ServiceSpecOptions): { Mounts?: Docker.MountSettings[] } {
  const task = request.group.tasks[0]!;
  const volumes = request.job?.volumes ?? [];
  const mounts: Docker.MountSettings[] = (task.mounts ?? []).flatMap((mount): Docker.MountSettings[] => {
    if (mount.type === 'tmpfs') return [{ Type: 'tmpfs', Source: '', Target: mount.target, ReadOnly: mount.readOnly }];
    if (mount.type !== 'volume') return [];
    const declared = declaredVolume(volumes, mount.source);
    const name = volumeNameOf(request.jobId, volumes, mount.source, options.networkSuffix);
    if (declared.external) return [{ Type: 'volume', Source: name, Target: mount.target, ReadOnly: mount.readOnly }];
    const labels = { ...options.extraLabels, [volumeLabel.volume]: mount.source, [volumeLabel.job]: request.jobId, [volumeLabel.scope]: scopeOf(options.extraLabels) };
    return [{ Type: 'volume', Source: name, Target: mount.target, ReadOnly: mount.readOnly, VolumeOptions: { NoCopy: false, Labels: labels, DriverConfig: { Name: 'local', Options: declared.driverOpts } } }];
  });
  const taken = new Set(mounts.map((mount) => mount.Target));
  if (request.job?.source.format === 'nomad') mounts.push(...nomadTaskDirs.filter((dir) => !taken.has(dir.Target)));
  return mounts.length > 0 ? { Mounts: mounts } : {};
}

/** The secrets and configs the task names, each at its file's path with its mode, owned by root as a bind mount's file is. */
function fileReferences(files: SwarmFile[]): { Secrets?: Docker.SecretReference[]; Configs?: Docker.ConfigReference[] } {
  const reference = (file: SwarmFile) => ({ File: { Name: file.target, UID: '0', GID: '0', Mode: file.mode & 0o777 } });
  const secrets = files.filter((file) => file.kind === 'secret').map((file) => ({ ...reference(file), SecretID: file.id, SecretName: file.name }));
  const configs = files.filter((file) => file.kind === 'config').map((file) => ({ ...reference(file), ConfigID: file.id, ConfigName: file.name }));
  return { ...(secrets.length > 0 ? { Secrets: secrets } : {}), ...(configs.length > 0 ? { Configs: configs } : {}) };
}

/** Where Nomad's docker driver gives every task its folders (NOMAD_ALLOC_DIR, NOMAD_TASK_DIR, NOMAD_SECRETS_DIR): in memory under Swarm, the task's own. */
const nomadTaskDirs: Docker.MountSettings[] = ['/alloc', '/local', '/secrets'].map((target) => ({ Type: 'tmpfs', Source: '', Target: target }));

/** Each port label of the task → the port its process listens on: the node's port on the host's network, else its `to`, else the node's port number. */
function listeningPorts(task: Task, nodePorts: Record<string, number>, hostNetwork: boolean): Record<string, number> {
  return Object.fromEntries(
    task.ports.flatMap((port) => {
      const listening = hostNetwork ? nodePorts[port.label] : (port.to ?? nodePorts[port.label]);
      return listening === undefined ? [] : [[port.label, listening]];
    }),
  );
}

/** The job's overlays the group joins, each under the group's and the task's names and the file's aliases. */
function networks(request: PlacementRequest, suffix: string): Docker.NetworkAttachmentConfig[] {
  const jobNetworks = request.job?.networks.length ? request.job.networks : defaultJobNetworks();
  const task = request.group.tasks[0]!;
  return (request.group.network ?? defaultGroupNetwork()).attachments.map((attachment) => {
    const declared = jobNetworks.find((network) => network.name === attachment.network) ?? { name: attachment.network, dockerName: null, external: false };
    const name = dockerNetworkName(request.jobId, declared);
    return { Target: declared.external ? name : `${name}${suffix}`, Aliases: [...new Set([request.group.name, task.name, ...attachment.aliases])] };
  });
}

/** The group's placement as Swarm takes it: constraints as written, spreads in order, 0 for no per-node limit. */
function swarmPlacement(placement: Placement): Docker.Placement {
  return {
    Constraints: placement.constraints,
    Preferences: placement.spread.map((descriptor) => ({ Spread: { SpreadDescriptor: descriptor } })),
    MaxReplicas: placement.maxReplicasPerNode ?? 0,
  };
}

/** The container settings a service's ContainerSpec holds. */
function containerSettings(settings: ContainerSettings): Partial<Docker.ContainerSpec> {
  const spec: Partial<Docker.ContainerSpec> = {};
  if (settings.user !== undefined) spec.User = settings.user;
  if (settings.groupAdd) spec.Groups = settings.groupAdd;
  if (settings.workingDir !== undefined) spec.Dir = settings.workingDir;
  if (settings.hostname !== undefined) spec.Hostname = settings.hostname;
  if (settings.stopSignal !== undefined) spec.StopSignal = settings.stopSignal;
  // Docker's `host:ip` becomes a hosts-file line, `ip host`.
  if (settings.extraHosts) spec.Hosts = settings.extraHosts.map((entry) => entry.replace(/^([^:]+):(.*)$/, '$2 $1'));
  if (settings.dns || settings.dnsSearch || settings.dnsOptions) spec.DNSConfig = { Nameservers: settings.dns ?? [], Search: settings.dnsSearch ?? [], Options: settings.dnsOptions ?? [] };
  if (settings.capAdd) spec.CapabilityAdd = settings.capAdd;
  if (settings.capDrop) spec.CapabilityDrop = settings.capDrop;
  if (settings.readOnlyRootfs !== undefined) spec.ReadOnly = settings.readOnlyRootfs;
  if (settings.sysctls) spec.Sysctls = settings.sysctls;
  if (settings.ulimits) spec.Ulimits = settings.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  return spec;
}
