// The watcher with a runtime in memory (fake-driver.ts) and a real SQLite store in
// memory: every kind of decision carried out, written and reported, without Docker.
import type { Job } from '../../src/model/job.js';
import { RolloutEngine, RolloutError } from '../../src/rollout/engine.js';
import type { DeckhandEvent } from '../../src/model/events.js';
import { openMemoryStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { journal } from '../../src/status/journal.js';
import { EventBus } from '../../src/util/event-bus.js';
import { renderJob } from '../helpers/render.js';
import { FakeDriver } from './fake-driver.js';

interface JobShape {
  image?: string;
  count?: number;
  maxParallel?: number;
  update?: string;
  restartAttempts?: number;
}

function job({ image = 'demo:v1', count = 2, maxParallel = 1, update = '', restartAttempts = 2 }: JobShape = {}): Job {
  return renderJob(`job "web" {
  group "web" {
    count = ${count}
    update {
      max_parallel     = ${maxParallel}
      min_healthy_time = "0s"
      healthy_deadline = "10s"
      progress_deadline = "20s"
      ${update}
    }
    restart {
      attempts = ${restartAttempts}
      delay    = "1s"
    }
    task "server" {
      driver = "docker"
      config { image = "${image}" }
    }
  }
}
`);
}

const cli = { kind: 'cli' as const, commit: null, file: 'web.nomad', author: null, message: null, revertOf: null };

let clock: number;
let store: Store;
let driver: FakeDriver;
let engine: RolloutEngine;
let events: DeckhandEvent[];

beforeEach(async () => {
  clock = 1_000_000;
  store = openMemoryStore();
  driver = new FakeDriver();
  // As the agent wires it: one bus, the store's journal first.
  const bus = new EventBus<DeckhandEvent>();
  bus.subscribe(journal(store, () => clock));
  engine = new RolloutEngine({ store, driver, now: () => clock, runtimeRetryDelayMs: { initial: 10, max: 50 }, events: bus });
  events = [];
  engine.onProgress((event) => events.push(event));
  await engine.start();
});

afterEach(async () => {
  await engine.close();
  store.close();
});

async function submit(spec: Job): Promise<string> {
  const submitted = engine.submit({ job: spec, source: cli, sourceText: null });
  await engine.settled('web');
  return submitted.deployment?.id ?? '';
}

const messages = () => events.map((e) => e.message);

/** Time passes beyond the deployment's progress deadline (20 s), and the job is decided again. */
async function pastDeadline(): Promise<void> {
  clock += 21_000;
  engine.schedule('web');
  await engine.settled('web');
}
const live = () => store.listAllocations('web').filter((a) => a.desired === 'run');

describe('the watcher carries every decision out', () => {
  test('place, set-health, progress, complete: a new job runs, turns healthy, its deployment succeeds and its version is stable', async () => {
    const deploymentId = await submit(job());
    expect(driver.count('place')).toBe(2);
    expect(live().map((a) => [a.status, a.healthy])).toEqual([
      ['running', true],
      ['running', true],
    ]);
    expect(store.getDeployment(deploymentId)).toMatchObject({ status: 'successful', groups: [{ placed: 2, healthy: 2, unhealthy: 0 }] });
    expect(store.getVersion('web', 0)!.stable).toBe(true);
    expect(messages().filter((m) => /^placing allocation/.test(m))).toHaveLength(2);
    expect(messages().filter((m) => /^allocation \w+ started$/.test(m))).toHaveLength(2);
    expect(messages()).toContain('Deployment completed successfully');
    // Each decision round wrote its records before touching the runtime: every placed allocation was pending in the store first.
    expect(store.listEvents({ jobId: 'web' }).map((e) => e.type)).toEqual(expect.arrayContaining(['version', 'deployment', 'allocation']));
  });

  test('stop: a lower count stops the highest indexes and removes their containers', async () => {
    await submit(job({ count: 3 }));
    await submit(job({ count: 1 }));
    expect(driver.count('stop')).toBe(2);
    expect(live().map((a) => a.index)).toEqual([0]);
    expect(store.listAllocations('web').filter((a) => a.desired === 'stop').map((a) => a.status)).toEqual(['complete', 'complete']);
    expect(messages().filter((m) => /stopped: count is 1$/.test(m))).toHaveLength(2);
  });

  test('update-in-place: a change that forces no new containers moves the allocations to the new version and changes their restart policy', async () => {
    await submit(job());
    const before = live().map((a) => a.id);
    await submit(job({ restartAttempts: 5 }));
    expect(live().map((a) => a.id)).toEqual(before);
    expect(live().map((a) => a.jobVersion)).toEqual([1, 1]);
    expect(driver.calls.filter((c) => c.kind === 'restart-policy').map((c) => (c.detail as { maxAttempts: number }).maxAttempts)).toEqual([5, 5]);
    expect(messages().filter((m) => /updated in place to version 1$/.test(m))).toHaveLength(2);
  });

  test('a rolling update replaces one allocation at a time (max_parallel 1)', async () => {
    await submit(job());
    const deploymentId = await submit(job({ image: 'demo:v2' }));
    expect(store.getDeployment(deploymentId)!.status).toBe('successful');
    expect(live().map((a) => a.jobVersion)).toEqual([1, 1]);
    // Never more than one old allocation stopped before its replacement was healthy.
    const kinds = driver.calls.slice(2).map((c) => c.kind);
    expect(kinds).toEqual(['stop', 'place', 'stop', 'place']);
  });

  test('describe and promote: a canary waits for promotion, then the rest follows', async () => {
    await submit(job());
    const deploymentId = await submit(job({ image: 'demo:v2', update: 'canary = 1' }));
    expect(store.getDeployment(deploymentId)).toMatchObject({ status: 'running', description: 'Deployment is running but requires manual promotion' });
    expect(live().filter((a) => a.canary)).toHaveLength(1);
    engine.promote('web');
    await engine.settled('web');
    expect(store.getDeployment(deploymentId)!.status).toBe('successful');
    expect(live().map((a) => a.jobVersion)).toEqual([1, 1]);
  });

  test('promote (auto_promote): healthy canaries are promoted without a person', async () => {
    await submit(job());
    const deploymentId = await submit(job({ image: 'demo:v2', update: 'canary = 1\n      auto_promote = true' }));
    expect(messages()).toContain('canaries promoted automatically');
    expect(store.getDeployment(deploymentId)).toMatchObject({ status: 'successful', groups: [{ promoted: true }] });
  });

  test('fail with auto-revert: a version that does not start fails, the last stable version comes back as a new version', async () => {
    await submit(job({ update: 'auto_revert = true' }));
    driver.outcomes.set('demo:missing', 'fails');
    const failedId = await submit(job({ image: 'demo:missing', update: 'auto_revert = true' }));
    // Nomad replaces what fails to start until the progress deadline ends the deployment.
    expect(store.getDeployment(failedId)!.status).toBe('running');
    await pastDeadline();
    expect(store.getDeployment(failedId)).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations - rolling back to job version 0' });
    const versions = store.listVersions('web');
    expect(versions[0]).toMatchObject({ version: 2, source: { kind: 'auto-revert', revertOf: 0 } });
    expect(store.isSpecFailed('web', versions[1]!.specHash)).toBe(true);
    expect(engine.latestDeployment('web')).toMatchObject({ jobVersion: 2, status: 'successful' });
    expect(messages()).toContain('version 2 reverts to version 0');
    expect(live().map((a) => a.jobVersion)).toEqual([2, 2]);
  });

  test('fail without auto-revert: the deployment fails at its deadline, no new version, and nothing more is placed for it', async () => {
    await submit(job());
    driver.outcomes.set('demo:missing', 'fails');
    const failedId = await submit(job({ image: 'demo:missing', update: 'auto_revert = false' }));
    await pastDeadline();
    expect(store.getDeployment(failedId)).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations' });
    expect(store.listVersions('web')).toHaveLength(2);
    const placed = driver.count('place');
    await pastDeadline();
    expect(driver.count('place')).toBe(placed);
  });

  test('pause: a Swarm-style update (failure_action pause) pauses at its first unhealthy allocation', async () => {
    await submit(job());
    driver.outcomes.set('demo:missing', 'fails');
    const failing = job({ image: 'demo:missing' });
    failing.groups[0]!.update = { ...failing.groups[0]!.update, onUnhealthy: 'fail', failureAction: 'pause', autoRevert: false };
    const pausedId = await submit(failing);
    expect(store.getDeployment(pausedId)).toMatchObject({ status: 'paused', description: 'Deployment paused due to unhealthy allocations' });
    const placed = driver.count('place');
    engine.schedule('web');
    await engine.settled('web');
    expect(driver.count('place')).toBe(placed);
  });

  test('stop with drift: a task that exits is replaced, and the job\'s events say it drifted', async () => {
    await submit(job({ count: 1 }));
    const [first] = live();
    driver.exit(first!.id);
    // The event re-reads the allocation, then the job is decided again.
    await new Promise((resolve) => setImmediate(resolve));
    await engine.settled('web');
    clock += 2_000;
    engine.schedule('web');
    await engine.settled('web');
    expect(live().map((a) => a.id)).not.toContain(first!.id);
    expect(live()).toHaveLength(1);
    expect(store.listEvents({ jobId: 'web' }).filter((e) => e.type === 'drift')).toEqual([expect.objectContaining({ details: { allocId: first!.id } })]);
  });

  test('note: an unhealthy allocation waiting for the budget says why, once', async () => {
    await submit(job({ count: 2 }));
    // Both fail their HEALTHCHECK while their containers run: max_parallel 1 replaces one, the other waits.
    for (const allocation of live()) {
      const observed = driver.running.get(allocation.id)!;
      driver.running.set(allocation.id, { ...observed, tasks: observed.tasks.map((t) => ({ ...t, health: 'unhealthy' as const })) });
      driver.send({ kind: 'health', allocId: allocation.id, jobId: 'web', time: clock });
    }
    await new Promise((resolve) => setImmediate(resolve));
    await engine.settled('web');
    for (let i = 0; i < 3; i++) {
      engine.schedule('web');
      await engine.settled('web');
    }
    const notes = messages().filter((m) => /waiting to replace it/.test(m));
    expect(notes).toEqual([expect.stringMatching(/^allocation \w+ unhealthy \(task "server" is unhealthy \(its HEALTHCHECK fails\)\): waiting to replace it, /)]);
    // One at a time: the second is replaced only once the first one's replacement is healthy.
    const all = messages();
    const stops = all.flatMap((m, i) => (/stopped: unhealthy/.test(m) ? [i] : []));
    expect(stops).toHaveLength(2);
    expect(all.slice(stops[0], stops[1]).some((m) => /^allocation \w+ is healthy$/.test(m))).toBe(true);
  });

  test('a runtime that does not answer: the placement waits, nothing is counted against it, and it is placed once the runtime is back', async () => {
    driver.answering = false;
    const deploymentId = engine.submit({ job: job({ count: 1 }), source: cli, sourceText: null }).deployment!.id;
    await engine.settled('web');
    expect(live().map((a) => [a.status, a.healthy])).toEqual([['pending', null]]);
    expect(engine.runtimeAvailable).toBe(false);
    driver.answering = true;
    const done = engine.waitForDeployment(deploymentId, 5_000);
    expect(await done).toMatchObject({ status: 'successful' });
    expect(live().map((a) => a.status)).toEqual(['running']);
  });
});

describe('commands while a round awaits the runtime', () => {
  test('a version submitted while a round stops an allocation: the round decides again, the superseded deployment stays cancelled and places nothing', async () => {
    await submit(job({ count: 1 }));
    // Version 1 never turns healthy: at its healthy deadline it is replaced, a stop and a placement in one step.
    driver.notReadyImages.add('demo:v2');
    const v1 = await submit(job({ count: 1, image: 'demo:v2' }));
    let release!: () => void;
    driver.stopsWaitFor = new Promise((resolve) => (release = resolve));
    const stopping = new Promise<void>((resolve) => (driver.onStopWaiting = resolve));
    clock += 11_000;
    engine.schedule('web');
    await engine.settled('web');
    // A restart delay (1 s) after it was found unhealthy, it is replaced.
    clock += 1_100;
    engine.schedule('web');
    await stopping;
    const v2 = engine.submit({ job: job({ count: 1, image: 'demo:v3' }), source: cli, sourceText: null }).deployment!.id;
    driver.stopsWaitFor = null;
    release();
    await engine.settled('web');
    expect(store.getDeployment(v1)).toMatchObject({ status: 'cancelled', description: 'Cancelled due to newer version of job' });
    expect(store.getDeployment(v2)!.status).toBe('successful');
    // The superseded version's replacement was never placed: only its first allocation ever was.
    expect(store.listAllocations('web').filter((a) => a.jobVersion === 1)).toHaveLength(1);
    expect(live().map((a) => a.jobVersion)).toEqual([2]);
  });
});

describe('start-first without idle gaps', () => {
  const startFirst = (image: string): Job => {
    const spec = job({ image, count: 2 });
    spec.groups[0]!.update = { ...spec.groups[0]!.update, order: 'start-first' };
    return spec;
  };

  test('the next allocation is placed while the old one it replaces is still stopping', async () => {
    await submit(startFirst('demo:v1'));
    let release!: () => void;
    driver.stopsWaitFor = new Promise((resolve) => (release = resolve));
    const stopping = new Promise<void>((resolve) => (driver.onStopWaiting = resolve));
    const update = engine.submit({ job: startFirst('demo:v2'), source: cli, sourceText: null }).deployment!.id;
    await stopping;
    // The first old allocation has not stopped yet, and the second new one is placed already.
    expect(driver.count('stop')).toBe(1);
    expect(driver.count('place')).toBe(2 + 2);
    driver.stopsWaitFor = null;
    release();
    await engine.settled('web');
    expect(store.getDeployment(update)!.status).toBe('successful');
    expect(live().map((a) => a.jobVersion)).toEqual([1, 1]);
  });

  test('the deployment is successful only once the old allocations it replaced are gone', async () => {
    await submit(startFirst('demo:v1'));
    let release!: () => void;
    driver.stopsWaitFor = new Promise((resolve) => (release = resolve));
    let waiting = 0;
    const bothStopping = new Promise<void>((resolve) => (driver.onStopWaiting = () => ++waiting === 2 && resolve()));
    const update = engine.submit({ job: startFirst('demo:v2'), source: cli, sourceText: null }).deployment!.id;
    try {
      await bothStopping;
      // Every new allocation is healthy and no old one is meant to run: only the stops are left.
      expect(live().map((a) => [a.jobVersion, a.healthy])).toEqual([
        [1, true],
        [1, true],
      ]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.getDeployment(update)!.status).toBe('running');
    } finally {
      driver.stopsWaitFor = null;
      release();
    }
    await engine.settled('web');
    expect(store.getDeployment(update)!.status).toBe('successful');
    expect(driver.running.size).toBe(2);
  });
});

describe('a job decided again while its stops and placements run', () => {
  const ready = { ready: true, livenessFailed: false, lastError: null, readySince: null };
  /** Resolves when the next stop (or placement) starts waiting for the test. */
  const nextStopWaiting = () => new Promise<void>((resolve) => (driver.onStopWaiting = resolve));
  /** Resolves with what came first: the awaited step, or the bound (the test fails on it, rather than hanging on a held stop). */
  const within = async (step: Promise<void>, ms = 2_000) => {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`not within ${ms} ms`), ms)));
    const outcome = await Promise.race([step.then(() => 'done'), bound]);
    clearTimeout(timer);
    return outcome;
  };

  test("stop-first: a batch's second allocation is counted healthy, and the stop it allows begun, while the first one's stop still runs; the placements wait for both stops", async () => {
    await submit(job({ count: 4, maxParallel: 2 }));
    driver.notReadyImages.add('demo:v2');
    const deploymentId = await submit(job({ image: 'demo:v2', count: 4, maxParallel: 2 }));
    const [first, second] = live().filter((a) => a.jobVersion === 1);
    expect(live().map((a) => `${a.jobVersion} ${a.status}`).sort()).toEqual(['0 running', '0 running', '1 running', '1 running']);
    const callsBefore = driver.calls.length;
    let release!: () => void;
    driver.stopsWaitFor = new Promise((resolve) => (release = resolve));
    try {
      // The first new allocation turns healthy: one more old allocation may stop, and it is held open.
      const firstStop = nextStopWaiting();
      driver.setCheck(first!.id, ready);
      expect(await within(firstStop)).toBe('done');
      // The second one turns healthy while that stop runs: it is decided now, not after the stop.
      const secondStop = nextStopWaiting();
      driver.setCheck(second!.id, ready);
      expect(await within(secondStop)).toBe('done');
      expect(store.getAllocation(second!.id)).toMatchObject({ healthy: true });
      expect(store.getDeployment(deploymentId)!.groups[0]).toMatchObject({ healthy: 2 });
      // Stop-first: nothing is placed, nor recorded, while the stops run.
      expect(driver.calls.slice(callsBefore).map((c) => c.kind)).toEqual(['stop', 'stop']);
      expect(live()).toHaveLength(2);
    } finally {
      driver.notReadyImages.delete('demo:v2');
      driver.stopsWaitFor = null;
      release();
    }
    await engine.settled('web');
    expect(driver.calls.slice(callsBefore).map((c) => c.kind)).toEqual(['stop', 'stop', 'place', 'place']);
    expect(store.getDeployment(deploymentId)!.status).toBe('successful');
    expect(live().map((a) => [a.jobVersion, a.status, a.healthy])).toEqual(Array.from({ length: 4 }, () => [1, 'running', true]));
    // settled() means nothing of the job is in flight: every stopped container is gone.
    expect([...driver.running.keys()].sort()).toEqual(live().map((a) => a.id).sort());
  });

  test('stop-first: a stop that does not reach the runtime places nothing; once the runtime answers, the stop is finished first, then the replacement placed', async () => {
    await submit(job({ count: 1 }));
    const [old] = live();
    const callsBefore = driver.calls.length;
    driver.answering = false;
    const update = engine.submit({ job: job({ count: 1, image: 'demo:v2' }), source: cli, sourceText: null }).deployment!.id;
    await engine.settled('web');
    expect(engine.runtimeAvailable).toBe(false);
    // Recorded as stopping, its containers still there, and no replacement recorded or placed.
    expect(store.getAllocation(old!.id)).toMatchObject({ desired: 'stop', status: 'running' });
    expect(driver.running.has(old!.id)).toBe(true);
    expect(live()).toHaveLength(0);
    expect(driver.calls.slice(callsBefore)).toEqual([]);
    driver.answering = true;
    expect(await engine.waitForDeployment(update, 5_000)).toMatchObject({ status: 'successful' });
    await engine.settled('web');
    expect(driver.calls.slice(callsBefore).map((c) => [c.kind, c.allocId === old!.id])).toEqual([
      ['stop', true],
      ['place', false],
    ]);
    expect(live().map((a) => [a.jobVersion, a.status])).toEqual([[1, 'running']]);
  });

  test('a round that would stop an allocation whose placement still runs waits for the placement, and decides again', async () => {
    let release!: () => void;
    driver.placesWaitFor = new Promise((resolve) => (release = resolve));
    const placing = new Promise<void>((resolve) => (driver.onPlaceWaiting = resolve));
    engine.submit({ job: job({ count: 1 }), source: cli, sourceText: null });
    await placing;
    const [first] = live();
    expect(first).toMatchObject({ jobVersion: 0, status: 'pending' });
    // A newer version: the pending allocation of the old one is to be stopped, but its containers are being created.
    const update = engine.submit({ job: job({ count: 1, image: 'demo:v2' }), source: cli, sourceText: null }).deployment!.id;
    try {
      // The round that decides it runs on promises alone: by the next turn of the event loop it has decided.
      await new Promise((resolve) => setImmediate(resolve));
      expect(driver.count('stop')).toBe(0);
      expect(store.getAllocation(first!.id)).toMatchObject({ desired: 'run', status: 'pending' });
    } finally {
      driver.placesWaitFor = null;
      release();
    }
    await engine.settled('web');
    // Stopped once its placement had ended, and then for good: its record is not overwritten by the placement's outcome.
    expect(driver.calls.map((c) => [c.kind, c.allocId === first!.id])).toEqual([
      ['place', true],
      ['stop', true],
      ['place', false],
    ]);
    expect(store.getAllocation(first!.id)).toMatchObject({ desired: 'stop', status: 'complete' });
    expect(store.getDeployment(update)!.status).toBe('successful');
    expect(live().map((a) => a.jobVersion)).toEqual([1]);
    expect([...driver.running.keys()]).toEqual([live()[0]!.id]);
  });
});

describe('commands', () => {
  test('refusals are RolloutErrors by kind, not HTTP statuses', async () => {
    expect(() => engine.revert('nope', 0)).toThrow(RolloutError);
    expect(() => engine.revert('nope', 0)).toThrow(expect.objectContaining({ kind: 'not-found' }));
    await submit(job());
    expect(() => engine.promote('web')).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(() => engine.setHealth('nope', true)).toThrow(expect.objectContaining({ kind: 'not-found' }));
  });

  test('stop --purge stops the allocations, then forgets the job', async () => {
    await submit(job());
    await engine.stopJob('web', true);
    expect(driver.running.size).toBe(0);
    expect(store.getJob('web')).toBeUndefined();
  });
});
