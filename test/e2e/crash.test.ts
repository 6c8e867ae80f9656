// Crash safety on the real Docker engine (DESIGN.md principle 3): the rollout
// engine runs in a child process (test/support/engine-child.ts, compiled to
// dist/ by `tsc -p .`, which `npm test` runs first), is killed with SIGKILL at
// seeded random points of two rollouts running side by side, and is started
// again on the same data dir. At the end every rollout has converged to the
// right version, no container is an orphan, no allocation index runs twice,
// no more containers of a job ever ran at once than its strategy allows, and
// no version was lost or submitted twice.
//
// CRASH_SEED=<n> replays a run (the seed of a failing run is in its name);
// CRASH_LOG=<file> appends every progress line of the engine, and each kill, to a file.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Job, UpdateStrategy } from '../../src/model/job.js';
import { groupSpecHash } from '../../src/model/spec/change-rules.js';
import { openStore } from '../../src/store/sqlite-store.js';
import { docker, ensureDemoImages, newRunId, removeRunContainers, testLabel } from '../runtime/support.js';
import type { ChildCommand, ChildEvent } from '../support/engine-child.js';
import { seededRandom } from '../support/seeded-random.js';
import { fixtureJob } from './support.js';

const childScript = join(process.cwd(), 'dist/test/support/engine-child.js');
const seed = Number(process.env.CRASH_SEED ?? 20240611);
const maxKills = 7;

/** The child runs compiled code: refuse to test sources older than what they claim to be. */
function assertBuilt(): void {
  if (!existsSync(childScript)) throw new Error(`${relative(process.cwd(), childScript)} is missing: run \`npx tsc -p .\` (npm test does) first`);
  const stale: string[] = [];
  const check = (source: string) => {
    const built = join(process.cwd(), 'dist', source.replace(/\.ts$/, '.js'));
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(process.cwd(), source)).mtimeMs) stale.push(source);
  };
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(process.cwd(), folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) check(path);
    }
  };
  check('test/support/engine-child.ts');
  for (const folder of ['src/rollout', 'src/runtime', 'src/store']) walk(folder);
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npx tsc -p .\` (npm test does) first`);
}

class ChildGone extends Error {
  constructor(
    message: string,
    /** Killed by the test (SIGKILL), not exited by itself. */
    readonly killed: boolean,
  ) {
    super(message);
  }
}

type Reply = Record<string, unknown> & { reply: number; error?: string };
type CommandBody = ChildCommand extends infer C ? (C extends ChildCommand ? Omit<C, 'id'> : never) : never;

/** One engine process: commands on stdin, events and replies on stdout. */
class EngineProcess {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private stderr = '';

  constructor(dataDir: string, runId: string, onEvent: (event: ChildEvent) => void) {
    this.process = spawn(process.execPath, [childScript, dataDir, runId], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
    // A write to a child that was just killed fails; its requests are rejected below.
    this.process.stdin!.on('error', () => undefined);
    let markReady: () => void;
    let failReady: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      let message: { ready?: boolean; event?: ChildEvent; reply?: number; error?: string };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (message.ready) markReady();
      else if (message.event) onEvent(message.event);
      else if (message.reply !== undefined) {
        const waiter = this.pending.get(message.reply);
        this.pending.delete(message.reply);
        if (message.error) waiter?.reject(new Error(`engine: ${message.error}`));
        else waiter?.resolve(message as Reply);
      }
    });
    void this.exited.then(() => {
      const gone = new ChildGone(`the engine process exited (${this.process.exitCode ?? this.process.signalCode}): ${this.stderr}`, this.killedByUs);
      failReady(gone);
      for (const waiter of this.pending.values()) waiter.reject(gone);
      this.pending.clear();
    });
  }

  request(command: CommandBody): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.process.stdin!.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  get killedByUs(): boolean {
    return this.process.signalCode === 'SIGKILL';
  }

  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** The engine process, killed after a random number of its progress lines, and started again each time. */
class CrashingEngine {
  readonly kills: string[] = [];
  readonly events: ChildEvent[] = [];
  private child: EngineProcess | null = null;
  private starting: Promise<EngineProcess> | null = null;
  private linesUntilKill: number;
  private finished = false;
  private readonly next: () => number;

  constructor(
    private readonly dataDir: string,
    private readonly runId: string,
    seedValue: number,
  ) {
    this.next = seededRandom(seedValue);
    this.linesUntilKill = this.draw();
  }

