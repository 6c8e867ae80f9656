// A Nomad `job` block → the Job model: groups with Nomad's defaults, the job's
// `update` merged into each group's, ports and checks attached to their tasks.
import { defaultGroupNetwork, defaultJobNetworks } from '../../model/index.js';
import type { Endpoint, Group, GroupNetwork, Job, JobVolume, Port, RestartPolicy } from '../../model/index.js';
import { nomadRestartDefaults } from '../defaults.js';
import type { Block } from '../../hcl/index.js';
import { applyGroupNetworkSettings, readGroupNetworkSettings } from './container-settings.js';
import type { GroupNetworkSettings } from './container-settings.js';
import type { NomadContext } from './context.js';
import { mapNetworks } from './network.js';
import type { PositionedPort } from './network.js';
import { BlockReader } from './reader.js';
import { groupPlacement, noPlacement, readPlacementBlocks } from './placement.js';
import type { PlacementBlocks } from './placement.js';
import { mapServices } from './services.js';
import { mapTask } from './task.js';
import type { MappedTask } from './task.js';
import { mapUpdate } from './update.js';
import { mapTaskMounts, readGroupVolumes } from './volumes.js';

export function mapJob(ctx: NomadContext, block: Block): Job | undefined {
  if (block.labels.length !== 1) {
    ctx.error(block.typeSpan, 'job', 'a job block needs exactly one label: job "name" { ... }');
    return undefined;
  }
  const id = block.labels[0]!;
  ctx.origin('id', block.labelSpans[0]!, 'job');
  const reader = BlockReader.ofBlock(ctx, block, 'job', '');

  const type = reader.string('type');
  if (type && type.value !== 'service') {
    ctx.report('error', 'unsupported', type.span, type.field, `job type "${type.value}" is not supported`, 'deckhand runs type = "service" jobs');
  }
  const jobUpdates = reader.blocks('update');
  if (jobUpdates.length > 1) ctx.error(jobUpdates[1]!.typeSpan, 'update', 'a job has at most one update block');

  const jobPlacement = noPlacement();
  readPlacementBlocks(ctx, reader, jobPlacement);
  const groups: Group[] = [];
  const endpoints: Endpoint[] = [];
  const volumes: JobVolume[] = [];
  for (const groupBlock of reader.blocks('group')) {
    const group = mapGroup(ctx, groupBlock, { update: jobUpdates[0], placement: jobPlacement }, `groups.${groups.length}`, endpoints, volumes);
    if (group) groups.push(group);
  }
  const hostOnly = groups.length > 0 && groups.every((g) => g.network.mode === 'host');
  if (groups.length === 0) ctx.error(block.typeSpan, 'group', `job "${id}" has no group`, 'add group "name" { task "name" { ... } }');

  return {
    id,
    type: 'service',
    source: { format: 'nomad', file: ctx.file },
    meta: reader.stringMap('meta')?.value ?? {},
    historyLimit: null,
    networks: hostOnly ? [] : defaultJobNetworks(),
    endpoints,
    ...(volumes.length ? { volumes } : {}),
    groups,
  };
}

/** What a job says for each of its groups. */
interface JobLevel {
  update: Block | undefined;
  placement: PlacementBlocks;
}

