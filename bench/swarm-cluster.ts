// Multi-node Swarm benchmark (issue 16, item 6), on the 3-node test swarm of
// test/support/swarm (three dockerd on this machine, one network namespace each;
// heartbeat 1 s). Each round starts a fresh cluster with deckhand-demo:v1 and v2
// loaded into every node and measures, on an attachable overlay:
// - the update of issue 17 (swarm-cluster-update.ts), stop-first and start-first,
//   by every runner (today `docker service update`; deckhand's Swarm runtime joins
//   as one more runner), who goes first alternating by round;
// - node loss (swarm-node-loss.ts), last, since it leaves the cluster short of a node.
// The cluster is destroyed at the end of its round and must leave nothing behind
// (SwarmCluster.leftovers()); Ctrl-C destroys it too.
//
// DECKHAND_BENCH_ROUNDS (default 3) sets the rounds.
import { loadavg } from 'node:os';
import Docker from 'dockerode';
import { buildDemoImages, demoImageV1, demoImageV2 } from '../src/demo/images.js';
import type { UpdateOrder } from '../src/model/job.js';
import { SwarmCluster } from '../test/support/swarm/cluster.js';
import { EventRecorder } from './docker-events.js';
import { meanBatch, median } from './rollout-timeline.js';
import { DeckhandSwarmRunner } from './deckhand-swarm-runner.js';
import { ServiceUpdateRunner } from './service-update-runner.js';
import type { HealthTiming } from './swarm.js';
import { imageHealth } from './swarm.js';
import type { UpdateMeasured, UpdateRunner, UpdateSetup } from './swarm-cluster-update.js';
import { benchLabel, measureUpdate, monitorMs, parallel, replicas, restartDelayMs, UpdateFailed, updateLabel } from './swarm-cluster-update.js';
import type { NodeLossMeasured } from './swarm-node-loss.js';
import { measureNodeLoss } from './swarm-node-loss.js';
import type { BenchRow } from './table.js';

const nodes = 3;
const heartbeatMs = 1000;
const orders: UpdateOrder[] = ['stop-first', 'start-first'];

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const load = () => loadavg()[0]!.toFixed(1);
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

interface Results {
  updates: UpdateMeasured[];
  nodeLosses: NodeLossMeasured[];
  failures: string[];
}

/** One round: a fresh cluster, every runner's update in both orders, then node loss; the cluster destroyed, nothing left. */
async function runRound(round: number, runners: UpdateRunner[], health: HealthTiming, results: Results, started: (cluster: SwarmCluster) => void): Promise<void> {
  const cluster = await SwarmCluster.start({ nodes, heartbeatMs, images: [demoImageV1, demoImageV2] });
  started(cluster);
  const recorders: EventRecorder[] = [];
  let failure: unknown = null;
  try {
    process.stderr.write(`bench swarm-cluster: round ${round}, cluster ${cluster.runId} up (load ${load()})\n`);
    const events = { type: ['container'], label: [`${benchLabel}=${cluster.runId}`], event: ['create', 'start', 'kill', 'die', 'health_status'] };
    recorders.push(...(await Promise.all(cluster.nodes.map((node) => EventRecorder.open(node.docker, events)))));
    const overlay = `bench-${cluster.runId}`;
    await cluster.manager.docker.createNetwork({ Name: overlay, Driver: 'overlay', Attachable: true, Labels: { [benchLabel]: cluster.runId } });
    const setup = (name: string, order: UpdateOrder): UpdateSetup => ({ cluster, name, labels: { [benchLabel]: cluster.runId, [updateLabel]: name }, overlay, order, health });
    // Who goes first alternates, so a drift in the machine's load falls on every runner.
    const ordered = round % 2 === 1 ? runners : [...runners].reverse();
    for (const order of orders) {
      for (const runner of ordered) {
        const name = `${slug(runner.name)}-${order}-r${round}`;
        const loadBefore = load();
        try {
          const measured = await measureUpdate(runner, setup(name, order), round, recorders);
          results.updates.push(measured);
          process.stderr.write(`  ${updateSummary(measured)} (load ${loadBefore})\n`);
        } catch (error) {
          if (!(error instanceof UpdateFailed)) throw error;
          results.failures.push(`${runner.name} ${order} round ${round}`);
          process.stderr.write(`  ${runner.name} ${order} round ${round}: left out: ${error.message} (load ${loadBefore})\n`);
        }
      }
    }
    const loadBefore = load();
    const lost = await measureNodeLoss(setup(`node-loss-r${round}`, 'stop-first'), round, recorders);
    results.nodeLosses.push(lost);
    process.stderr.write(`  ${nodeLossSummary(lost)} (load ${loadBefore})\n`);
  } catch (error) {
    failure = error;
  }
  for (const recorder of recorders) recorder.close();
  await cluster.destroy();
  const left = cluster.leftovers();
  if (left.length > 0) process.stderr.write(`bench swarm-cluster: the test swarm ${cluster.runId} left ${left.join(', ')}\n`);
  if (failure !== null) throw failure;
  if (left.length > 0) throw new Error(`the test swarm ${cluster.runId} left things on the machine (listed above)`);
}

