// Rollout benchmark: the same rolling update carried out by deckhand (the rollout
// engine and the Docker driver, in this process) and by `docker service update` on
// a one-node swarm of the same engine, side by side, several rounds, for both
// stop-first and start-first: 6 allocations of deckhand-demo:v1 → v2, 2 at a time,
// a 1 s health window (deckhand: Compose `monitor: 1s`, i.e. min_healthy_time 1s;
// Swarm: --update-monitor 1s). Both sides are gated by the image's HEALTHCHECK
// (its timing read from the image and given to Swarm explicitly; the demo image
// probes every 1 s, 3 s timeout, 2 retries), run an init as PID 1 and get 3 s to
// stop. Two networkings, side by side in the same rounds:
// - host: both on the host's network, each container on its own port;
// - bridge: deckhand on its job network (a bridge per job), Swarm on the default
//   bridge, nothing published. Swarm's task controller sleeps 2 s before it stops a
//   task attached to any other network (host and swarm-scoped ones included;
//   swarm.ts says where), so the default bridge is the one Swarm network without it.
// Everything carries the run's label and is removed at the end, even on failure.
//
// DECKHAND_BENCH_ROUNDS (default 3) sets the rounds; DECKHAND_BENCH_NETWORKS
// (`host`, `bridge`, or both, comma-separated; default both) the networkings.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Docker from 'dockerode';
import { buildDemoImages, demoImageV1, demoImageV2 } from '../src/demo/images.js';
import type { Job, UpdateOrder, UpdateStrategy } from '../src/model/job.js';
import type { Deployment } from '../src/model/state.js';
import { renderTree } from '../src/render/tree.js';
import { RolloutEngine } from '../src/rollout/engine.js';
import type { DeckhandEvent } from '../src/model/events.js';
import { DockerDriver } from '../src/runtime/docker/driver.js';
import { openStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { EventRecorder } from './docker-events.js';
import type { ContainerTimes, Timeline } from './rollout-timeline.js';
import { containerTimes, meanBatch, median, timeline } from './rollout-timeline.js';
import { createService, freePortBase, imageHealth, joinSwarm, removeServices, updateService, updateState, waitForRunningTasks } from './swarm.js';
import type { BenchRow } from './table.js';

const replicas = 6;
const parallel = 2;
const healthWindowMs = 1000;
const stopGraceSeconds = 3;
/** Issue 17: at most this times Swarm's time, and within this of deckhand's own lower bound. */
const goalRatio = 0.75;
const goalOverBound = 1.1;
const orders: UpdateOrder[] = ['stop-first', 'start-first'];
export type Networking = 'host' | 'bridge';
const networkings: Networking[] = ['host', 'bridge'];
const benchLabel = 'deckhand-bench.run';
/** Which side a container belongs to: the driver sees only deckhand's, Swarm's never wake the engine. */
const sideLabel = 'deckhand-bench.side';
const timeoutMs = 120_000;

type Side = 'deckhand' | 'swarm';

interface Measured {
  side: Side;
  networking: Networking;
  order: UpdateOrder;
  round: number;
  timeline: Timeline;
  /** deckhand: the rendered job's update strategy, for the lower bound. */
  update?: UpdateStrategy;
}

/** Resolves when the deployment ends or pauses (a paused one would otherwise hold the benchmark until the timeout). */
function deploymentOutcome(engine: RolloutEngine, jobId: string, deploymentId: string): Promise<Deployment> {
  const ended = (d: Deployment | undefined) => d !== undefined && d.id === deploymentId && d.status !== 'running';
  return new Promise((resolve, reject) => {
    const finish = (d: Deployment) => {
      clearTimeout(timer);
      off();
      resolve(d);
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`deckhand: deployment ${deploymentId.slice(0, 8)} of ${jobId} did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.onProgress((event) => {
      if (event.type === 'deployment' && ended(event.deployment)) finish(event.deployment);
    });
    const now = engine.latestDeployment(jobId);
    if (ended(now)) finish(now!);
  });
}

/** A round whose update did not succeed (a HEALTHCHECK timing out on a loaded machine pauses either side): reported, left out of the medians. */
class RoundFailed extends Error {}

const cli = { kind: 'cli' as const, commit: null, file: null, author: null, message: null, revertOf: null };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/**
 * The update as a Compose file, rendered the way the agent renders one from Git. On
 * the host's network each allocation listens on `portBase * 10 + its index` (a new
 * base for each version: in start-first old and new of an index overlap); on the job
 * network every container listens on 8000 at its own address.
 */
function composeJob(name: string, image: string, order: UpdateOrder, networking: Networking, portBase: number): Job {
  const network = networking === 'host' ? ['    network_mode: host', '    environment:', `      PORT: "${portBase}$\${NOMAD_ALLOC_INDEX}"`] : ['    environment:', '      PORT: "8000"'];
  const text = [
    `name: ${name}`,
    'services:',
    '  web:',
    `    image: ${image}`,
    ...network,
    '    deploy:',
    `      replicas: ${replicas}`,
    '      update_config:',
    `        parallelism: ${parallel}`,
    `        monitor: ${healthWindowMs / 1000}s`,
    `        order: ${order}`,
    '        delay: 0s',
    '        failure_action: pause',
    '',
  ].join('\n');
  const result = renderTree({ rootName: name, files: new Map([['docker-compose.yml', new TextEncoder().encode(text)]]) });
  const job = result.jobs[0]?.job;
  if (!job || result.jobs.length !== 1) throw new Error(`the benchmark's compose job does not render: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return job;
}

class Bench {
  readonly docker = new Docker();
  readonly runId = `bench-${randomBytes(4).toString('hex')}`;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bench-rollout-'));
  readonly progress: Array<{ time: number; event: DeckhandEvent }> = [];
  private usedPortBases = new Set<number>();
  /** The image's HEALTHCHECK timing, said again to Swarm so both sides probe at the same pace. */
  private health = { intervalMs: 0, timeoutMs: 0, retries: 0 };
  private containers: EventRecorder | null = null;
  private services: EventRecorder | null = null;
  private engine: RolloutEngine | null = null;
  private driver: DockerDriver | null = null;
  private store: Store | null = null;
  private leaveSwarm: (() => Promise<void>) | null = null;

  async start(): Promise<void> {
    await buildDemoImages(this.docker);
    this.health = await imageHealth(this.docker, demoImageV1);
    const swarm = await joinSwarm(this.docker);
    this.leaveSwarm = () => swarm.close();
    process.stderr.write(`bench rollout: HEALTHCHECK every ${this.health.intervalMs} ms, timeout ${this.health.timeoutMs} ms, ${this.health.retries} retries on both sides\n`);
    process.stderr.write(`bench rollout: run ${this.runId}; swarm ${swarm.initialised ? 'initialised for this run (left at the end)' : 'already active (left as it is)'}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
    this.containers = await EventRecorder.open(this.docker, {
      type: ['container'],
      label: [`${benchLabel}=${this.runId}`],
      event: ['create', 'start', 'kill', 'die', 'destroy', 'health_status'],
    });
    this.services = await EventRecorder.open(this.docker, { type: ['service'] });
    const store = openStore(this.dataDir);
    this.store = store;
    this.driver = new DockerDriver(this.docker, { labels: { [benchLabel]: this.runId, [sideLabel]: 'deckhand' }, stopTimeoutSeconds: stopGraceSeconds });
    this.engine = new RolloutEngine({ store, driver: this.driver, onError: (error, context) => process.stderr.write(`engine error while ${context}: ${String(error)}\n`) });
    this.engine.onProgress((event) => this.progress.push({ time: Date.now(), event }));
    await this.engine.start();
  }

  /** Removes what this run created: services, then every container with its label; then the swarm, if this run joined it. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown> | unknown) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    await attempt(() => this.engine?.close());
    await attempt(() => this.driver?.close());
    await attempt(() => this.store?.close());
    await attempt(() => removeServices(this.docker, `${benchLabel}=${this.runId}`));
    await attempt(() => this.removeContainers(`${benchLabel}=${this.runId}`));
    await attempt(() => this.removeNetworks(`${benchLabel}=${this.runId}`));
    this.containers?.close();
    this.services?.close();
    await attempt(() => this.leaveSwarm?.());
    rmSync(this.dataDir, { recursive: true, force: true });
    if (errors.length > 0) process.stderr.write(`bench rollout: clean-up: ${errors.map(String).join('; ')}\n`);
  }

  /** deckhand's job networks (they carry the driver's labels); a purged job releases its own, this catches a round cut short. */
  private async removeNetworks(labelFilter: string): Promise<void> {
    const networks = await this.docker.listNetworks({ filters: { label: [labelFilter] } });
    await Promise.all(networks.map((n) => this.docker.getNetwork(n.Id).remove()));
  }

  /** Removes the labelled containers and waits until none is left (Swarm removes a service's tasks on its own time). */
  private async removeContainers(labelFilter: string, waitMs = 30_000): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const listed = await this.docker.listContainers({ all: true, filters: { label: [labelFilter] } });
      if (listed.length === 0) return;
      await Promise.allSettled(listed.map((c) => this.docker.getContainer(c.Id).remove({ force: true })));
      if (Date.now() > deadline) throw new Error(`${listed.length} containers labelled ${labelFilter} are still there`);
      await sleep(250);
    }
  }

  async deckhand(networking: Networking, order: UpdateOrder, round: number): Promise<Measured> {
    const engine = this.engine!;
    const name = `${this.runId}-${networking}-${order}-r${round}`;
    const first = engine.submit({ job: composeJob(name, demoImageV1, order, networking, await freePortBase(replicas, this.usedPortBases)), source: cli, sourceText: null });
    const initial = await deploymentOutcome(engine, name, first.deployment!.id);
    if (initial.status !== 'successful') throw await this.deckhandFailure(name, 'the first version', initial);
    await sleep(1000);
    const from = this.containers!.events.length;
    const progressFrom = this.progress.length;
    const beginMs = Date.now();
    const t0 = performance.now();
    const job = composeJob(name, demoImageV2, order, networking, await freePortBase(replicas, this.usedPortBases));
    const update = engine.submit({ job, source: cli, sourceText: null });
    const done = await deploymentOutcome(engine, name, update.deployment!.id);
    const elapsed = performance.now() - t0;
    if (done.status !== 'successful') throw await this.deckhandFailure(name, 'the update', done);
    // An allocation counts as healthy when the engine says so.
    const healthyAt = new Map<string, number>();
    for (const { time, event } of this.progress.slice(progressFrom)) {
      if (event.type === 'allocation' && event.allocation.healthy === true && !healthyAt.has(event.allocation.id)) healthyAt.set(event.allocation.id, time);
    }
    await sleep(300);
    const containers = containerTimes(this.containers!.events.slice(from)).filter((c) => c.labels['deckhand.job'] === name);
    await engine.stopJob(name, true);
    const readyAt = (c: ContainerTimes) => healthyAt.get(c.labels['deckhand.alloc'] ?? '') ?? null;
    return { side: 'deckhand', networking, order, round, timeline: this.timeline(containers, order, beginMs, beginMs + elapsed, readyAt), update: job.groups[0]!.update };
  }

  /** Why a deckhand deployment did not succeed, in its allocations' words; the job is removed. */
  private async deckhandFailure(name: string, what: string, deployment: Deployment): Promise<RoundFailed> {
    const why = this.store!.listAllocations(name).filter((a) => a.healthy === false || a.status === 'failed').map((a) => a.description);
    await this.engine!.stopJob(name, true);
    return new RoundFailed(`deckhand: ${what} ended ${deployment.status} (${deployment.description}): ${[...new Set(why)].join('; ') || 'no allocation says why'}`);
  }

  async swarm(networking: Networking, order: UpdateOrder, round: number): Promise<Measured> {
    const name = `${this.runId}-${networking}-${order}-r${round}`;
    const labels = { [benchLabel]: this.runId, [sideLabel]: 'swarm' };
    const spec = { name, labels, image: demoImageV1, networking, portBase: await freePortBase(replicas, this.usedPortBases), replicas, parallelism: parallel, monitorMs: healthWindowMs, order, health: this.health, stopGraceSeconds };
    await createService(this.docker, spec);
    try {
      await waitForRunningTasks(this.docker, name, demoImageV1, replicas, timeoutMs);
      await sleep(1000);
      const portBase = await freePortBase(replicas, this.usedPortBases);
      const from = this.containers!.events.length;
      const serviceFrom = this.services!.events.length;
      const beginMs = Date.now();
      const t0 = performance.now();
      await updateService(this.docker, name, demoImageV2, networking, portBase);
      const ended = await this.services!.next(
        (e) => e.attributes.name === name && ['completed', 'paused', 'rollback_started', 'rollback_completed', 'rollback_paused'].includes(e.attributes['updatestate.new'] ?? ''),
        serviceFrom,
        timeoutMs,
      );
      const elapsed = performance.now() - t0;
      const state = ended.attributes['updatestate.new'];
      if (state !== 'completed') throw new RoundFailed(`swarm: the update ended ${state}: ${(await updateState(this.docker, name)).message}`);
      await sleep(300);
      const containers = containerTimes(this.containers!.events.slice(from)).filter((c) => c.labels['com.docker.swarm.service.name'] === name);
      // Swarm moves on as soon as a task runs, which with a HEALTHCHECK is when it is healthy.
      return { side: 'swarm', networking, order, round, timeline: this.timeline(containers, order, beginMs, beginMs + elapsed, (c) => c.healthy) };
    } finally {
      await this.docker.getService(name).remove().catch(() => undefined);
      await this.removeContainers(`com.docker.swarm.service.name=${name}`);
    }
  }

  private timeline(containers: ContainerTimes[], order: UpdateOrder, beginMs: number, endMs: number, readyAt: (c: ContainerTimes) => number | null): Timeline {
    return timeline({ containers, newImage: demoImageV2, oldImage: demoImageV1, parallel, order, beginMs, endMs, readyAt });
  }
}

function summary(m: Measured): string {
  const b = meanBatch(m.timeline);
  return `${m.side.padEnd(8)} ${m.networking.padEnd(6)} ${m.order.padEnd(11)} round ${m.round}: ${seconds(m.timeline.totalMs)} s; per batch (${m.timeline.batches.length}): stop ${seconds(b.stopMs)}, start ${seconds(b.startMs)}${startParts(m.order, b)}, first probe ${seconds(b.probeMs)}, window ${seconds(b.windowMs)}; tail ${seconds(m.timeline.tailMs)}`;
}

/** Stop-first: what the start phase holds before the create (the old containers' removal, then the orchestrator's own time). */
function startParts(order: UpdateOrder, b: ReturnType<typeof meanBatch>): string {
  return order === 'stop-first' ? ` (removal ${seconds(b.removeMs)}, to create ${seconds(b.placeMs)})` : '';
}

/** Per side, networking and order, the median over rounds of each phase's mean per batch. */
function phaseSummary(networking: Networking, order: UpdateOrder, side: Side, results: Measured[]): string {
  const mine = results.filter((m) => m.networking === networking && m.order === order && m.side === side);
  if (mine.length === 0) return `${side.padEnd(8)} ${networking.padEnd(6)} ${order.padEnd(11)} no round succeeded`;
  const batches = mine.map((m) => meanBatch(m.timeline));
  const phase = (key: keyof ReturnType<typeof meanBatch>) => seconds(median(batches.map((b) => b[key])));
  const stops = median(mine.flatMap((m) => m.timeline.stopMs));
  const parts = order === 'stop-first' ? ` (removal ${phase('removeMs')}, to create ${phase('placeMs')})` : '';
  return `${side.padEnd(8)} ${networking.padEnd(6)} ${order.padEnd(11)} median ${seconds(median(mine.map((m) => m.timeline.totalMs)))} s; per batch: stop ${phase('stopMs')}, start ${phase('startMs')}${parts}, first probe ${phase('probeMs')}, window ${phase('windowMs')}; tail ${seconds(median(mine.map((m) => m.timeline.tailMs)))}; SIGTERM → exit ${seconds(stops)}`;
}

/**
 * deckhand's lower bound for the update under its strategy, from what its new
 * containers took (medians over every round): each batch waits for its containers
 * to start, pass their first probe and stay ready the minimum healthy time (which
 * holds every batch); a failure-watch window (Swarm's monitor) holds no batch and
 * is paid once, after the last one.
 */
export function lowerBound(update: UpdateStrategy, batches: number, startMs: number, probeMs: number): { ms: number; formula: string } {
  const perBatch = startMs + probeMs + update.minHealthyTimeMs;
  const monitor = update.monitorMs;
  const held = update.minHealthyTimeMs > 0 ? ` + ${seconds(update.minHealthyTimeMs)} min healthy` : '';
  return {
    ms: batches * perBatch + monitor,
    formula: `${batches} × (${seconds(startMs)} start + ${seconds(probeMs)} first probe${held})${monitor > 0 ? ` + ${seconds(monitor)} monitor` : ''}`,
  };
}

function rowFor(networking: Networking, order: UpdateOrder, results: Measured[], rounds: number): BenchRow {
  const of = (side: Side) => results.filter((m) => m.networking === networking && m.order === order && m.side === side);
  const deckhand = median(of('deckhand').map((m) => m.timeline.totalMs));
  const swarm = median(of('swarm').map((m) => m.timeline.totalMs));
  const counted = (side: Side) => (of(side).length === rounds ? '' : ` (${of(side).length} of ${rounds} rounds)`);
  const ratio = deckhand / swarm;
  const batches = Math.ceil(replicas / parallel);
  const start = median(of('deckhand').flatMap((m) => m.timeline.containerStartMs));
  const probe = median(of('deckhand').flatMap((m) => m.timeline.firstProbeMs));
  const update = of('deckhand')[0]?.update;
  const bound = update ? lowerBound(update, batches, start, probe) : null;
  const overBound = bound ? deckhand / bound.ms : NaN;
  const where = networking === 'host' ? 'host network' : 'deckhand job network, Swarm default bridge';
  return {
    benchmark: `rollout ${replicas} allocs v1→v2, parallel ${parallel}, 1 s window, ${order}, ${where}: deckhand vs docker service update, median of ${rounds}`,
    result: `deckhand ${seconds(deckhand)} s${counted('deckhand')}, Swarm ${seconds(swarm)} s${counted('swarm')}, ratio ${ratio.toFixed(2)}; lower bound ${bound ? `${seconds(bound.ms)} s = ${bound.formula}, deckhand ${overBound.toFixed(2)}× it` : 'unknown'}`,
    memory: `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    goal: `<= ${goalRatio}× Swarm, <= ${goalOverBound}× bound`,
    met: Number.isFinite(ratio) && Number.isFinite(overBound) ? ratio <= goalRatio && overBound <= goalOverBound : null,
  };
}

function chosenNetworkings(): Networking[] {
  const asked = process.env.DECKHAND_BENCH_NETWORKS;
  if (!asked) return networkings;
  const names = asked.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !networkings.includes(n as Networking));
  if (unknown.length > 0) throw new Error(`DECKHAND_BENCH_NETWORKS: unknown networking ${unknown.join(', ')} (one or more of ${networkings.join(', ')})`);
  return names as Networking[];
}

export async function rolloutBenchmark(): Promise<BenchRow[]> {
  const rounds = Math.max(1, Number(process.env.DECKHAND_BENCH_ROUNDS ?? 3) || 3);
  const chosen = chosenNetworkings();
  const bench = new Bench();
  // Ctrl-C still removes what the run created.
  const interrupted = () => {
    void bench.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const results: Measured[] = [];
  const failures: string[] = [];
  try {
    await bench.start();
    for (let round = 1; round <= rounds; round++) {
      for (const networking of chosen) {
        for (const order of orders) {
          // Who goes first alternates, so a drift in the machine's load falls on both sides.
          const sides: Side[] = round % 2 === 1 ? ['deckhand', 'swarm'] : ['swarm', 'deckhand'];
          for (const side of sides) {
            const load = loadavg()[0]!.toFixed(1);
            try {
              const measured = side === 'deckhand' ? await bench.deckhand(networking, order, round) : await bench.swarm(networking, order, round);
              results.push(measured);
              process.stderr.write(`  ${summary(measured)} (load ${load})\n`);
            } catch (error) {
              if (!(error instanceof RoundFailed)) throw error;
              failures.push(`${side} ${networking} ${order} round ${round}`);
              process.stderr.write(`  ${side} ${networking} ${order} round ${round}: left out: ${error.message} (load ${load})\n`);
            }
          }
        }
      }
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await bench.close();
  }
  process.stderr.write('bench rollout: medians (seconds)\n');
  for (const networking of chosen) for (const order of orders) for (const side of ['deckhand', 'swarm'] as const) process.stderr.write(`  ${phaseSummary(networking, order, side, results)}\n`);
  if (failures.length > 0) process.stderr.write(`bench rollout: left out: ${failures.join(', ')}\n`);
  return chosen.flatMap((networking) => orders.map((order) => rowFor(networking, order, results, rounds)));
}
