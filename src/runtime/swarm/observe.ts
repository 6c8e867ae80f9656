// Allocations as a swarm holds them (pure): every service deckhand made is one
// allocation (one replica) — its id and index from the service's labels — read with
// the service's labels (job, group, version, spec hash, the job's spec), its task's
// status (state, exit code, health) and its node (hostname, and whether the node is
// down: a task there is `lost`, as Nomad says).
//
// Swarm keeps the slot's past tasks (failed, restarted, moved off a lost node)
// beside its current one: the current one is the allocation's task, the others
// count as its restarts. The current one is the newest that may still run (Swarm
// wants it to, or has not heard it stopped), a task on a live node before a lost
// one; with none of those, the newest (a slot Swarm gave up on shows as exited).
import type { AllocationObservation, DockerHealth, TaskObservation, TaskState } from '../driver.js';
import { label, parseInteger, parsePorts } from '../docker/labels.js';
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
  Status?: { State?: string; Addr?: string };
}

/** A task as Swarm reports it, with what only Swarm knows: the raw state, and whether its node is down. */
export interface SwarmTaskObservation extends TaskObservation {
  /** Swarm's own task state (`running`, `starting`, `failed`, `orphaned`...). */
  swarmState: string;
  /**
   * Its node is down (or Swarm gave the task up as orphaned): nothing is known of its
   * container. Reported to the rollout as `created` (not ready, not failed): moving it
   * to a live node is Swarm's, and deckhand must not start a second one.
   */
  lost: boolean;
}

/** An allocation under Swarm: one service of one replica, its current task on one node. */
export interface SwarmAllocationObservation extends AllocationObservation {
  /** The hostname of the task's node; null before Swarm assigned one. */
  node: string | null;
  /** The Swarm ID of the task's node: hostnames need not differ. */
  nodeId: string | null;
  /** The allocation's service. */
  serviceId: string;
  tasks: [SwarmTaskObservation];
}

// swarmkit's order of task states: everything from `complete` on is terminal.
const stateOrder = ['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running', 'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'];
const rank = (state: string | undefined) => {
  const at = stateOrder.indexOf(state ?? 'new');
  return at === -1 ? 0 : at;
};
const isTerminal = (state: string | undefined) => rank(state) >= rank('complete');
const endedOnItsOwn = new Set(['complete', 'failed', 'rejected']);
// Only `down`: a new leader sets every node `unknown` until its next heartbeat, and Swarm waits that out too.
const nodeDown = new Set(['down']);

/** The allocation's task among its service's tasks (see the top), and how many tasks ran before it. */
export function currentTask(tasks: SwarmTask[], nodeDownById: (nodeId: string | undefined) => boolean): { task: SwarmTask; earlier: number } | null {
  if (tasks.length === 0) return null;
  const newestFirst = [...tasks].sort((a, b) => (b.Version?.Index ?? 0) - (a.Version?.Index ?? 0) || (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''));
  const live = newestFirst.filter((task) => !isTerminal(task.DesiredState) || !isTerminal(task.Status?.State));
  const task = live.find((candidate) => !nodeDownById(candidate.NodeID) && candidate.Status?.State !== 'orphaned') ?? live[0] ?? newestFirst[0]!;
  const created = (candidate: SwarmTask) => candidate.CreatedAt ?? '';
  // Restarts are the tasks that ended on their own before it; one Swarm shut down or gave up with its lost node was moved, not restarted.
  return { task, earlier: tasks.filter((other) => other !== task && created(other) < created(task) && endedOnItsOwn.has(other.Status?.State ?? '')).length };
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
export function swarmTaskObservation(task: SwarmTask, taskName: string, node: SwarmNodeInfo | undefined, restartCount = 0): SwarmTaskObservation {
  const swarmState = task.Status?.State ?? 'new';
  const containerId = task.Status?.ContainerStatus?.ContainerID || null;
  // A node removed from the swarm (`docker node rm --force`) is gone with its tasks.
  const nodeGone = node === undefined ? Boolean(task.NodeID) : nodeDown.has(node.Status?.State ?? '');
  const lost = swarmState === 'orphaned' || (!isTerminal(swarmState) && nodeGone);
  // A lost task is Swarm's to move (it starts another on a live node): the allocation is not ready meanwhile, not failed.
  const state: TaskState = lost ? 'created' : isTerminal(swarmState) ? 'exited' : rank(swarmState) >= rank('starting') ? 'running' : 'created';
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
    // Swarm restarts a slot with a new task: the tasks before it are its restarts.
    restartCount,
    startedAt: state === 'running' ? timeOf(task.Status?.Timestamp) : null,
    health,
    // A task with a HEALTHCHECK becomes `running` when it first passes: its status time is when it turned healthy.
    healthySince: health === 'healthy' ? timeOf(task.Status?.Timestamp) : null,
    swarmState,
    lost,
  };
}