function updateSummary(m: UpdateMeasured): string {
  const b = meanBatch(m.timeline);
  return `${m.runner} ${m.order.padEnd(11)} round ${m.round}: all v2 running ${seconds(m.allRunningMs)} s, done ${seconds(m.doneMs)} s; per batch (${m.timeline.batches.length}): stop ${seconds(b.stopMs)}, start ${seconds(b.startMs)}, first probe ${seconds(b.probeMs)}, window ${seconds(b.windowMs)}; tail ${seconds(m.timeline.tailMs)}; nodes ${m.nodesBefore} → ${m.nodesAfter}`;
}

function nodeLossSummary(m: NodeLossMeasured): string {
  return `node loss round ${m.round}: node ${m.node} (${m.tasks} tasks) killed; after ${seconds(m.downMs)} s down, ${seconds(m.replacedMs)} s replacements created, ${seconds(m.startedMs)} s their containers started, ${seconds(m.healthyMs)} s healthy, ${seconds(m.elsewhereMs)} s running elsewhere`;
}

/** Every other runner is compared with Swarm's own update. */
const referenceRunner = ServiceUpdateRunner.runnerName;

function updateRow(runner: string, order: UpdateOrder, results: Results, rounds: number): BenchRow {
  const of = (name: string) => results.updates.filter((m) => m.runner === name && m.order === order);
  const mine = of(runner);
  const running = (measured: UpdateMeasured[]) => median(measured.map((m) => m.allRunningMs));
  const ratio = runner === referenceRunner || of(referenceRunner).length === 0 ? '' : `; ${(running(mine) / running(of(referenceRunner))).toFixed(2)}× ${referenceRunner}'s time to every v2 task running`;
  const counted = mine.length === rounds ? '' : ` (${mine.length} of ${rounds} rounds)`;
  const batches = mine.map((m) => meanBatch(m.timeline));
  const phase = (key: keyof ReturnType<typeof meanBatch>) => seconds(median(batches.map((b) => b[key])));
  return {
    benchmark: `swarm-cluster: update ${replicas} tasks v1→v2, parallel ${parallel}, ${monitorMs / 1000} s monitor, ${order}, dnsrr overlay on ${nodes} nodes, by ${runner}: median of ${rounds}`,
    result:
      mine.length === 0
        ? 'no round succeeded'
        : `all v2 running ${seconds(running(mine))} s, done ${seconds(median(mine.map((m) => m.doneMs)))} s${counted}; per batch: stop ${phase('stopMs')}, start ${phase('startMs')}, first probe ${phase('probeMs')}; tail ${seconds(median(mine.map((m) => m.timeline.tailMs)))}${ratio}`,
    memory: '-',
    goal: '-',
    met: null,
  };
}

function nodeLossRow(results: Results, rounds: number): BenchRow {
  const range = (values: number[]) => `${seconds(median(values))} s (${seconds(Math.min(...values))}–${seconds(Math.max(...values))})`;
  const lost = results.nodeLosses;
  return {
    benchmark: `swarm-cluster: node loss, SIGKILL of a non-leader manager's dockerd running ${lost[0]?.tasks ?? '?'} of ${replicas} tasks (heartbeat ${heartbeatMs / 1000} s, restart delay ${restartDelayMs / 1000} s): median of ${rounds}`,
    result:
      lost.length === 0
        ? 'no round'
        : `down after ${range(lost.map((m) => m.downMs))}, its tasks running elsewhere after ${range(lost.map((m) => m.elsewhereMs))}; between: replacements created ${seconds(median(lost.map((m) => m.replacedMs)))} s, started ${seconds(median(lost.map((m) => m.startedMs)))} s, healthy ${seconds(median(lost.map((m) => m.healthyMs)))} s`,
    memory: '-',
    goal: '-',
    met: null,
  };
}

export async function swarmClusterBenchmark(): Promise<BenchRow[]> {
  const rounds = Math.max(1, Number(process.env.DECKHAND_BENCH_ROUNDS ?? 3) || 3);
  const machine = new Docker();
  await buildDemoImages(machine);
  const health = await imageHealth(machine, demoImageV1);
  const runners: UpdateRunner[] = [new DeckhandSwarmRunner(), new ServiceUpdateRunner()];
  const results: Results = { updates: [], nodeLosses: [], failures: [] };
  let cluster: SwarmCluster | null = null;
  // Ctrl-C still removes the cluster (its watchdog would too, once this process is gone).
  const interrupted = () => {
    void (cluster?.destroy() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    for (let round = 1; round <= rounds; round++) {
      await runRound(round, runners, health, results, (started) => {
        cluster = started;
      });
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  if (results.failures.length > 0) process.stderr.write(`bench swarm-cluster: left out: ${results.failures.join(', ')}\n`);
  return [...orders.flatMap((order) => runners.map((runner) => updateRow(runner.name, order, results, rounds))), nodeLossRow(results, rounds)];
}