/** `endpoints` receives the group's endpoints: its static ports, under bridge networking; `volumes` the named volumes its tasks mount. */
function mapGroup(ctx: NomadContext, block: Block, job: JobLevel, modelPath: string, endpoints: Endpoint[], volumes: JobVolume[]): Group | undefined {
  if (block.labels.length !== 1) {
    ctx.error(block.typeSpan, 'group', 'a group block needs exactly one label: group "name" { ... }');
    return undefined;
  }
  const name = block.labels[0]!;
  ctx.origin(modelPath, block.typeSpan, 'group');
  ctx.origin(`${modelPath}.name`, block.labelSpans[0]!, 'group');
  const reader = BlockReader.ofBlock(ctx, block, 'group', '');

  // Read for its decisions only (schema.ts): size changes nothing, migrate and sticky are refused.
  for (const disk of reader.blocks('ephemeral_disk')) BlockReader.ofBlock(ctx, disk, 'ephemeral_disk', 'ephemeral_disk');
  const count = reader.number('count', { integer: true });
  if (count) ctx.origin(`${modelPath}.count`, count.span, count.field);
  const groupUpdates = reader.blocks('update');
  if (groupUpdates.length > 1) ctx.error(groupUpdates[1]!.typeSpan, 'update', 'a group has at most one update block');
  const update = mapUpdate(ctx, job.update, groupUpdates[0], `${modelPath}.update`);
  const ownPlacement = noPlacement();
  readPlacementBlocks(ctx, reader, ownPlacement);

  const networkSettings: GroupNetworkSettings = {};
  const groupPorts = mapNetworks(ctx, reader.blocks('network'), 'network', (network) => readGroupNetworkSettings(ctx, network, networkSettings));
  const groupChecks = mapServices(ctx, reader.blocks('service'), 'service');
  const mapped = reader.blocks('task').map((t, i) => mapTask(ctx, t, `${modelPath}.tasks.${i}`));
  const tasks = mapped.filter((t): t is MappedTask => t !== undefined);
  const groupVolumes = readGroupVolumes(ctx, reader.blocks('volume'));
  tasks.forEach((t, ti) => {
    const mounts = mapTaskMounts(ctx, groupVolumes, t.mountSources, `${modelPath}.tasks.${ti}`, volumes);
    // Only when there are some: a task without mounts keeps its spec hash.
    if (mounts.length) t.task.mounts = mounts;
  });
  if (tasks.length === 0) ctx.error(block.typeSpan, 'task', `group "${name}" has no task`, 'add task "name" { driver = "docker" ... }');

  for (const check of groupChecks) {
    // A group service without `task` goes to the first task by name: moving task blocks is no change.
    const byName = [...tasks].sort((a, b) => a.task.name.localeCompare(b.task.name));
    const owner = check.task === null ? byName[0] : tasks.find((t) => t.task.name === check.task);
    if (!owner) {
      ctx.error(check.span, 'service.task', `the service names task "${check.task}", which is not in group "${name}"`);
      continue;
    }
    owner.checks.push(check);
  }

  const network = groupNetworkOf(ctx, tasks, name, modelPath);
  const groupDelay = reader.duration('shutdown_delay');
  if (network.mode === 'host') {
    for (const port of [...groupPorts, ...tasks.flatMap((t) => t.ports)]) {
      if (port.to) ctx.report('warning', 'unsupported', port.to.span, `${port.field}.to`, 'to is not used on the host\'s network: the process listens on the host port itself');
    }
    for (const [label, to] of tasks.flatMap((t) => [...t.portMap])) {
      ctx.report('warning', 'unsupported', to.span, `config.port_map.${label}`, 'port_map is not used on the host\'s network: the process listens on the host port itself');
    }
  }
  tasks.forEach((mappedTask, ti) => {
    const taskPath = `${modelPath}.tasks.${ti}`;
    const ports = [...groupPorts, ...withPortMap(ctx, groupPorts, mappedTask)];
    mappedTask.task.ports = ports.map((p, pi) => portOf(ctx, p, network.mode, `${taskPath}.ports.${pi}`));
    const container = applyGroupNetworkSettings(ctx, mappedTask.task.container, networkSettings, taskPath, mappedTask.task.name);
    if (container) mappedTask.task.container = container;
    const delay = mappedTask.shutdownDelay ?? groupDelay;
    if (delay) {
      mappedTask.task.shutdownDelayMs = delay.value;
      ctx.origin(`${taskPath}.shutdownDelayMs`, delay.span, delay.field);
    }
    if (mappedTask.configPorts) {
      const known = new Set(ports.map((p) => p.label));
      const { labels, reader: config } = mappedTask.configPorts;
      const attr = config.attribute('ports')!;
      for (const label of labels.filter((l) => !known.has(l))) {
        ctx.error(attr.expr.span, 'config.ports', `port "${label}" is not defined in a network block`, `defined: ${[...known].map((l) => `"${l}"`).join(', ') || 'none'}`);
      }
    }
    mappedTask.task.checks = mappedTask.checks.map((c) => c.check);
    mappedTask.checks.forEach((c, ci) => {
      ctx.origin(`${taskPath}.checks.${ci}`, c.span, c.field);
      if (c.port) ctx.origin(`${taskPath}.checks.${ci}.port`, c.port.span, c.port.field);
    });
  });

  if (network.mode === 'bridge' && tasks.length > 0) {
    // A group's port goes to the task whose docker config publishes it (the first one), else to the group's first task.
    const owner = (label: string) => tasks.find((t) => t.configPorts?.labels.includes(label)) ?? tasks[0]!;
    const owned = [...groupPorts.map((p) => ({ port: p, task: owner(p.label) })), ...tasks.flatMap((t) => t.ports.map((p) => ({ port: p, task: t })))];
    for (const { port, task } of owned) {
      if (!port.static) continue;
      const at = `endpoints.${endpoints.length}`;
      ctx.origin(at, port.span, port.field);
      ctx.origin(`${at}.port`, port.static.span, `${port.field}.static`);
      endpoints.push({ port: port.static.value, group: name, task: task.task.name, portLabel: port.label, canaries: false });
    }
  }

  // Task restart blocks apply in task-name order, not file order (the model keeps one policy per group).
  const restartBlocks = [...reader.blocks('restart'), ...[...tasks].sort((a, b) => a.task.name.localeCompare(b.task.name)).flatMap((t) => t.restart)];
  return {
    name,
    count: count?.value ?? 1,
    update,
    rollback: null,
    restart: mapRestart(ctx, restartBlocks),
    network,
    ...groupPlacement([job.placement, ownPlacement, ...tasks.map((t) => t.placement)]),
    meta: reader.stringMap('meta')?.value ?? {},
    tasks: tasks.map((t) => t.task),
  };
}

