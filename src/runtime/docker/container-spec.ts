// A task as Docker's container-create body (pure): name, labels, env with the
// NOMAD_* variables, its network (the job's bridge with its DNS names and
// published ports, or the host's), init, restart policy, resources, and exec
// checks as the container's HEALTHCHECK.
import type Docker from 'dockerode';
import type { Check, ContainerSettings, Job, Mount, RestartPolicy, Task } from '../../model/index.js';
import { pinnedImage } from '../../model/index.js';
import type { PlacementRequest } from '../driver.js';
import { interpolate, interpolateTask, interpolationVariables, placementContext } from '../interpolate.js';
import type { TaskContext } from '../interpolate.js';
import { interpolateSettings } from '../interpolate-settings.js';
import { containerPorts, taskNetworking } from '../networking.js';
import type { TaskNetworking } from '../networking.js';
import { runsOnce } from '../../model/index.js';
import { containerLabels, label } from './labels.js';
import { dockerMounts } from './volumes.js';

export interface SpecOptions {
  hostname: string;
  stopTimeoutSeconds: number;
  extraLabels: Record<string, string>;
  publishAddress: string;
  /** Ends the names of the networks and volumes deckhand makes (networks.ts). */
  networkSuffix: string;
}

const msToNs = (ms: number) => Math.round(ms * 1e6);

/** `<job>-<group>-<index>-<alloc8>`, plus `-<task>` when the group has several tasks (names must be unique). */
export function containerName(request: PlacementRequest, task: string): string {
  const parts = [request.jobId, request.group.name, String(request.index), request.allocId.slice(0, 8)];
  if (request.group.tasks.length > 1) parts.push(task);
  return parts.join('-').replace(/[^a-zA-Z0-9_.-]/g, '_').replace(/^[^a-zA-Z0-9]/, 'x');
}

/**
 * Docker has no restart delay or window, and `always` cannot be limited:
 * none → no; on-failure → on-failure with MaximumRetryCount (0: unlimited);
 * any → unless-stopped, or on-failure with the limit when maxAttempts > 0
 * (a limit matters more than restarting a task that exited 0).
 */
export function restartPolicy(policy: RestartPolicy): Docker.HostRestartPolicy {
  if (policy.condition === 'none') return { Name: 'no' };
  if (policy.condition === 'any' && policy.maxAttempts === 0) return { Name: 'unless-stopped' };
  return { Name: 'on-failure', MaximumRetryCount: policy.maxAttempts };
}

/** Nomad's CPU MHz as relative shares: 1024 (Docker's default weight) per 1000 MHz. */
export function cpuShares(mhz: number): number {
  return Math.max(2, Math.round((mhz * 1024) / 1000));
}

/**
 * The task's exec check (a readiness one first) as the HEALTHCHECK; Docker runs one.
 * Without one, `imageHealthcheck: disable` turns the image's off.
 */
export function healthcheck(task: Task, variables: Map<string, string>): Docker.HealthConfig | undefined {
  const execChecks = task.checks.filter((check): check is Extract<Check, { type: 'exec' }> => check.type === 'exec');
  const chosen = execChecks.find((check) => check.role === 'readiness') ?? execChecks[0];
  if (chosen) {
    return {
      Test: chosen.command.map((part) => interpolate(part, variables)),
      Interval: msToNs(chosen.intervalMs),
      Timeout: msToNs(chosen.timeoutMs),
      StartPeriod: msToNs(chosen.startPeriodMs),
      Retries: Math.max(1, chosen.retries),
    };
  }
  return task.imageHealthcheck === 'disable' ? { Test: ['NONE'] } : undefined;
}

/**
 * Bridge networking: each of the task's ports published on the agent's address,
 * host port → the port the process listens on. Two labels may map one container
 * port to two host ports (Compose `"8000:80"` beside `"8001:80"`).
 */
