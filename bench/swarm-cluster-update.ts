// The update of issue 17 on the 3-node test swarm (6 tasks of deckhand-demo:v1 → v2,
// 2 at a time, a 1 s monitor window, on an attachable overlay with `endpoint_mode:
// dnsrr`), carried out by a runner and timed the same way whoever runs it: from the
// moment the runner is asked for v2 until every task of v2 runs (with a HEALTHCHECK,
// Swarm calls a task running once it is healthy), and until the runner says the
// update is done. The per-batch timeline comes from the container events of every
// node's engine (one machine, one clock). A runner is one way of doing the update:
// `docker service update` now (service-update-runner.ts), deckhand's Swarm runtime
// once it exists.
import { performance } from 'node:perf_hooks';
import { demoImageV1, demoImageV2 } from '../src/demo/images.js';
import type { UpdateOrder } from '../src/model/job.js';
import type { SwarmCluster } from '../test/support/swarm/cluster.js';
import type { EventRecorder } from './docker-events.js';
import type { Timeline } from './rollout-timeline.js';
import { containerTimes, timeline } from './rollout-timeline.js';
import type { BenchServiceSpec, HealthTiming } from './swarm.js';

export const replicas = 6;
export const parallel = 2;
export const monitorMs = 1000;
export const stopGraceSeconds = 3;
/** Scaled down from Swarm's 5 s, as the test swarm's heartbeat is (1 s; the design note's node-loss runs used the same). */
export const restartDelayMs = 1000;
/** The label every service and container of the benchmark carries: the cluster's run id. */
export const benchLabel = 'deckhand-bench.run';
/** Which update (runner, order, round) a service or container belongs to. */
export const updateLabel = 'deckhand-bench.update';
const timeoutMs = 120_000;

/** What a runner is given: where, what to call it, how to label it, and the update's settings that differ by round. */
export interface UpdateSetup {
  cluster: SwarmCluster;
  /** Unique per update; names the runner's services (a runner with several prefixes them with it). */
  name: string;
  /** For every service and container the runner makes: the run's and the update's labels. */
  labels: Record<string, string>;
  /** An attachable overlay network, for a runner that does not make its own. */
  overlay: string;
  order: UpdateOrder;
  /** The images' HEALTHCHECK timing, said explicitly to whoever runs the tasks. */
  health: HealthTiming;
}

/** One way of carrying out the update on the test swarm. */
export interface UpdateRunner {
  readonly name: string;
  /** Runs `replicas` tasks of v1 on the overlay; resolves once every one of them runs. */
  prepare(setup: UpdateSetup): Promise<void>;
  /** Asks for v2; resolves when the runner counts the update done, rejects with UpdateFailed when it ended otherwise. */
  update(setup: UpdateSetup): Promise<void>;
  /** Removes every service it made (the benchmark then waits for their containers to go). */
  remove(setup: UpdateSetup): Promise<void>;
}

/** The update's service at v1 as Swarm runs it: one replicated service of `replicas` tasks on the overlay. */
export function swarmService(setup: UpdateSetup): BenchServiceSpec {
  return {
    name: setup.name,
    labels: setup.labels,
    image: demoImageV1,
    networking: 'overlay',
    overlay: setup.overlay,
    portBase: 0,
    replicas,
    parallelism: parallel,
    monitorMs,
    order: setup.order,
    health: setup.health,
    stopGraceSeconds,
    restartDelayMs,
  };
}

/** An update that ended without succeeding (a HEALTHCHECK timing out on a loaded machine pauses it): reported, left out of the medians. */
export class UpdateFailed extends Error {}

export interface UpdateMeasured {
  runner: string;
  order: UpdateOrder;
  round: number;
  /** Asked for v2 → every task of v2 running. */
  allRunningMs: number;
  /** Asked for v2 → the runner counts the update done (Swarm: update state `completed`, after its monitor window). */
  doneMs: number;
  timeline: Timeline;
  /** On how many nodes the tasks of v1 and of v2 ran. */
  nodesBefore: number;
  nodesAfter: number;
}