/**
 * Where each port label of a running task answers from outside Swarm (the agent's
 * checks, the edge): its node's address, at its node port (the service's
 * `deckhand.ports`: the port it listens on under host networking, published there
 * in host mode on an overlay).
 */
function addressesOf(node: SwarmNodeInfo | undefined, ports: Record<string, number>, running: boolean): Record<string, { host: string; port: number }> {
  const host = node?.Status?.Addr;
  if (!running || !host) return {};
  return Object.fromEntries(Object.entries(ports).map(([portLabel, port]) => [portLabel, { host, port }]));
}

/**
 * deckhand's allocations in a swarm: one per service carrying `deckhand.alloc`.
 * A service whose task Swarm has not created yet reads as a created allocation.
 * `scope`: the observing agent's (labels.ts scopeOf).
 */
export function allocationsFromTasks(services: SwarmService[], tasks: SwarmTask[], nodes: SwarmNodeInfo[], scope: string): SwarmAllocationObservation[] {
  const nodeById = new Map(nodes.map((node) => [node.ID, node]));
  const down = (nodeId: string | undefined) => {
    if (!nodeId) return false;
    const node = nodeById.get(nodeId);
    return node === undefined || nodeDown.has(node.Status?.State ?? '');
  };
  const tasksByService = new Map<string, SwarmTask[]>();
  for (const task of tasks) tasksByService.set(task.ServiceID, [...(tasksByService.get(task.ServiceID) ?? []), task]);
  return services.flatMap((service) => {
    const labels = service.Spec?.Labels ?? {};
    const allocId = labels[label.alloc];
    const jobId = labels[label.job];
    if (!jobId || !allocId) return [];
    const current = currentTask(tasksByService.get(service.ID) ?? [], down);
    const task = current?.task;
    const node = task?.NodeID ? nodeById.get(task.NodeID) : undefined;
    const observed = task ? swarmTaskObservation(task, labels[label.task] ?? '', node, current.earlier) : notCreatedYet(labels[label.task] ?? '');
    const spec = labels[label.spec] ?? null;
    const group = labels[label.group] ?? '';
    const nodePorts = parsePorts(labels[label.ports]);
    return [
      {
        allocId,
        jobId,
        group,
        index: parseInteger(labels[label.index], 0),
        jobVersion: parseInteger(labels[label.version], 0),
        specHash: labels[label.specHash] ?? '',
        deploymentId: labels[label.deployment] || null,
        ports: nodePorts,
        addresses: addressesOf(node, nodePorts, observed.state === 'running'),
        tasks: [observed],
        spec,
        inScope: labels[label.scope] === scope,
        node: node?.Description?.Hostname ?? null,
        nodeId: task?.NodeID || null,
        serviceId: service.ID,
      },
    ];
  });
}

function notCreatedYet(taskName: string): SwarmTaskObservation {
  return { task: taskName, containerId: null, state: 'created', exitCode: null, restartCount: 0, startedAt: null, health: 'none', healthySince: null, swarmState: 'new', lost: false };
}