export function portBindings(task: Task, ports: Record<string, number>, listening: Record<string, number>, publishAddress: string): { exposed: Record<string, object>; bindings: Docker.PortMap } {
  const exposed: Record<string, object> = {};
  const bindings: Docker.PortMap = {};
  for (const port of task.ports) {
    const hostPort = ports[port.label];
    const inside = listening[port.label];
    if (hostPort === undefined || inside === undefined) continue;
    const key = `${inside}/tcp`;
    exposed[key] = {};
    const list = (bindings[key] ??= []) as Array<{ HostIp: string; HostPort: string }>;
    if (!list.some((b) => b.HostPort === String(hostPort))) list.push({ HostIp: publishAddress, HostPort: String(hostPort) });
  }
  return { exposed, bindings };
}

/** `fileMounts`: the task's files, written by the driver (task-files.ts), as read-only bind mounts. */
export function containerSpec(request: PlacementRequest, task: Task, ports: Record<string, number>, options: SpecOptions, fileMounts: Docker.MountSettings[] = []): Docker.ContainerCreateOptions {
  const networking = taskNetworking(request, task, options.networkSuffix);
  const listening = containerPorts({ tasks: [task, ...request.group.tasks] }, ports, networking.mode);
  const context = placementContext(request, task, { ports, containerPorts: listening, publishAddress: options.publishAddress, hostname: options.hostname });
  const resolved = interpolateTask(task, context);
  const cmd = resolved.command !== null ? [resolved.command, ...(resolved.args ?? [])] : resolved.args;
  const { cpu, cpuLimit, memoryMB } = task.resources;
  const settings = interpolateSettings(task.container ?? {}, resolved.variables);
  return {
    name: containerName(request, task.name),
    // A digest resolved at submission pins the image: the container runs exactly what the version recorded.
    Image: task.imageDigest ? pinnedImage(task.image, task.imageDigest) : task.image,
    Env: [...resolved.env].map(([name, value]) => `${name}=${value}`),
    ...(cmd ? { Cmd: cmd } : {}),
    ...(resolved.entrypoint ? { Entrypoint: resolved.entrypoint } : {}),
    // The file's labels first: deckhand's own (deckhand.*) are reserved and always win.
    Labels: { ...(settings.labels ?? {}), ...containerLabels(request, task.name, ports, options.extraLabels), ...(runsOnce(task) ? { [label.runsOnce]: 'true' } : {}) },
    ...containerSettings(settings, networking),
    ...(healthcheckOrNothing(task, context)),
    StopTimeout: task.killTimeoutMs !== null && task.killTimeoutMs !== undefined ? Math.ceil(task.killTimeoutMs / 1000) : options.stopTimeoutSeconds,
    ...networkSettings(networking, task, ports, listening, options.publishAddress),
    HostConfig: {
      ...hostNetworkSettings(networking, task, ports, listening, options.publishAddress),
      ...(task.mounts?.length || fileMounts.length ? { Mounts: [...dockerMounts(request.jobId, request.job?.volumes ?? [], task, options.networkSuffix, request.allocId), ...fileMounts] } : {}),
      ...hostSettings(settings),
      Init: settings.init ?? true,
      // A task that runs once is tried once per placement: its failure fails the placement.
      RestartPolicy: runsOnce(task) ? { Name: 'no' } : restartPolicy(request.group.restart),
      ...(cpu !== null ? { CpuShares: cpuShares(cpu) } : {}),
      ...(cpuLimit !== null ? { NanoCpus: Math.round(cpuLimit * 1e9) } : {}),
      ...(memoryMB !== null ? { Memory: Math.round(memoryMB * 1024 * 1024) } : {}),
    },
  };
}

function networkSettings(networking: TaskNetworking, task: Task, ports: Record<string, number>, listening: Record<string, number>, publishAddress: string): Partial<Docker.ContainerCreateOptions> {
  const [first] = networking.networks;
  if (networking.mode === 'host' || !first) return {};
  return {
    ExposedPorts: portBindings(task, ports, listening, publishAddress).exposed,
    NetworkingConfig: { EndpointsConfig: { [first.dockerName]: { Aliases: first.aliases } } },
  };
}

