// A Nomad `task` block → one Task: the docker driver's config, env, resources,
// its own ports (old-style `resources { network {} }`) and its services' checks.
import type { Resources, Task } from '../../model/index.js';
import { nomadResourceDefaults } from '../defaults.js';
import type { Block, Span } from '../../hcl/index.js';
import { applyGroupNetworkSettings, mapContainerSettings, readGroupNetworkSettings } from './container-settings.js';
import type { GroupNetworkSettings } from './container-settings.js';
import type { NomadContext } from './context.js';
import type { PositionedPort } from './network.js';
import { mapNetworks } from './network.js';
import { pullPolicyOf, registryAuthOf } from './image.js';
import { BlockReader } from './reader.js';
import type { Read } from './reader.js';
import type { PositionedCheck } from './services.js';
import { noPlacement, readPlacementBlocks } from './placement.js';
import type { PlacementBlocks } from './placement.js';
import { mapServices } from './services.js';
import type { MountSources } from './volumes.js';
import { mapTemplates } from './template.js';

export interface MappedTask {
  task: Task;
  /** Checks of the task's own services; group-level ones are added by the group. */
  checks: PositionedCheck[];
  /** Ports declared inside this task's resources. */
  ports: PositionedPort[];
  /** Labels the docker config publishes (`config { ports = ["http"] }`), to check against the group's ports. */
  configPorts: { labels: string[]; reader: BlockReader } | null;
  restart: Block[];
  /** The docker config's deprecated `port_map { http = 8080 }`: label → the port inside the container, a `to` by its old name. */
  portMap: Map<string, { value: number; span: Span }>;
  /** The docker config's `network_mode = "host"`; null: the job's networks. */
  hostNetwork: Read<string> | null;
  /** The task's own `shutdown_delay`, which wins over the group's. */
  shutdownDelay: Read<number> | null;
  /** Where its mounts are read from once the group's volumes are known (volumes.ts). */
  mountSources: MountSources;
  /** Its constraint and spread blocks, which are about its group (a group's tasks share a node). */
  placement: PlacementBlocks;
}

export function mapTask(ctx: NomadContext, block: Block, modelPath: string): MappedTask | undefined {
  if (block.labels.length !== 1) {
    ctx.error(block.typeSpan, 'task', 'a task block needs exactly one label: task "server" { ... }');
    return undefined;
  }
  const name = block.labels[0]!;
  ctx.origin(modelPath, block.typeSpan, 'task');
  ctx.origin(`${modelPath}.name`, block.labelSpans[0]!, 'task');
  const reader = BlockReader.ofBlock(ctx, block, 'task', '');

  const driver = reader.string('driver');
  if (!driver) reader.missing('driver', 'deckhand runs driver = "docker"');
  const otherDriver = driver !== undefined && driver.value !== 'docker';
  if (otherDriver) {
    ctx.report('error', 'unsupported', driver.span, driver.field, `driver "${driver.value}" is not supported: deckhand runs Docker containers only, so this task's config is not read`, 'run the program from an image: driver = "docker" with config { image = "..." }');
  }

  const configBlocks = reader.blocks('config');
  // Another driver's config has that driver's keys: judging them against the docker driver's would only add noise.
  const config = configBlocks[0] ? BlockReader.ofBlock(ctx, configBlocks[0], otherDriver ? 'config-of-another-driver' : 'config', 'config') : undefined;
  if (configBlocks.length > 1) ctx.error(configBlocks[1]!.typeSpan, 'config', 'a task has one config block');
  if (!config) ctx.error(block.typeSpan, 'config', `task "${name}" has no config block`, 'add config { image = "..." }');

  const image = config?.string('image');
  if (image) ctx.origin(`${modelPath}.image`, image.span, image.field);
  else if (config) ctx.origin(`${modelPath}.image`, config.span, 'config.image');
  const env = reader.stringMap('env');

  const resourceBlocks = reader.blocks('resources');
  const resourceReader = resourceBlocks[0] ? BlockReader.ofBlock(ctx, resourceBlocks[0], 'resources', 'resources') : undefined;
  // The older task-level network may say dns and hostname too: they are this task's.
  const taskNetwork: GroupNetworkSettings = {};
  const ports = resourceReader ? mapNetworks(ctx, resourceReader.blocks('network'), 'resources.network', (n) => readGroupNetworkSettings(ctx, n, taskNetwork)) : [];

  const configPorts = config?.stringList('ports');
  const killTimeout = reader.duration('kill_timeout');
  if (killTimeout) ctx.origin(`${modelPath}.killTimeoutMs`, killTimeout.span, killTimeout.field);
  const templates = mapTemplates(ctx, reader.blocks('template'), modelPath);
  const task: Task = {
    name,
    driver: 'docker',
    image: image?.value ?? '',
    command: config?.string('command')?.value ?? null,
    args: config?.stringList('args')?.value ?? null,
    entrypoint: config?.stringList('entrypoint')?.value ?? null,
    // What `env = true` templates define wins over the env block, as in Nomad.
    env: { ...(env?.value ?? {}), ...templates.env },
    ports: [],
    resources: mapResources(resourceReader),
    checks: [],
    imageHealthcheck: imageHealthcheckOf(ctx, config),
    shutdownDelayMs: 0,
    killTimeoutMs: killTimeout?.value ?? null,
    ...pullPolicyOf(ctx, config, modelPath),
    ...registryAuthOf(ctx, config, modelPath),
    ...(templates.files.length ? { files: templates.files } : {}),
    ...(templates.sensitiveEnv.length ? { sensitiveEnv: templates.sensitiveEnv } : {}),
    meta: reader.stringMap('meta')?.value ?? {},
    ...lifecycleOf(ctx, reader.blocks('lifecycle'), modelPath),
  };
  const container = applyGroupNetworkSettings(ctx, mapContainerSettings(ctx, reader, config, modelPath), taskNetwork, modelPath, name);
  if (container) task.container = container;
  return {
    task,
    checks: mapServices(ctx, reader.blocks('service'), 'service'),
    ports,
    configPorts: configPorts && config ? { labels: configPorts.value, reader: config } : null,
    restart: reader.blocks('restart'),
    portMap: portMapOf(ctx, config),
    hostNetwork: hostNetworkOf(ctx, config),
    shutdownDelay: reader.duration('shutdown_delay') ?? null,
    mountSources: { task: reader, config },
    placement: placementOfTask(ctx, reader),
  };
}

