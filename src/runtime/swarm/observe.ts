// Allocations as a swarm holds them (pure): every task of a service deckhand made
// is one allocation — its id the Swarm task ID, its index the task's slot — read
// with the service's labels (job, group, version, spec hash, the job's spec), the
// task's status (state, exit code, health) and its node (hostname, and whether the
// node is down: a task there is `lost`, as Nomad says).
//
// Swarm keeps a slot's past tasks (failed, replaced, shut down) beside its current
// one; those are history, not allocations. A slot's tasks that may still run (Swarm
// wants them to, or has not heard they stopped) are reported; a slot with none of
// those reports its newest task, so a slot Swarm gave up on (restart limit reached)
// shows as exited, until the service is scaled down past it.
import type { AllocationObservation, DockerHealth, TaskObservation, TaskState } from '../driver.js';
import { label, parseInteger } from '../docker/labels.js';
import { timeOf } from '../docker/observe.js';

/** What deckhand reads of a task from the Engine API (dockerode leaves the type out). */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Version?: { Index?: number };
  Status?: {
    State?: string;
    Timestamp?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
  Spec?: { ContainerSpec?: { HealthCheck?: { Test?: string[] } } };
  NetworksAttachments?: Array<{ Network?: { Spec?: { Name?: string; Ingress?: boolean } }; Addresses?: string[] }>;
}

export interface SwarmService {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

export interface SwarmNodeInfo {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string };
}

/** A task as Swarm reports it, with what only Swarm knows: the raw state, and whether its node is down. */
export interface SwarmTaskObservation extends TaskObservation {
  /** Swarm's own task state (`running`, `starting`, `failed`, `orphaned`...). */
  swarmState: string;
  /**
   * Its node is down (or Swarm gave the task up as orphaned): nothing is known of its
   * container. Reported to the rollout as `missing`: the Driver's TaskState has no `lost`
   * (docs/design/swarm-runtime.md, "What must change", item 5).
   */
  lost: boolean;
}

/** An allocation under Swarm: one task, on one node. */
export interface SwarmAllocationObservation extends AllocationObservation {
  /** The hostname of the task's node; null before Swarm assigned one. */
  node: string | null;
  /** The Swarm ID of the task's node: hostnames need not differ. */
  nodeId: string | null;
  tasks: [SwarmTaskObservation];
}

// swarmkit's order of task states: everything from `complete` on is terminal.
const stateOrder = ['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running', 'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'];
const rank = (state: string | undefined) => {
  const at = stateOrder.indexOf(state ?? 'new');
  return at === -1 ? 0 : at;
};
const isTerminal = (state: string | undefined) => rank(state) >= rank('complete');
// Only `down`: a new leader sets every node `unknown` until its next heartbeat, and Swarm waits that out too.
const nodeDown = new Set(['down']);