  /** Runs `work` against the live engine process, again on the next one when this one is killed meanwhile. */
  async run<T>(work: (child: EngineProcess) => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await work(await this.live());
      } catch (error) {
        if (!(error instanceof ChildGone) || !error.killed || this.finished) throw error;
      }
    }
  }

  async stop(): Promise<void> {
    this.finished = true;
    await this.starting?.catch(() => undefined);
    await this.child?.kill();
  }

  private draw(): number {
    // A run prints about a hundred lines: kills land all along it, not only at its start.
    return 1 + Math.floor(this.next() * 16);
  }

  private live(): Promise<EngineProcess> {
    if (!this.starting) this.restart(Promise.resolve());
    return this.starting!;
  }

  /** Starts the next process once `before` is done; killed while it starts, it is replaced in turn. */
  private restart(before: Promise<void>): void {
    this.starting = before.then(() => this.start());
    // Nobody may be waiting for this one when it is killed in turn: that is no failure.
    this.starting.catch(() => undefined);
  }

  private async start(): Promise<EngineProcess> {
    const child = new EngineProcess(this.dataDir, this.runId, (event) => this.onEvent(child, event));
    this.child = child;
    await child.ready;
    return child;
  }

  private onEvent(child: EngineProcess, event: ChildEvent): void {
    if (child !== this.child) return;
    this.events.push(event);
    if (process.env.CRASH_LOG) appendFileSync(process.env.CRASH_LOG, `${new Date().toISOString()} ${event.jobId} ${event.message}\n`);
    if (this.finished || this.kills.length >= maxKills) return;
    this.linesUntilKill -= 1;
    if (this.linesUntilKill > 0) return;
    this.linesUntilKill = this.draw();
    this.kills.push(`${event.jobId}: ${event.message}`);
    if (process.env.CRASH_LOG) appendFileSync(process.env.CRASH_LOG, `${new Date().toISOString()} KILLED\n`);
    this.child = null;
    // Killed at once, in the middle of whatever follows this line; the next process takes over.
    this.restart(child.kill());
  }
}

/** Containers of the run that are running, per job, from the engine's own event stream; keeps the most seen at once. */
async function watchRunning(runId: string): Promise<{ most: Map<string, number>; stop: () => void }> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['start', 'die'], label: [`${testLabel}=${runId}`] } })) as NodeJS.ReadableStream & { destroy(): void };
  const running = new Map<string, Set<string>>();
  const most = new Map<string, number>();
  createInterface({ input: stream }).on('line', (line) => {
    const event = JSON.parse(line) as { Action: string; id: string; Actor: { Attributes: Record<string, string> } };
    const job = event.Actor.Attributes['deckhand.job'] ?? '';
    const ids = running.get(job) ?? new Set<string>();
    running.set(job, ids);
    if (event.Action === 'start') ids.add(event.id);
    else ids.delete(event.id);
    most.set(job, Math.max(most.get(job) ?? 0, ids.size));
  });
  stream.on('error', () => undefined);
  return { most, stop: () => stream.destroy() };
}

interface Step {
  fixture: string;
  update: Partial<UpdateStrategy>;
}

/** Submits a job's versions one after another, each once, and waits for each deployment (and a rollback's) to end. */
async function roll(engine: CrashingEngine, jobId: string, count: number, steps: Step[]): Promise<string[]> {
  const outcomes: string[] = [];
  for (const [index, step] of steps.entries()) {
    const { job, text } = await fixtureJob(step.fixture, { count, update: { minHealthyTimeMs: 1_000, ...step.update }, restartDelayMs: 500 });
    quiet(job);
    const tag = `${jobId} step ${index}`;
    // Submitted once: after a crash, the version carrying the tag tells whether the submit landed.
    const deploymentId = await engine.run(async (child) => {
      const { versions } = (await child.request({ cmd: 'versions', jobId })) as unknown as { versions: Array<{ version: number; tag: string | null }> };
      const landed = versions.find((v) => v.tag === tag);
      if (!landed) return (await child.request({ cmd: 'submit', job, sourceText: text, tag })).deploymentId as string;
      const { deployments } = (await child.request({ cmd: 'deployments', jobId })) as unknown as { deployments: Array<{ id: string; jobVersion: number }> };
      return deployments.find((d) => d.jobVersion === landed.version)!.id;
    });
    let ended = await engine.run((child) => child.request({ cmd: 'wait', deploymentId }));
    outcomes.push(`${ended.jobVersion}: ${ended.status}: ${ended.description}`);
    if (/rolling back to job version/.test(String(ended.description))) {
      const { deployments } = (await engine.run((child) => child.request({ cmd: 'deployments', jobId }))) as unknown as { deployments: Array<{ id: string }> };
      const rollback = deployments[0]!.id;
      ended = await engine.run((child) => child.request({ cmd: 'wait', deploymentId: rollback }));
      outcomes.push(`${ended.jobVersion}: ${ended.status}: ${ended.description}`);
    }
  }
  return outcomes;
}

/**
 * The demo image's HEALTHCHECK gives its probe one second, which a loaded machine
 * sometimes misses, and a flapping check would fail a good version: health here
 * comes from the task's state and the job's own http check.
 */
function quiet(job: Job): void {
  for (const group of job.groups) for (const task of group.tasks) task.imageHealthcheck = 'disable';
}

