// The model as Nomad's diff sees it: named objects of string fields. Diffs,
// annotations and the spec hashes all read the model through this one view, so
// they cannot disagree about what a field is.
import type { Check, ContainerSettings, Group, GroupNetwork, Job, JobNetwork, Placement, RegistryCredentials, RestartPolicy, Task, TaskFile, UpdateStrategy } from '../job.js';
import { defaultNetworkName } from '../job.js';
import { formatDuration } from '../../util/index.js';

export type Fields = Record<string, string>;

export interface FlatObject {
  /** Nomad's object name: `Update`, `Config`, `Resources`, `Port`, `Check`... */
  kind: string;
  /** The object's name in the diff: the kind, or `Port "http"`, `Check "alive"`. */
  name: string;
  fields: Fields;
}

export interface FlatTask {
  name: string;
  fields: Fields;
  objects: FlatObject[];
}

export interface FlatGroup {
  name: string;
  fields: Fields;
  objects: FlatObject[];
  tasks: FlatTask[];
}

export interface FlatJob {
  id: string;
  fields: Fields;
  objects: FlatObject[];
  groups: FlatGroup[];
}

const text = (value: string | number | boolean | null): string => (value === null ? '' : String(value));
const duration = (ms: number): string => formatDuration(ms);

// Fields are written into one object in a fixed order (plain loops, no spreads):
// every plan flattens every job, and the diff reads fields in this order.

/** Adds `Prefix[key]` fields for a map's entries. */
function addMapFields(into: Fields, prefix: string, map: Record<string, string>): Fields {
  for (const key of Object.keys(map)) into[`${prefix}[${key}]`] = map[key]!;
  return into;
}

/** Adds `Prefix[index]` fields for a list's items. */
function addListFields(into: Fields, prefix: string, list: string[] | null): Fields {
  if (list) for (let i = 0; i < list.length; i++) into[`${prefix}[${i}]`] = list[i]!;
  return into;
}

export function flattenJob(job: Job): FlatJob {
  const fields = addMapFields({}, 'Meta', job.meta);
  if (job.historyLimit !== null) fields.HistoryLimit = text(job.historyLimit);
  // Networks and endpoints show only where the file says something: a job with
  // just its default network flattens (and hashes) as before they existed.
  const objects: FlatObject[] = [];
  if (!isDefaultNetworks(job.networks)) {
    for (const network of job.networks) objects.push({ kind: 'Network', name: `Network "${network.name}"`, fields: networkFields(network) });
  }
  for (const volume of job.volumes ?? []) {
    const fields: Fields = addMapFields({}, 'DriverOpts', volume.driverOpts);
    if (volume.dockerName !== null) fields.DockerName = volume.dockerName;
    if (volume.external) fields.External = 'true';
    objects.push({ kind: 'Volume', name: `Volume "${volume.name}"`, fields });
  }
  for (const endpoint of job.endpoints) {
    objects.push({
      kind: 'Endpoint',
      name: `Endpoint "${endpoint.port}"`,
      fields: { Group: endpoint.group, Task: endpoint.task, Port: endpoint.portLabel, Canaries: text(endpoint.canaries) },
    });
  }
  return { id: job.id, fields, objects, groups: job.groups.map(flattenGroup) };
}

function isDefaultNetworks(networks: JobNetwork[]): boolean {
  return networks.length === 1 && networks[0]!.name === defaultNetworkName && networks[0]!.dockerName === null && !networks[0]!.external;
}

function networkFields(network: JobNetwork): Fields {
  const fields: Fields = {};
  if (network.dockerName !== null) fields.DockerName = network.dockerName;
  if (network.external) fields.External = 'true';
  return fields;
}

function isDefaultGroupNetwork(network: GroupNetwork): boolean {
  const [only, ...rest] = network.attachments;
  return network.mode === 'bridge' && rest.length === 0 && only !== undefined && only.network === defaultNetworkName && only.aliases.length === 0;
}