/** What the benchmark reads of a task (dockerode's type leaves it out). */
interface SwarmTask {
  NodeID: string;
  Status: { State: string; ContainerStatus?: { ContainerID?: string } };
  Spec: { ContainerSpec: { Image: string; Labels?: Record<string, string> } };
}

/** The running tasks of `image` in the update `name`. */
async function runningTasks(cluster: SwarmCluster, name: string, image: string): Promise<SwarmTask[]> {
  const tasks = (await cluster.manager.docker.listTasks({ filters: { 'desired-state': ['running'] } })) as SwarmTask[];
  return tasks.filter((task) => task.Status.State === 'running' && task.Spec.ContainerSpec.Image === image && task.Spec.ContainerSpec.Labels?.[updateLabel] === name);
}

/** Waits until `replicas` tasks of `image` run in the update. */
async function untilRunning(cluster: SwarmCluster, name: string, image: string): Promise<SwarmTask[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = await runningTasks(cluster, name, image);
    if (running.length === replicas) return running;
    if (Date.now() > deadline) throw new UpdateFailed(`${name}: ${running.length} of ${replicas} tasks of ${image} running after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Waits until no container of the update is left on any node that runs. */
async function untilContainersGone(cluster: SwarmCluster, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await Promise.all(cluster.nodes.filter((node) => node.running).map((node) => node.docker.listContainers({ all: true, filters: { label: [`${updateLabel}=${name}`] } })));
    const left = listed.flat().length;
    if (left === 0) return;
    if (Date.now() > deadline) throw new Error(`${name}: ${left} containers still there ${timeoutMs} ms after its services were removed`);
    await sleep(250);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One update by one runner: v1 up, v2 asked for and timed, then everything of it
 * removed. `containerEvents` are the nodes' recorders of the run's container events.
 */
export async function measureUpdate(runner: UpdateRunner, setup: UpdateSetup, round: number, containerEvents: EventRecorder[]): Promise<UpdateMeasured> {
  try {
    await runner.prepare(setup);
    const before = await untilRunning(setup.cluster, setup.name, demoImageV1);
    // Lets the first version's last health probes and Swarm's bookkeeping pass before the clock starts.
    await sleep(1000);
    const from = containerEvents.map((recorder) => recorder.events.length);
    const beginMs = Date.now();
    const t0 = performance.now();
    await runner.update(setup);
    const doneMs = performance.now() - t0;
    const after = await untilRunning(setup.cluster, setup.name, demoImageV2);
    // The last health events reach the recorders after the task states that follow them.
    await sleep(300);
    const events = containerEvents.flatMap((recorder, index) => recorder.events.slice(from[index]));
    const containers = containerTimes(events).filter((c) => c.labels[updateLabel] === setup.name);
    const healthyAt = new Map(containers.map((c) => [c.id, c.healthy]));
    const runningAt = after.map((task) => healthyAt.get(task.Status.ContainerStatus?.ContainerID ?? '') ?? null);
    if (runningAt.includes(null)) throw new Error(`${setup.name}: a running task of v2 has no health event on its node`);
    return {
      runner: runner.name,
      order: setup.order,
      round,
      allRunningMs: Math.max(...(runningAt as number[])) - beginMs,
      doneMs,
      timeline: timeline({ containers, newImage: demoImageV2, oldImage: demoImageV1, parallel, order: setup.order, beginMs, endMs: beginMs + doneMs, readyAt: (c) => c.healthy }),
      nodesBefore: new Set(before.map((task) => task.NodeID)).size,
      nodesAfter: new Set(after.map((task) => task.NodeID)).size,
    };
  } finally {
    await runner.remove(setup);
    await untilContainersGone(setup.cluster, setup.name);
  }
}