/**
 * The group's networking: the host's when its tasks' docker configs say
 * `network_mode = "host"`, else the job's network. A group's tasks share one network
 * in Nomad, so a group of both kinds is refused.
 */
function groupNetworkOf(ctx: NomadContext, tasks: MappedTask[], group: string, modelPath: string): GroupNetwork {
  const host = tasks.filter((t) => t.hostNetwork);
  const other = tasks.find((t) => !t.hostNetwork);
  if (host.length === 0) return defaultGroupNetwork();
  const mode = host[0]!.hostNetwork!;
  if (other) {
    ctx.error(mode.span, mode.field, `task "${host[0]!.task.name}" runs on the host's network, but task "${other.task.name}" of group "${group}" does not`, 'a group\'s tasks share one network: set network_mode = "host" on all of them or none');
  }
  ctx.origin(`${modelPath}.network`, mode.span, mode.field);
  ctx.origin(`${modelPath}.network.mode`, mode.span, mode.field);
  return { mode: 'host', attachments: [] };
}

/**
 * A port under the group's networking. Bridge: mapped to `to`, else to the static
 * number, else to the host port it gets; a static port is served by an endpoint,
 * each allocation getting a host port of its own. Host: the static port is a real
 * host port the process binds, and nothing is mapped.
 */
function portOf(ctx: NomadContext, port: PositionedPort, mode: GroupNetwork['mode'], modelPath: string): Port {
  ctx.origin(modelPath, port.span, port.field);
  if (mode === 'host') {
    if (port.static) ctx.origin(`${modelPath}.static`, port.static.span, `${port.field}.static`);
    return { label: port.label, static: port.static?.value ?? null, to: null };
  }
  const to = port.to ?? port.static;
  if (to) ctx.origin(`${modelPath}.to`, to.span, `${port.field}.${port.to ? 'to' : 'static'}`);
  return { label: port.label, static: null, to: to?.value ?? null };
}

/**
 * The docker config's `port_map`, as Nomad's docker driver reads it: the `to` of each
 * of the task's own ports (`resources { network }`) it names (a port's `to` wins);
 * entries naming no such port map nothing. Nomad refuses it for the group network's
 * ports, and so does deckhand; with `ports` listing those, Nomad passes over it.
 */
function withPortMap(ctx: NomadContext, groupPorts: PositionedPort[], task: MappedTask): PositionedPort[] {
  const [first] = task.portMap.values();
  if (!first) return task.ports;
  const field = 'config.port_map';
  if (groupPorts.length && task.configPorts) {
    ctx.report('warning', 'invalid-value', first.span, field, 'port_map is not used: config ports lists the group network\'s ports, whose own "to" applies, as in Nomad', 'remove port_map');
    return task.ports;
  }
  if (task.ports.length === 0) {
    const why = groupPorts.length ? 'port_map cannot map the group network\'s ports (Nomad refuses it too)' : 'port_map maps the task\'s ports, and it has none';
    ctx.error(first.span, field, why, 'set "to" on the group network\'s port and list the port under config ports');
    return task.ports;
  }
  const labels = new Set(task.ports.map((p) => p.label));
  for (const [label, to] of task.portMap) {
    if (!labels.has(label)) ctx.report('warning', 'invalid-value', to.span, `${field}.${label}`, `the task has no port "${label}": nothing is mapped for it, as in Nomad`, `its ports: ${[...labels].map((l) => `"${l}"`).join(', ')}`);
  }
  return task.ports.map((port) => {
    const to = task.portMap.get(port.label);
    return to && !port.to ? { ...port, to } : port;
  });
}

/** The group's restart policy, then each task's on top (the model keeps one per group). */
function mapRestart(ctx: NomadContext, blocks: Block[]): RestartPolicy {
  const policy: RestartPolicy = { ...nomadRestartDefaults };
  let attempts = policy.maxAttempts;
  let mode = 'fail';
  for (const block of blocks) {
    const reader = BlockReader.ofBlock(ctx, block, 'restart', 'restart');
    attempts = reader.number('attempts', { integer: true, min: 0 })?.value ?? attempts;
    policy.windowMs = reader.duration('interval')?.value ?? policy.windowMs;
    policy.delayMs = reader.duration('delay')?.value ?? policy.delayMs;
    mode = reader.oneOf('mode', ['fail', 'delay'])?.value ?? mode;
  }
  // mode "delay" keeps restarting after a pause once attempts run out: no limit.
  policy.maxAttempts = mode === 'delay' ? 0 : attempts;
  policy.condition = attempts === 0 && mode === 'fail' ? 'none' : 'any';
  return policy;
}