/** Host networking as a field; the networks joined (and extra DNS names) as objects, when not just the default. */
function addGroupNetwork(fields: Fields, objects: FlatObject[], network: GroupNetwork): void {
  if (network.mode === 'host') fields.NetworkMode = 'host';
  if (network.mode === 'host' || isDefaultGroupNetwork(network)) return;
  for (const attachment of network.attachments) {
    objects.push({ kind: 'NetworkAttachment', name: `NetworkAttachment "${attachment.network}"`, fields: addListFields({}, 'Aliases', attachment.aliases) });
  }
}

export function flattenGroup(group: Group): FlatGroup {
  const objects: FlatObject[] = [
    { kind: 'Update', name: 'Update', fields: updateFields(group.update) },
    { kind: 'RestartPolicy', name: 'RestartPolicy', fields: restartFields(group.restart) },
  ];
  if (group.rollback) objects.push({ kind: 'Rollback', name: 'Rollback', fields: updateFields(group.rollback) });
  const fields = addMapFields({ Count: text(group.count) }, 'Meta', group.meta);
  if (group.dependsOn) addMapFields(fields, 'DependsOn', group.dependsOn);
  addGroupNetwork(fields, objects, group.network);
  if (group.placement) objects.push({ kind: 'Placement', name: 'Placement', fields: placementFields(group.placement) });
  return {
    name: group.name,
    fields,
    objects,
    tasks: group.tasks.map(flattenTask),
  };
}

/**
 * Constraints are a set to Swarm (a node meets all of them): sorted, so reordering them
 * is no change. Spread preferences are an order (the first splits the nodes first): kept.
 */
function placementFields(p: Placement): Fields {
  const fields = addListFields(addListFields({}, 'Constraints', [...p.constraints].sort()), 'Spread', p.spread);
  if (p.maxReplicasPerNode !== null) fields.MaxReplicasPerNode = text(p.maxReplicasPerNode);
  return fields;
}

function updateFields(u: UpdateStrategy): Fields {
  const fields: Fields = {
    AutoPromote: text(u.autoPromote),
    AutoRevert: text(u.autoRevert),
    Canary: text(u.canary),
    HealthCheck: u.healthCheck,
    HealthyDeadline: u.healthyDeadlineMs ? duration(u.healthyDeadlineMs) : '',
    MaxParallel: text(u.maxParallel),
    MinHealthyTime: duration(u.minHealthyTimeMs),
    ProgressDeadline: u.progressDeadlineMs ? duration(u.progressDeadlineMs) : '',
  };
  // Swarm's and Kubernetes' settings, shown only where they say something.
  if (u.order !== 'stop-first') fields.Order = u.order;
  if (u.delayMs) fields.Delay = duration(u.delayMs);
  if (u.monitorMs) fields.Monitor = duration(u.monitorMs);
  if (u.failureAction !== (u.autoRevert ? 'rollback' : 'pause')) fields.FailureAction = u.failureAction;
  if (u.maxFailureRatio) fields.MaxFailureRatio = text(u.maxFailureRatio);
  if (u.onUnhealthy === 'fail' && u.progressDeadlineMs > 0) fields.OnUnhealthy = u.onUnhealthy;
  if (u.maxSurge !== null) fields.MaxSurge = text(u.maxSurge);
  if (u.maxUnavailable !== null) fields.MaxUnavailable = text(u.maxUnavailable);
  return fields;
}

function restartFields(r: RestartPolicy): Fields {
  return { Condition: r.condition, MaxAttempts: text(r.maxAttempts), Delay: duration(r.delayMs), Window: r.windowMs ? duration(r.windowMs) : '' };
}