function hostNetworkSettings(networking: TaskNetworking, task: Task, ports: Record<string, number>, listening: Record<string, number>, publishAddress: string): Docker.HostConfig {
  const [first] = networking.networks;
  if (networking.mode === 'host' || !first) return { NetworkMode: 'host' };
  return { NetworkMode: first.dockerName, PortBindings: portBindings(task, ports, listening, publishAddress).bindings };
}

function healthcheckOrNothing(task: Task, context: TaskContext): { Healthcheck?: Docker.HealthConfig } {
  const config = healthcheck(task, interpolationVariables(context));
  return config ? { Healthcheck: config } : {};
}

/** The container settings Docker keeps on the container itself. */
function containerSettings(settings: ContainerSettings, networking: TaskNetworking): Partial<Docker.ContainerCreateOptions> {
  return {
    ...(settings.user !== undefined ? { User: settings.user } : {}),
    ...(settings.workingDir !== undefined ? { WorkingDir: settings.workingDir } : {}),
    // Docker refuses a hostname on the host's network (render refuses it first).
    ...(settings.hostname !== undefined && networking.mode !== 'host' ? { Hostname: settings.hostname } : {}),
    ...(settings.stopSignal !== undefined ? { StopSignal: settings.stopSignal } : {}),
  };
}

/** The container settings Docker keeps in its HostConfig. */
function hostSettings(settings: ContainerSettings): Docker.HostConfig {
  const host: Docker.HostConfig = {};
  if (settings.extraHosts) host.ExtraHosts = settings.extraHosts;
  if (settings.dns) host.Dns = settings.dns;
  if (settings.dnsSearch) host.DnsSearch = settings.dnsSearch;
  if (settings.dnsOptions) host.DnsOptions = settings.dnsOptions;
  if (settings.groupAdd) host.GroupAdd = settings.groupAdd;
  if (settings.capAdd) host.CapAdd = settings.capAdd;
  if (settings.capDrop) host.CapDrop = settings.capDrop;
  if (settings.readOnlyRootfs !== undefined) host.ReadonlyRootfs = settings.readOnlyRootfs;
  if (settings.noNewPrivileges) host.SecurityOpt = ['no-new-privileges:true'];
  if (settings.sysctls) host.Sysctls = settings.sysctls;
  if (settings.ulimits) host.Ulimits = settings.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  if (settings.shmSizeBytes !== undefined) host.ShmSize = settings.shmSizeBytes;
  if (settings.logging) host.LogConfig = { Type: settings.logging.driver, Config: settings.logging.options };
  return host;
}

/**
 * Nomad's docker driver gives every task /alloc (shared by the group's tasks),
 * /local and /secrets, which its NOMAD_*_DIR variables name: a Nomad task gets them
 * where it mounts nothing there itself, /alloc and /local as the allocation's own
 * volumes (made with it, removed with it), /secrets in memory as Nomad keeps it.
 * Added when placing, so the job's model and hash stay as the file says.
 */
export function withNomadTaskDirs(request: PlacementRequest, task: Task): Task {
  if (!isNomadJob(request)) return task;
  const taken = new Set((task.mounts ?? []).map((m) => m.target));
  const dirs: Mount[] = [
    { type: 'empty', source: 'nomad-alloc', target: '/alloc', readOnly: false },
    { type: 'empty', source: `nomad-local-${task.name}`, target: '/local', readOnly: false },
    { type: 'tmpfs', source: '', target: '/secrets', readOnly: false },
  ];
  return { ...task, mounts: [...dirs.filter((m) => !taken.has(m.target)), ...(task.mounts ?? [])] };
}

/** NOMAD_META_* belong to Nomad jobs; a request without its job (older records) gives none. */
function isNomadJob(request: PlacementRequest): boolean {
  const source = request.job?.source as Job['source'] | undefined;
  return source?.format === 'nomad';
}