describe('crash safety: the engine killed at random points of rollouts', () => {
  const runId = newRunId();
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-crash-'));
  let engine: CrashingEngine | undefined;
  let monitor: { most: Map<string, number>; stop: () => void } | undefined;

  beforeAll(async () => {
    assertBuilt();
    await ensureDemoImages();
  });

  afterAll(async () => {
    await engine?.stop();
    monitor?.stop();
    await removeRunContainers(runId);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`converges with no orphans, no duplicates and no version lost (CRASH_SEED=${seed})`, async () => {
    monitor = await watchRunning(runId);
    engine = new CrashingEngine(dataDir, runId, seed);
    const good = { healthyDeadlineMs: 30_000, progressDeadlineMs: 60_000 };
    const [webapp, geo] = await Promise.all([
      roll(engine, 'update-demo-webapp', 4, [
        { fixture: 's1-nomad-rolling/v1', update: { ...good, maxParallel: 2 } },
        { fixture: 's1-nomad-rolling/v2', update: { ...good, maxParallel: 2 } },
        { fixture: 's1-nomad-rolling/v3', update: { ...good, maxParallel: 2 } },
      ]),
      roll(engine, 'geo-api-server', 4, [
        { fixture: 's4-nomad-auto-revert/v0', update: good },
        { fixture: 's4-nomad-auto-revert/v1', update: good },
        // A missing image: it fails at its progress deadline and is rolled back to version 1.
        { fixture: 's4-nomad-auto-revert/v2', update: { healthyDeadlineMs: 3_000, progressDeadlineMs: 4_000 } },
      ]),
    ]);
    await engine.stop();
    const context = `seed ${seed}, killed after: ${JSON.stringify(engine.kills, null, 1)}`;

    // The kills happened (how many lines a run prints varies a little with timing).
    expect({ context, enough: engine.kills.length >= maxKills - 2 }).toEqual({ context, enough: true });
    expect(webapp).toEqual(['0: successful: Deployment completed successfully', '1: successful: Deployment completed successfully', '2: successful: Deployment completed successfully']);
    expect(geo).toEqual([
      '0: successful: Deployment completed successfully',
      '1: successful: Deployment completed successfully',
      // Unhealthy once a placement failed; when crashes and a slow engine leave none failed by the deadline, the deadline.
      expect.stringMatching(/^2: failed: Failed due to (unhealthy allocations|progress deadline) - rolling back to job version 1$/),
      '3: successful: Deployment completed successfully',
    ]);

    const store = openStore(dataDir);
    try {
      // No version lost, none submitted twice.
      const history = (jobId: string) => store.listVersions(jobId).map((v) => [v.version, v.stable, v.source.message]);
      expect(history('update-demo-webapp')).toEqual([
        [2, true, 'update-demo-webapp step 2'],
        [1, true, 'update-demo-webapp step 1'],
        [0, true, 'update-demo-webapp step 0'],
      ]);
      expect(history('geo-api-server')).toEqual([
        [3, true, 'Rolling back to job version 1'],
        [2, false, 'geo-api-server step 2'],
        [1, true, 'geo-api-server step 1'],
        [0, true, 'geo-api-server step 0'],
      ]);

      const containers = await docker.listContainers({ all: true, filters: { label: [`${testLabel}=${runId}`] } });
      for (const [jobId, image, version] of [
        ['update-demo-webapp', 'hashicorp/demo-webapp:v1', 2],
        ['geo-api-server', 'geo-api-server:0.2', 3],
      ] as const) {
        const ofJob = containers.filter((c) => c.Labels['deckhand.job'] === jobId);
        // The right spec, running, one container per allocation index. (The revert's allocations kept
        // their containers, updated in place: their labels still say the version that placed them.)
        const specHash = groupSpecHash(store.getVersion(jobId, version)!.job.groups[0]!);
        expect(ofJob.map((c) => [c.Image, c.State, c.Labels['deckhand.spec-hash']])).toEqual(Array(4).fill([image, 'running', specHash]));
        expect(ofJob.map((c) => Number(c.Labels['deckhand.index'])).sort()).toEqual([0, 1, 2, 3]);
        // No orphans: each container is an allocation of the newest version that should run, and each of those has its container.
        const shouldRun = store.listAllocations(jobId).filter((a) => a.desired === 'run');
        expect(shouldRun.map((a) => [a.id, a.status, a.jobVersion]).sort()).toEqual(ofJob.map((c) => [c.Labels['deckhand.alloc'], 'running', version]).sort());
        // Never more running at once than stop-first allows (count + 0 surge), crashes included.
        expect({ context, jobId, most: monitor.most.get(jobId) }).toEqual({ context, jobId, most: 4 });
      }
      expect(engine.events.filter((e) => /belong to no known allocation/.test(e.message))).toEqual([]);
    } finally {
      store.close();
    }
  }, 240_000);
});