export function flattenTask(task: Task): FlatTask {
  const config: Fields = addListFields(addListFields({ image: task.image }, 'entrypoint', task.entrypoint), 'args', task.args);
  if (task.command !== null) config.command = task.command;
  if (task.imageDigest !== undefined) config.image_digest = task.imageDigest;
  const resources: Fields = {};
  if (task.resources.cpu !== null) resources.CPU = text(task.resources.cpu);
  if (task.resources.cpuLimit !== null) resources.CPULimit = text(task.resources.cpuLimit);
  if (task.resources.memoryMB !== null) resources.MemoryMB = text(task.resources.memoryMB);
  const objects: FlatObject[] = [
    { kind: 'Config', name: 'Config', fields: config },
    { kind: 'Resources', name: 'Resources', fields: resources },
    ...task.ports.map((p) => ({ kind: 'Port', name: `Port "${p.label}"`, fields: { Static: text(p.static), To: text(p.to) } })),
    ...(task.mounts ?? []).map((m) => ({ kind: 'Mount', name: `Mount "${m.target}"`, fields: { Type: m.type, Source: m.source, ReadOnly: text(m.readOnly) } })),
    ...containerObject(task.container),
    ...(task.registryAuth ? [{ kind: 'RegistryAuth', name: 'RegistryAuth', fields: registryAuthFields(task.registryAuth) }] : []),
    ...(task.files ?? []).map(fileObject),
    ...uniqueNames(task.checks.map((c) => ({ name: checkName(c), fields: checkFields(c) }))).map(({ name, fields }, i) => ({
      kind: task.checks[i]!.type === 'exec' ? 'ExecCheck' : 'Check',
      name: `Check "${name}"`,
      fields,
    })),
  ];
  const fields: Fields = addMapFields(addEnvFields({ Driver: task.driver }, task), 'Meta', task.meta);
  if (task.imageHealthcheck === 'disable') fields.ImageHealthcheck = 'disable';
  if (task.shutdownDelayMs > 0) fields.ShutdownDelay = duration(task.shutdownDelayMs);
  if (task.killTimeoutMs !== null) fields.KillTimeout = duration(task.killTimeoutMs);
  if (task.lifecycle) fields.Lifecycle = task.lifecycle.sidecar ? `${task.lifecycle.hook} sidecar` : task.lifecycle.hook;
  if (task.pull !== undefined) fields.PullPolicy = task.pull;
  return { name: task.name, fields, objects };
}

/** The password is a field like the others (a new one is a change); plans show it as (sensitive) (plan/redact.ts). */
function registryAuthFields(auth: RegistryCredentials): Fields {
  const fields: Fields = { Username: auth.username, Password: auth.password };
  if (auth.serverAddress !== null) fields.ServerAddress = auth.serverAddress;
  return fields;
}

/**
 * The environment as `Env[NAME]`; a value that comes from a secret as `SecretEnv[NAME]`,
 * which plans always show as (sensitive). A task without such values flattens as before.
 */
function addEnvFields(into: Fields, task: Task): Fields {
  const secret = new Set(task.sensitiveEnv ?? []);
  if (secret.size === 0) return addMapFields(into, 'Env', task.env);
  for (const key of Object.keys(task.env)) into[`${secret.has(key) ? secretEnvPrefix : 'Env['}${key}]`] = task.env[key]!;
  return into;
}

/** The prefix of an environment value that comes from a secret. */
export const secretEnvPrefix = 'SecretEnv[';

/** What a task's files flatten to: `Secret "<target>"` for sensitive ones (shown as (sensitive)), else `File "<target>"`. */
export const fileObjectKinds = { plain: 'File', sensitive: 'Secret' } as const;

/** The content itself is flattened (the diff shows a changed config; redaction hides a secret's). */
function fileObject(file: TaskFile): FlatObject {
  const kind = file.sensitive ? fileObjectKinds.sensitive : fileObjectKinds.plain;
  const fields: Fields = { Content: file.content, Mode: file.mode.toString(8).padStart(4, '0') };
  if (file.encoding) fields.Encoding = file.encoding;
  return { kind, name: `${kind} "${file.target}"`, fields };
}

