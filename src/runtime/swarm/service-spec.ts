// One version of a group as one Swarm service (pure; docs/design/swarm-runtime.md):
// its name, its labels (deckhand's, and Compose's stack namespace so `docker stack
// ps <job>` lists it), the task's container, restart policy and resources, the
// job's overlay networks with the group's aliases shared by every version, and
// `dnsrr` endpoints (the routing mesh needs IPVS and cannot serve two versions).
// What a service cannot carry yet is refused, one message per setting, never dropped.
// Not here, as they are the driver's or deckhand's: registry credentials (sent with
// the create call), http/tcp checks and endpoints (through the overlay). Nomad's
// NOMAD_* environment is per allocation and not given yet; a task naming one is refused.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { defaultGroupNetwork, defaultJobNetworks, dockerNetworkName, pinnedImage } from '../../model/index.js';
import type { ContainerSettings, Group, Job, Placement, Resources, RestartPolicy, Task } from '../../model/index.js';
import { healthcheck } from '../docker/container-spec.js';
import { label, scopeOf } from '../docker/labels.js';

/** A group's version as the runtime runs it: how many tasks of it should run. */
export interface VersionTarget {
  jobId: string;
  jobVersion: number;
  deploymentId: string | null;
  group: Group;
  /** The group spec hash (plan/change-rules.ts). */
  specHash: string;
  job: Job;
  replicas: number;
}

export interface ServiceSpecOptions {
  stopTimeoutSeconds: number;
  /** The agent's `--labels`. */
  extraLabels: Record<string, string>;
  /** Ends the names of the networks deckhand makes. */
  networkSuffix: string;
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
const allocationVariable = /\$\{\s*(NOMAD_[A-Za-z0-9_]+|node\.[^}]*|attr\.[^}]*)\s*\}/;

/** `<job>_<group>_v<version>`; a longer one keeps its start and ends with a hash of the whole, so versions stay apart. */
export function serviceName(jobId: string, group: string, version: number): string {
  const whole = `${jobId}_${group}_v${version}`.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/^[^a-zA-Z0-9]+/, 'x');
  if (whole.length <= maxNameLength) return whole;
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, 10);
  return `${whole.slice(0, maxNameLength - hash.length - 1).replace(/[-_]+$/, '')}-${hash}`;
}

/** deckhand's labels for the service and its containers: what a restarted agent adopts it by. */
export function serviceLabels(target: VersionTarget, extra: Record<string, string>): Record<string, string> {
  return {
    ...extra,
    [stackNamespaceLabel]: target.jobId,
    [label.job]: target.jobId,
    [label.group]: target.group.name,
    [label.task]: target.group.tasks[0]?.name ?? '',
    [label.version]: String(target.jobVersion),
    [label.specHash]: target.specHash,
    [label.deployment]: target.deploymentId ?? '',
    [label.tasks]: JSON.stringify(target.group.tasks.map((task) => task.name)),
    [label.spec]: JSON.stringify(target.job),
    [label.scope]: scopeOf(extra),
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

/** Every setting of the group a service cannot carry, one line each; empty: it maps. */
export function swarmRefusals(group: Group): string[] {
  const where = `group "${group.name}"`;
  const refusals: string[] = [];
  if (group.tasks.length !== 1) refusals.push(`${where}: tasks: ${group.tasks.length} tasks; a Swarm service runs one container per task, and tasks of a group share nothing across services`);
  if ((group.network ?? defaultGroupNetwork()).mode === 'host') refusals.push(`${where}: network.mode: host networking`);
  for (const task of group.tasks) refusals.push(...taskRefusals(task).map((line) => `${where}: task "${task.name}": ${line}`));
  return refusals;
}

function taskRefusals(task: Task): string[] {
  const refusals: string[] = [];
  if (task.lifecycle) refusals.push('lifecycle: prestart, poststart and sidecar tasks');
  if (task.mounts?.length) refusals.push('mounts: volumes and bind mounts (not mapped yet)');
  if (task.files?.length) refusals.push('files: template and task files (not mapped yet)');
  for (const port of task.ports) if (port.static !== null) refusals.push(`ports.${port.label}: a static host port (the endpoint publishes ports under Swarm)`);
  const texts = [...Object.values(task.env), task.command ?? '', ...(task.args ?? []), ...(task.entrypoint ?? [])];
  const variable = texts.map((text) => allocationVariable.exec(text)?.[0]).find((found) => found !== undefined);
  if (variable) refusals.push(`${variable}: an allocation's runtime variable`);
  const settings = task.container ?? {};
  for (const [field, handling] of Object.entries(containerFields) as Array<[keyof ContainerSettings, string]>) {
    if (handling !== 'mapped' && settings[field] !== undefined) refusals.push(`container.${field}: ${handling}`);
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

/** The service for one version of a group; throws SwarmSpecError naming every setting it cannot carry. */
export function serviceSpec(target: VersionTarget, options: ServiceSpecOptions): Docker.CreateServiceOptions {
  const refusals = swarmRefusals(target.group);
  if (refusals.length > 0) throw new SwarmSpecError(target.job.source.file, refusals);
  const task = target.group.tasks[0]!;
  const labels = serviceLabels(target, options.extraLabels);
  const settings = task.container ?? {};
  const health = healthcheck(task, new Map());
  const cmd = task.command !== null ? [task.command, ...(task.args ?? [])] : task.args;
  return {
    Name: serviceName(target.jobId, target.group.name, target.jobVersion),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: task.imageDigest ? pinnedImage(task.image, task.imageDigest) : task.image,
        // The file's labels first: deckhand's own are reserved and always win.
        Labels: { ...(settings.labels ?? {}), ...labels },
        Env: Object.entries(task.env).map(([name, value]) => `${name}=${value}`),
        ...(task.entrypoint ? { Command: task.entrypoint } : {}),
        ...(cmd ? { Args: cmd } : {}),
        ...(health ? { HealthCheck: health } : {}),
        StopGracePeriod: msToNs(task.killTimeoutMs ?? options.stopTimeoutSeconds * 1000),
        Init: settings.init ?? true,
        ...containerSettings(settings),
      },
      RestartPolicy: swarmRestartPolicy(target.group.restart),
      Resources: swarmResources(task.resources),
      Networks: networks(target, options.networkSuffix),
      ...(target.group.placement ? { Placement: swarmPlacement(target.group.placement) } : {}),
      ...(settings.logging ? { LogDriver: { Name: settings.logging.driver, Options: settings.logging.options } } : {}),
    },
    Mode: { Replicated: { Replicas: target.replicas } },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}

/** The job's overlays the group joins, each under the group's and the task's names and the file's aliases. */
function networks(target: VersionTarget, suffix: string): Docker.NetworkAttachmentConfig[] {
  const jobNetworks = target.job.networks.length > 0 ? target.job.networks : defaultJobNetworks();
  const task = target.group.tasks[0]!;
  return (target.group.network ?? defaultGroupNetwork()).attachments.map((attachment) => {
    const declared = jobNetworks.find((network) => network.name === attachment.network) ?? { name: attachment.network, dockerName: null, external: false };
    const name = dockerNetworkName(target.jobId, declared);
    return { Target: declared.external ? name : `${name}${suffix}`, Aliases: [...new Set([target.group.name, task.name, ...attachment.aliases])] };
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
