// Node loss on the 3-node test swarm: the update's service at v1 (6 tasks, two on
// each node), then SIGKILL of one node's dockerd, as a machine that dies; timed from
// the kill until the managers list the node `down`, and until every task it ran runs
// on another node. The node killed is a manager but not the leader, so the time is
// Swarm's detection and rescheduling, not a leader election. The API has no task
// events: both are read from the manager's lists, every 100 ms. In between, where the
// time goes: the replacement tasks' creation (the task's CreatedAt, the managers'
// clock: this machine's), their containers' start and first passing probe (the
// surviving nodes' container events).
import type { SwarmCluster } from '../test/support/swarm/cluster.js';
import type { EventRecorder } from './docker-events.js';
import { containerTimes } from './rollout-timeline.js';
import { createService } from './swarm.js';
import type { UpdateSetup } from './swarm-cluster-update.js';
import { replicas, swarmService, updateLabel } from './swarm-cluster-update.js';

const pollMs = 100;
const timeoutMs = 60_000;

export interface NodeLossMeasured {
  round: number;
  /** The killed node's index in the cluster (1-based) and how many tasks it ran. */
  node: number;
  tasks: number;
  /** Kill → the node listed `down`. */
  downMs: number;
  /** Kill → the last replacement task created (Swarm's orchestrator reacting to the node's loss). */
  replacedMs: number;
  /** Kill → the last replacement's container started (after the restart delay) and passed its first probe. */
  startedMs: number;
  healthyMs: number;
  /** Kill → every task it ran running on another node. */
  elsewhereMs: number;
}

interface SwarmTask {
  ID: string;
  CreatedAt: string;
  NodeID: string;
  Status: { State: string; ContainerStatus?: { ContainerID?: string } };
}

async function runningTasks(cluster: SwarmCluster, service: string): Promise<SwarmTask[]> {
  const tasks = (await cluster.manager.docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as SwarmTask[];
  return tasks.filter((task) => task.Status.State === 'running');
}

async function until<T>(what: string, check: () => Promise<T | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== false) return result;
    if (Date.now() > deadline) throw new Error(`node loss: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Kills a node of `setup.cluster`: the cluster is not whole afterwards, and is
 * destroyed by the caller. `containerEvents` are the nodes' recorders of the run's
 * container events.
 */
export async function measureNodeLoss(setup: UpdateSetup, round: number, containerEvents: EventRecorder[]): Promise<NodeLossMeasured> {
  const { cluster, name } = setup;
  await createService(cluster.manager.docker, swarmService(setup));
  const before = await until(`${replicas} running tasks`, async () => {
    const running = await runningTasks(cluster, name);
    return running.length === replicas && running;
  });
  const listed = await cluster.manager.docker.listNodes();
  const byId = await cluster.nodeById();
  const victimEntry = listed.find((node) => !node.ManagerStatus?.Leader && before.some((task) => task.NodeID === node.ID));
  if (!victimEntry) throw new Error('node loss: no node but the leader runs a task');
  const victim = byId.get(victimEntry.ID!)!;
  const tasks = before.filter((task) => task.NodeID === victimEntry.ID).length;
  if (new Set(before.map((task) => task.NodeID)).size !== cluster.nodes.length) {
    process.stderr.write(`  node loss round ${round}: the ${replicas} tasks ran on fewer than ${cluster.nodes.length} nodes\n`);
  }

  const from = containerEvents.map((recorder) => recorder.events.length);
  const killedAt = Date.now();
  await victim.kill();
  let downMs: number | null = null;
  let after: SwarmTask[] = [];
  const elsewhereMs = await until(`node ${victim.index} down and its tasks running elsewhere`, async () => {
    const [nodes, running] = await Promise.all([cluster.manager.docker.listNodes(), runningTasks(cluster, name)]);
    const now = Date.now() - killedAt;
    if (downMs === null && nodes.find((node) => node.ID === victimEntry.ID)?.Status?.State === 'down') downMs = now;
    after = running;
    const moved = running.length === replicas && running.every((task) => task.NodeID !== victimEntry.ID);
    return downMs !== null && moved && now;
  });

  const oldIds = new Set(before.map((task) => task.ID));
  const replacements = after.filter((task) => !oldIds.has(task.ID));
  const events = containerEvents.flatMap((recorder, index) => recorder.events.slice(from[index]));
  const containers = new Map(containerTimes(events).filter((c) => c.labels[updateLabel] === name).map((c) => [c.id, c]));
  const ofReplacements = replacements.map((task) => containers.get(task.Status.ContainerStatus?.ContainerID ?? ''));
  const latest = (times: Array<number | null | undefined>) => (times.some((time) => time == null) ? NaN : Math.max(...(times as number[])) - killedAt);
  return {
    round,
    node: victim.index,
    tasks,
    downMs: downMs!,
    replacedMs: latest(replacements.map((task) => Date.parse(task.CreatedAt))),
    startedMs: latest(ofReplacements.map((c) => c?.started)),
    healthyMs: latest(ofReplacements.map((c) => c?.healthy)),
    elsewhereMs,
  };
}