/** Empty settings (`labels: {}`) are no settings: the object is left out, as for a task without them. */
function containerObject(settings: ContainerSettings | undefined): FlatObject[] {
  const fields = settings ? containerFields(settings) : {};
  return Object.keys(fields).length ? [{ kind: 'Container', name: 'Container', fields }] : [];
}

/** Only the settings the file gives: a task without them flattens (and hashes) as before they existed. */
function containerFields(c: ContainerSettings): Fields {
  const fields: Fields = {};
  if (c.labels) addMapFields(fields, 'Labels', c.labels);
  if (c.user !== undefined) fields.User = c.user;
  if (c.workingDir !== undefined) fields.WorkingDir = c.workingDir;
  if (c.hostname !== undefined) fields.Hostname = c.hostname;
  if (c.stopSignal !== undefined) fields.StopSignal = c.stopSignal;
  addListFields(fields, 'ExtraHosts', c.extraHosts ?? null);
  addListFields(fields, 'DNS', c.dns ?? null);
  addListFields(fields, 'DNSSearch', c.dnsSearch ?? null);
  addListFields(fields, 'DNSOptions', c.dnsOptions ?? null);
  addListFields(fields, 'CapAdd', c.capAdd ?? null);
  addListFields(fields, 'CapDrop', c.capDrop ?? null);
  if (c.readOnlyRootfs !== undefined) fields.ReadOnlyRootfs = text(c.readOnlyRootfs);
  if (c.noNewPrivileges !== undefined) fields.NoNewPrivileges = text(c.noNewPrivileges);
  if (c.sysctls) addMapFields(fields, 'Sysctls', c.sysctls);
  for (const u of c.ulimits ?? []) fields[`Ulimits[${u.name}]`] = `${u.soft}:${u.hard}`;
  if (c.shmSizeBytes !== undefined) fields.ShmSize = text(c.shmSizeBytes);
  if (c.init !== undefined) fields.Init = text(c.init);
  if (c.logging) {
    fields.LogDriver = c.logging.driver;
    addMapFields(fields, 'LogOptions', c.logging.options);
  }
  return fields;
}

/** Checks are matched across versions by name, else by what they probe. */
function checkName(check: Check): string {
  if (check.name) return check.name;
  if (check.type === 'exec') return 'healthcheck';
  return check.type === 'http' ? `http ${check.port} ${check.path}` : `tcp ${check.port}`;
}

/**
 * Equal names are told apart as `name #2`, `name #3`, numbered in the order of
 * their fields rather than of the file: swapping two such checks is no change.
 */
function uniqueNames(items: Array<{ name: string; fields: Fields }>): Array<{ name: string; fields: Fields }> {
  const key = (fields: Fields) => JSON.stringify(Object.entries(fields).sort());
  const out = items.map((item) => ({ ...item }));
  const byName = new Map<string, number[]>();
  out.forEach((item, i) => byName.set(item.name, [...(byName.get(item.name) ?? []), i]));
  for (const [name, indexes] of byName) {
    if (indexes.length < 2) continue;
    const ordered = [...indexes].sort((a, b) => key(out[a]!.fields).localeCompare(key(out[b]!.fields)));
    ordered.forEach((index, n) => {
      if (n > 0) out[index]!.name = `${name} #${n + 1}`;
    });
  }
  return out;
}

function checkFields(c: Check): Fields {
  const fields: Fields = {
    Type: c.type,
    ...(c.role === 'liveness' ? { Role: c.role } : {}),
    Interval: duration(c.intervalMs),
    Timeout: duration(c.timeoutMs),
    Retries: text(c.retries),
    StartPeriod: duration(c.startPeriodMs),
  };
  if (c.type === 'http') Object.assign(fields, { Port: text(c.port), Path: c.path, Method: c.method });
  if (c.type === 'tcp') fields.Port = text(c.port);
  if (c.type === 'grpc') Object.assign(fields, { Port: text(c.port), ...(c.service ? { Service: c.service } : {}) });
  if (c.type === 'exec') addListFields(fields, 'Command', c.command);
  return fields;
}