/** The tasks that are allocations: each slot's live tasks, else its newest one unless Swarm removed the slot. */
export function currentTasks(tasks: SwarmTask[]): SwarmTask[] {
  const bySlot = new Map<string, SwarmTask[]>();
  for (const task of tasks) {
    // A global service's tasks have no slot: one per node.
    const key = `${task.ServiceID}/${task.Slot ?? task.NodeID ?? task.ID}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), task]);
  }
  const chosen: SwarmTask[] = [];
  for (const slot of bySlot.values()) {
    const live = slot.filter((task) => !isTerminal(task.DesiredState) || !isTerminal(task.Status?.State));
    if (live.length > 0) {
      chosen.push(...live);
      continue;
    }
    const newest = [...slot].sort((a, b) => (b.Version?.Index ?? 0) - (a.Version?.Index ?? 0) || (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''))[0]!;
    if (newest.DesiredState !== 'remove') chosen.push(newest);
  }
  return chosen;
}

function hasHealthcheck(task: SwarmTask): boolean {
  const test = task.Spec?.ContainerSpec?.HealthCheck?.Test;
  return Array.isArray(test) && test.length > 0 && test[0] !== 'NONE';
}

/**
 * One task's state and health. Swarm's controller waits for a HEALTHCHECK to pass
 * before a task is `running` (and fails it `unhealthy container` when it does not):
 * `starting` is a container that runs and waits for its first healthy probe.
 */
export function swarmTaskObservation(task: SwarmTask, taskName: string, node: SwarmNodeInfo | undefined): SwarmTaskObservation {
  const swarmState = task.Status?.State ?? 'new';
  const containerId = task.Status?.ContainerStatus?.ContainerID || null;
  // A node removed from the swarm (`docker node rm --force`) is gone with its tasks.
  const nodeGone = node === undefined ? Boolean(task.NodeID) : nodeDown.has(node.Status?.State ?? '');
  const lost = swarmState === 'orphaned' || (!isTerminal(swarmState) && nodeGone);
  const state: TaskState = lost ? 'missing' : isTerminal(swarmState) ? 'exited' : rank(swarmState) >= rank('starting') ? 'running' : 'created';
  const health: DockerHealth =
    state === 'running' && swarmState === 'starting' ? 'starting'
    : state === 'running' && hasHealthcheck(task) ? 'healthy'
    : swarmState === 'failed' && /unhealthy/i.test(task.Status?.Err ?? '') ? 'unhealthy'
    : 'none';
  return {
    task: taskName,
    containerId,
    state,
    exitCode: state === 'exited' ? (task.Status?.ContainerStatus?.ExitCode ?? null) : null,
    // Swarm restarts a slot with a new task: each task runs once.
    restartCount: 0,
    startedAt: state === 'running' ? timeOf(task.Status?.Timestamp) : null,
    health,
    // A task with a HEALTHCHECK becomes `running` when it first passes: its status time is when it turned healthy.
    healthySince: health === 'healthy' ? timeOf(task.Status?.Timestamp) : null,
    swarmState,
    lost,
  };
}

/** The container ports of the group's first task, by label, from the job the service carries; none when it carries no readable job. */
function containerPortsOf(spec: string | null, group: string): Array<{ label: string; port: number }> {
  if (!spec) return [];
  try {
    const job = JSON.parse(spec) as { groups?: Array<{ name?: string; tasks?: Array<{ ports?: Array<{ label: string; to: number | null; static: number | null }> }> }> };
    const ports = job.groups?.find((item) => item.name === group)?.tasks?.[0]?.ports ?? [];
    return ports.flatMap((port) => {
      const inside = port.to ?? port.static;
      return inside === null || inside === undefined ? [] : [{ label: port.label, port: inside }];
    });
  } catch {
    return [];
  }
}

/** The overlay address of the task on its first job network; every port label listens there, on the container's port. */
function addressesOf(task: SwarmTask, ports: Array<{ label: string; port: number }>, running: boolean): Record<string, { host: string; port: number }> {
  const attachment = task.NetworksAttachments?.find((item) => !item.Network?.Spec?.Ingress && item.Addresses?.length);
  const host = attachment?.Addresses?.[0]?.split('/')[0];
  if (!running || !host) return {};
  return Object.fromEntries(ports.map(({ label: portLabel, port }) => [portLabel, { host, port }]));
}

/**
 * deckhand's allocations among a swarm's tasks: only those of services carrying
 * `deckhand.job`. `scope`: the observing agent's (labels.ts scopeOf).
 */
export function allocationsFromTasks(services: SwarmService[], tasks: SwarmTask[], nodes: SwarmNodeInfo[], scope: string): SwarmAllocationObservation[] {
  const serviceById = new Map(services.filter((service) => service.Spec?.Labels?.[label.job]).map((service) => [service.ID, service]));
  const nodeById = new Map(nodes.map((node) => [node.ID, node]));
  const ours = tasks.filter((task) => serviceById.has(task.ServiceID));
  // The job spec label is the whole job: read once per service, not once per task and poll.
  const portsByService = new Map<string, Array<{ label: string; port: number }>>();
  return currentTasks(ours).map((task) => {
    const labels = serviceById.get(task.ServiceID)!.Spec!.Labels!;
    const node = task.NodeID ? nodeById.get(task.NodeID) : undefined;
    const observed = swarmTaskObservation(task, labels[label.task] ?? '', node);
    const spec = labels[label.spec] ?? null;
    const group = labels[label.group] ?? '';
    return {
      allocId: task.ID,
      jobId: labels[label.job] ?? '',
      group,
      index: task.Slot ?? 0,
      jobVersion: parseInteger(labels[label.version], 0),
      specHash: labels[label.specHash] ?? '',
      deploymentId: labels[label.deployment] || null,
      // No host ports under Swarm: the edge and the checks reach tasks on the overlay.
      ports: {},
      addresses: addressesOf(task, portsOf(portsByService, task.ServiceID, spec, group), observed.state === 'running'),
      tasks: [observed],
      spec,
      inScope: labels[label.scope] === scope,
      node: node?.Description?.Hostname ?? null,
      nodeId: task.NodeID || null,
    };
  });
}

function portsOf(cache: Map<string, Array<{ label: string; port: number }>>, serviceId: string, spec: string | null, group: string): Array<{ label: string; port: number }> {
  let ports = cache.get(serviceId);
  if (!ports) cache.set(serviceId, (ports = containerPortsOf(spec, group)));
  return ports;
}