function placementOfTask(ctx: NomadContext, reader: BlockReader): PlacementBlocks {
  const placement = noPlacement();
  readPlacementBlocks(ctx, reader, placement);
  return placement;
}

/** `port_map { http = 8080 }` (warned as deprecated by the schema): whole numbers from 1 to 65535. */
function portMapOf(ctx: NomadContext, config: BlockReader | undefined): MappedTask['portMap'] {
  const out: MappedTask['portMap'] = new Map();
  const read = config?.stringMap('port_map');
  if (!read) return out;
  for (const [label, text] of Object.entries(read.value)) {
    const port = Number(text);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      ctx.error(read.span, `${read.field}.${label}`, `expected a port number from 1 to 65535, got "${text}"`);
      continue;
    }
    out.set(label, { value: port, span: read.span });
  }
  return out;
}

/** `lifecycle { hook = "prestart" | "poststart", sidecar = bool }`; poststop has no place on deckhand's engine. */
function lifecycleOf(ctx: NomadContext, blocks: Block[], modelPath: string): Pick<Task, 'lifecycle'> {
  const [block, extra] = blocks;
  if (!block) return {};
  if (extra) ctx.error(extra.typeSpan, 'lifecycle', 'a task has one lifecycle block');
  const reader = BlockReader.ofBlock(ctx, block, 'lifecycle', 'lifecycle');
  const hook = reader.string('hook');
  if (!hook) {
    reader.missing('hook', 'hook = "prestart" or "poststart"');
    return {};
  }
  if (hook.value !== 'prestart' && hook.value !== 'poststart') {
    const why = hook.value === 'poststop' ? 'poststop tasks are not run by deckhand' : `hook "${hook.value}" is not a lifecycle hook`;
    ctx.report('error', 'unsupported', hook.span, hook.field, why, 'use hook = "prestart" or "poststart"');
    return {};
  }
  ctx.origin(`${modelPath}.lifecycle`, hook.span, hook.field);
  return { lifecycle: { hook: hook.value, sidecar: reader.bool('sidecar')?.value ?? false } };
}

/**
 * The docker driver's `network_mode`: "host" puts the task on the host's network;
 * "bridge" and "default" are Docker's own bridge, whose part deckhand's job network
 * plays (ports mapped, names resolved); anything else joins what deckhand does not make.
 */
function hostNetworkOf(ctx: NomadContext, config: BlockReader | undefined): Read<string> | null {
  const mode = config?.string('network_mode');
  if (!mode || mode.value === 'bridge' || mode.value === 'default') return null;
  if (mode.value === 'host') return mode;
  ctx.report('error', 'unsupported', mode.span, mode.field, `network_mode "${mode.value}" is not supported: a task joins the job's network, or the host's with "host"`, 'remove network_mode, or set it to "host"');
  return null;
}

/** The docker driver's `healthchecks { disable = true }` turns off the image's HEALTHCHECK. */
function imageHealthcheckOf(ctx: NomadContext, config: BlockReader | undefined): 'use' | 'disable' {
  const block = config?.blocks('healthchecks')[0];
  if (!block) return 'use';
  const disable = BlockReader.ofBlock(ctx, block, 'healthchecks', 'config.healthchecks').bool('disable');
  return disable?.value ? 'disable' : 'use';
}

function mapResources(reader: BlockReader | undefined): Resources {
  if (!reader) return { cpu: nomadResourceDefaults.cpu, cpuLimit: null, memoryMB: nomadResourceDefaults.memoryMB };
  const cores = reader.number('cores', { integer: true, min: 1 });
  const cpu = reader.number('cpu', { integer: true, min: 1 });
  if (cores && cpu) reader.ctx.error(cores.span, cores.field, 'cores and cpu cannot both be set', 'Nomad reserves whole cores or MHz, not both');
  return {
    // Whole cores replace the MHz reservation, as in Nomad.
    cpu: cores ? null : cpu?.value ?? nomadResourceDefaults.cpu,
    cpuLimit: cores?.value ?? null,
    memoryMB: reader.number('memory', { integer: true, min: 1 })?.value ?? nomadResourceDefaults.memoryMB,
  };
}
