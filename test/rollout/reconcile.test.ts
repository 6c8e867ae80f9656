// reconcile() and the production apply step over whole rollouts in a simulated
// world (test/rollout/sim.ts): the scenarios of shared/SCENARIOS.md, scaled down,
// step by step.
import type { Job, UpdateStrategy } from '../../src/model/job.js';
import { kubernetesUpdateDefaults } from '../../src/render/kubernetes/strategy.js';
import { nomadUpdateDefaults, swarmUpdateDefaults } from '../../src/render/defaults.js';
import { budgets } from '../../src/rollout/reconcile.js';
import type { Decision } from '../../src/rollout/reconcile-types.js';
import type { ImageBehaviour } from './sim.js';
import { World } from './sim.js';

const images: Record<string, ImageBehaviour> = {
  v1: { startMs: 500, kind: 'good' },
  v2: { startMs: 500, kind: 'good' },
  v3: { startMs: 500, kind: 'good' },
  unhealthy: { startMs: 500, kind: 'unhealthy' },
};

function job(image: string, count: number, update: Partial<UpdateStrategy> = {}, base: UpdateStrategy = nomadUpdateDefaults, rollback: Partial<UpdateStrategy> | null = null): Job {
  return {
    id: 'web',
    type: 'service',
    source: { format: 'nomad', file: 'web.nomad' },
    meta: {},
    historyLimit: null,
    networks: [{ name: 'default', dockerName: null, external: false }],
    endpoints: [],
    groups: [
      {
        name: 'web',
        count,
        update: { ...base, minHealthyTimeMs: 1000, healthyDeadlineMs: base.healthyDeadlineMs ? 5000 : 0, progressDeadlineMs: 20_000, ...update },
        rollback: rollback ? { ...swarmUpdateDefaults, minHealthyTimeMs: 1000, ...rollback } : null,
        restart: { condition: 'any', maxAttempts: 2, delayMs: 1000, windowMs: 0 },
        network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
        meta: {},
        tasks: [{ name: 't', driver: 'docker', image, command: null, args: null, entrypoint: null, env: {}, ports: [], resources: { cpu: 100, cpuLimit: null, memoryMB: 32 }, checks: [], imageHealthcheck: 'use', shutdownDelayMs: 0, killTimeoutMs: null, meta: {} }],
      },
    ],
  };
}

function deployed(first: Job): World {
  const world = new World(images);
  world.submit(first);
  world.run();
  expect(world.deployment!.status).toBe('successful');
  return world;
}

const images_ = (w: World) => w.running().map((a) => a.image);

describe('S1: Nomad rolling update', () => {
  it('replaces one at a time with the default update stanza, never exceeding the count', () => {
    const world = deployed(job('v1', 4));
    world.snapshots = [];
    world.submit(job('v2', 4));
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful', description: 'Deployment completed successfully' });
    expect(images_(world)).toEqual(['v2', 'v2', 'v2', 'v2']);
    expect(world.extremes()).toEqual({ maxAllocations: 4, minHealthy: 3 });
    expect(world.versions.map((v) => v.stable)).toEqual([true, true]);
  });

  it('replaces three at a time with max_parallel = 3', () => {
    const world = deployed(job('v1', 10));
    world.snapshots = [];
    world.log = [];
    world.submit(job('v2', 10, { maxParallel: 3, healthCheck: 'task_states' }));
    world.run();
    expect(images_(world)).toEqual(Array(10).fill('v2'));
    expect(world.extremes()).toEqual({ maxAllocations: 10, minHealthy: 7 });
    const placeTimes = world.log.filter((l) => l.decision.kind === 'place').map((l) => l.time);
    expect(new Set(placeTimes).size).toBe(4);
  });
});

describe('S2/S3: Nomad canaries', () => {
  const canary = (image: string, update: Partial<UpdateStrategy> = {}) => job(image, 10, { canary: 3, maxParallel: 2, healthCheck: 'task_states', ...update });

  it('S2: failing canaries are placed beside the old allocations, never promoted, and the deployment fails at its deadline', () => {
    const world = deployed(job('v1', 10));
    world.snapshots = [];
    world.submit(canary('dummy'));
    world.run();
    expect(world.deployment).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations' });
    expect(world.deployment!.groups[0]!.promoted).toBe(false);
    expect(images_(world).filter((i) => i === 'v1')).toHaveLength(10);
    expect(Math.max(...world.snapshots.map((s) => s.running.length))).toBe(13);
    expect(world.now).toBeGreaterThanOrEqual(20_000);
  });

  it('S3: healthy canaries wait for promotion; promoting replaces the rest two at a time, ending at exactly 10', () => {
    const world = deployed(job('v1', 10));
    world.submit(canary('v2'));
    world.run();
    expect(world.deployment).toMatchObject({ status: 'running', description: 'Deployment is running but requires manual promotion' });
    expect(images_(world).filter((i) => i === 'v2')).toHaveLength(3);
    expect(world.running()).toHaveLength(13);
    world.snapshots = [];
    world.promote();
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful' });
    expect(images_(world)).toEqual(Array(10).fill('v2'));
    expect(world.extremes().minHealthy).toBeGreaterThanOrEqual(8);
  });

  it('S3 with auto_promote: the promotion happens by itself', () => {
    const world = deployed(job('v1', 10));
    world.submit(canary('v2', { autoPromote: true }));
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful' });
    expect(world.log.some((l) => l.decision.kind === 'promote')).toBe(true);
    expect(images_(world)).toEqual(Array(10).fill('v2'));
  });
});

describe('S4: Nomad auto-revert', () => {
  it('a failing version is reverted to the last stable one as a new version, whose deployment has no canaries', () => {
    const update = { maxParallel: 2, autoRevert: true, failureAction: 'rollback' as const, canary: 1, autoPromote: true };
    const world = deployed(job('v1', 6, update));
    world.submit(job('v2', 6, update));
    world.run();
    world.submit(job('missing', 6, update));
    world.run();
    expect(world.deployments.map((d) => [d.jobVersion, d.status, d.description])).toEqual([
      [0, 'successful', 'Deployment completed successfully'],
      [1, 'successful', 'Deployment completed successfully'],
      // The production apply step names the rollback target (the old simulation's own copy did not).
      [2, 'failed', 'Failed due to unhealthy allocations - rolling back to job version 1'],
      [3, 'successful', 'Deployment completed successfully'],
    ]);
    expect(world.versions.map((v) => v.stable)).toEqual([true, true, false, true]);
    expect(world.deployments[3]!.groups[0]!.desiredCanaries).toBe(0);
    expect(images_(world)).toEqual(Array(6).fill('v2'));
  });
});

describe('S5: Kubernetes rolling update', () => {
  const k8s = (image: string) => job(image, 4, { ...kubernetesUpdateDefaults, maxSurge: 1, maxUnavailable: 1, maxParallel: 2, order: 'stop-first', minHealthyTimeMs: 0, progressDeadlineMs: 10_000 }, kubernetesUpdateDefaults);

  it('keeps within maxSurge and maxUnavailable', () => {
    const world = deployed(k8s('v1'));
    world.snapshots = [];
    world.submit(k8s('v2'));
    world.run();
    expect(images_(world)).toEqual(Array(4).fill('v2'));
    expect(world.extremes()).toEqual({ maxAllocations: 5, minHealthy: 3 });
  });

  it('a missing image stalls with fewer available than desired, fails at the deadline without reverting; undo brings v2 back', () => {
    const world = deployed(k8s('v1'));
    world.submit(k8s('v2'));
    world.run();
    world.submit(k8s('v10'));
    world.run();
    expect(world.deployment).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations' });
    expect(world.versions).toHaveLength(3);
    expect(images_(world).filter((i) => i === 'v2')).toHaveLength(3);
    world.submit(world.versions[1]!.job, { rollback: true });
    world.run();
    expect(images_(world)).toEqual(Array(4).fill('v2'));
  });
});

describe('S6/S7: Swarm update_config', () => {
  const swarm = (image: string, update: Partial<UpdateStrategy>, count: number) =>
    job(image, count, { ...swarmUpdateDefaults, monitorMs: 1000, progressDeadlineMs: 60_000, ...update }, swarmUpdateDefaults, {});

  it('S6: the first replaced task turns unhealthy, the update rolls back, the second replica was never touched', () => {
    const update = { failureAction: 'rollback' as const, autoRevert: true, delayMs: 1000 };
    const world = deployed(swarm('v1', update, 2));
    const untouched = [...world.allocs.values()].find((a) => a.index === 1)!.id;
    world.snapshots = [];
    world.submit(swarm('unhealthy', update, 2));
    world.run();
    expect(world.deployments[1]).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations - rolling back to job version 0' });
    expect(world.deployments[2]!.groups[0]!.strategy).toBe('rollback');
    expect(images_(world)).toEqual(['v1', 'v1']);
    expect(world.allocs.has(untouched)).toBe(true);
    expect(world.extremes().minHealthy).toBeGreaterThanOrEqual(1);
  });

  it('S7: parallelism 2 with delay: two tasks at a time, the delay apart', () => {
    const world = deployed(swarm('v1', { maxParallel: 2, delayMs: 10_000 }, 4));
    world.log = [];
    world.submit(swarm('v2', { maxParallel: 2, delayMs: 10_000 }, 4));
    world.run();
    const places = world.log.filter((l) => l.decision.kind === 'place').map((l) => l.time);
    expect(places).toHaveLength(4);
    expect(places[0]).toBe(places[1]);
    expect(places[2]).toBe(places[3]);
    // The first batch is ready (and, with monitor as a failure-watch window, healthy) 500 ms after its placement.
    expect(places[2]! - places[0]!).toBeGreaterThanOrEqual(500 + 10_000);
  });

  it('S7: an old allocation that goes down during the delay is replaced at once, not after the delay', () => {
    const update = { maxParallel: 2, delayMs: 10_000 };
    const world = deployed(swarm('v1', update, 4));
    world.log = [];
    const start = world.now;
    world.submit(swarm('v2', update, 4));
    // The first batch is healthy at 500 ms; the delay runs until 10.5 s.
    world.run(start + 2_000);
    const oldOne = [...world.allocs.values()].find((a) => a.jobVersion === 0)!;
    world.breakAllocation(oldOne.id, 'gone');
    world.step();
    const acted = world.log.filter((l) => l.time === world.now && (l.decision.kind === 'stop' || l.decision.kind === 'place')).map((l) => l.decision);
    expect(acted).toEqual([
      expect.objectContaining({ kind: 'stop', allocId: oldOne.id, reason: 'an old version that is not running' }),
      expect.objectContaining({ kind: 'place', index: oldOne.index }),
    ]);
    expect(world.now - start).toBeLessThan(10_500);
    world.run();
    expect(world.deployment!.status).toBe('successful');
  });

  it('S7: a batch whose allocations turn healthy apart still waits the delay after the last of them', () => {
    const spread = new World({ ...images, v2: { startMs: 500, kind: 'good', spreadMs: 300 } });
    const update = { maxParallel: 2, delayMs: 10_000, minHealthyTimeMs: 1000, monitorMs: 0 };
    spread.submit(swarm('v1', update, 4));
    spread.run();
    spread.log = [];
    const start = spread.now;
    spread.submit(swarm('v2', update, 4));
    spread.run();
    expect(spread.deployment!.status).toBe('successful');
    const places = spread.log.filter((l) => l.decision.kind === 'place').map((l) => l.time - start);
    const healthy = spread.log.filter((l) => l.decision.kind === 'set-health' && l.decision.healthy).map((l) => l.time - start);
    expect(places).toHaveLength(4);
    // Indexes 0 and 1 of the first batch: ready at 500 and 800, healthy 1 s later.
    expect(healthy.slice(0, 2)).toEqual([1500, 1800]);
    expect(places[2]).toBe(places[3]);
    expect(places[2]).toBeGreaterThanOrEqual(1800 + 10_000);
  });

  it('S7: order start-first keeps a single replica serving during its own update', () => {
    const world = deployed(swarm('v1', { order: 'start-first' }, 1));
    world.snapshots = [];
    world.submit(swarm('v2', { order: 'start-first' }, 1));
    world.run();
    expect(images_(world)).toEqual(['v2']);
    expect(world.extremes()).toEqual({ maxAllocations: 2, minHealthy: 1 });
  });
});

describe('Swarm monitor: a failure-watch window that holds no batch', () => {
  const swarm = (image: string, count: number, update: Partial<UpdateStrategy> = {}) =>
    job(image, count, { ...swarmUpdateDefaults, maxParallel: 2, monitorMs: 1000, progressDeadlineMs: 60_000, ...update }, swarmUpdateDefaults, {});
  /** v1 deployed, then v2 submitted at `start` and run until `until` ms later; times in the log from `start`. */
  function updating(count: number, update: Partial<UpdateStrategy> = {}, until = 3_600_000): World & { start: number } {
    const world = deployed(swarm('v1', count, update));
    world.log = [];
    world.snapshots = [];
    const start = world.now;
    world.submit(swarm('v2', count, update));
    world.run(start + until);
    return Object.assign(world, { start });
  }
  const timesOf = (world: World & { start: number }, kind: Decision['kind']) => world.log.filter((l) => l.decision.kind === kind).map((l) => l.time - world.start);
  const healthyAt = (world: World & { start: number }) => world.log.filter((l) => l.decision.kind === 'set-health' && l.decision.healthy).map((l) => l.time - world.start);
  const v2 = (world: World) => [...world.allocs.values()].filter((a) => a.jobVersion === 1).sort((a, b) => a.index - b.index);

  it('an allocation counts healthy once ready: the next batch goes ahead at once, and the deployment completes monitor after the last one is ready', () => {
    const world = updating(6);
    expect(world.deployment).toMatchObject({ status: 'successful' });
    expect(timesOf(world, 'place')).toEqual([0, 0, 500, 500, 1000, 1000]);
    expect(healthyAt(world)).toEqual([500, 500, 1000, 1000, 1500, 1500]);
    expect(timesOf(world, 'complete')).toEqual([2500]);
    expect(world.log.find((l) => l.decision.kind === 'set-health')!.decision).toMatchObject({ reason: 'ready (failures in the next 1s count against max_failure_ratio: monitor)' });
  });

  it('Nomad min_healthy_time (no monitor) still holds each batch', () => {
    const world = updating(6, { minHealthyTimeMs: 1000, monitorMs: 0 });
    expect(timesOf(world, 'place')).toEqual([0, 0, 1500, 1500, 3000, 3000]);
    expect(timesOf(world, 'complete')).toEqual([4500]);
  });

  it('a failure within monitor of becoming ready counts against max_failure_ratio: failure_action pause pauses', () => {
    const world = updating(4, {}, 1200);
    const last = v2(world).find((a) => a.index === 3)!;
    expect(last.healthy).toBe(true);
    expect(world.deployment!.status).toBe('running');
    world.breakAllocation(last.id, 'checks-fail');
    world.step();
    expect(world.log.filter((l) => l.decision.kind === 'set-health' && !l.decision.healthy).map((l) => l.decision)).toEqual([
      { kind: 'set-health', allocId: last.id, healthy: false, reason: 'the HEALTHCHECK timed out within 1s of turning ready (monitor)' },
    ]);
    expect(world.deployment).toMatchObject({ status: 'paused', description: 'Deployment paused due to unhealthy allocations' });
    expect(world.deployment!.groups[0]).toMatchObject({ unhealthy: 1, healthy: 3 });
  });

  it('failure_action rollback reverts to the last stable version', () => {
    const world = updating(4, { failureAction: 'rollback', autoRevert: true }, 1200);
    world.breakAllocation(v2(world)[0]!.id, 'checks-fail');
    world.run();
    expect(world.deployments[1]).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations - rolling back to job version 0' });
    expect(images_(world)).toEqual(Array(4).fill('v1'));
  });

  it('failure_action continue replaces the failed allocation and completes', () => {
    const world = updating(4, { failureAction: 'continue' }, 1200);
    const failing = v2(world)[0]!;
    world.breakAllocation(failing.id, 'checks-fail');
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful' });
    expect(world.deployment!.groups[0]!.unhealthy).toBe(1);
    expect(world.allocs.has(failing.id)).toBe(false);
    expect(images_(world)).toEqual(Array(4).fill('v2'));
  });

  it('failures up to max_failure_ratio are replaced without pausing', () => {
    const world = updating(4, { maxFailureRatio: 0.25 }, 1200);
    world.breakAllocation(v2(world)[0]!.id, 'checks-fail');
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful' });
    expect(world.deployment!.groups[0]!.unhealthy).toBe(1);
  });

  it('a failure after the window is not counted against the deployment', () => {
    // Indexes 0-1 ready at 500 (window to 1500), 2-3 at 1000 (window to 2000).
    const world = updating(4, {}, 1600);
    world.now = world.start + 1600;
    const first = v2(world)[0]!;
    world.breakAllocation(first.id, 'checks-fail');
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful' });
    expect(world.deployment!.groups[0]!.unhealthy).toBe(0);
  });

  it('the deployment does not complete while the last window runs', () => {
    const world = updating(2, {}, 1400);
    expect(world.deployment!.status).toBe('running');
    expect(world.log.filter((l) => l.decision.kind === 'wait').at(-1)!.decision).toMatchObject({ until: world.start + 1500 });
  });
});

describe('start-first without idle gaps', () => {
  const swarm = (image: string, count: number, update: Partial<UpdateStrategy> = {}) =>
    job(image, count, { ...swarmUpdateDefaults, maxParallel: 2, monitorMs: 1000, progressDeadlineMs: 60_000, ...update }, swarmUpdateDefaults, {});

  it('the round that stops a batch\'s old allocations places the next batch beside those stops', () => {
    const world = deployed(swarm('v1', 6, { order: 'start-first' }));
    world.log = [];
    world.snapshots = [];
    const start = world.now;
    world.submit(swarm('v2', 6, { order: 'start-first' }));
    world.run();
    expect(world.deployment).toMatchObject({ status: 'successful' });
    const acting = world.log.filter((l) => l.decision.kind === 'place' || l.decision.kind === 'stop');
    const at = (time: number) => acting.filter((l) => l.time === start + time).map((l) => (l.decision.kind === 'place' ? `place${l.decision.alongsideStops ? ' with stops' : ''}` : 'stop'));
    expect(at(0)).toEqual(['place', 'place']);
    expect(at(500)).toEqual(['stop', 'stop', 'place with stops', 'place with stops']);
    expect(at(1000)).toEqual(['stop', 'stop', 'place with stops', 'place with stops']);
    expect(at(1500)).toEqual(['stop', 'stop']);
    // The allocations that are not stopping stay within count + surge.
    expect(world.extremes()).toEqual({ maxAllocations: 8, minHealthy: 6 });
  });

  it('stop-first places in the round of the stops, after them', () => {
    const world = deployed(swarm('v1', 4));
    world.log = [];
    world.submit(swarm('v2', 4));
    world.step();
    expect(world.log.filter((l) => l.decision.kind === 'place' || l.decision.kind === 'stop').map((l) => l.decision)).toEqual([
      expect.objectContaining({ kind: 'stop' }),
      expect.objectContaining({ kind: 'stop' }),
      { kind: 'place', group: 'web', index: 0, canary: false, reason: 'rolling update: a new-version allocation' },
      { kind: 'place', group: 'web', index: 1, canary: false, reason: 'rolling update: a new-version allocation' },
    ]);
  });
});

describe('changes that replace nothing', () => {
  it('a count change scales without replacing', () => {
    const world = deployed(job('v1', 2));
    const before = [...world.allocs.keys()];
    world.log = [];
    world.submit(job('v1', 4));
    world.run();
    expect(world.log.filter((l) => l.decision.kind === 'stop')).toEqual([]);
    expect(before.every((id) => world.allocs.has(id))).toBe(true);
    expect(world.running()).toHaveLength(4);
    world.submit(job('v1', 1));
    world.run();
    expect(world.running()).toEqual([{ index: 0, version: 2, image: 'v1' }]);
  });

  it('an in-place change touches no container', () => {
    const world = deployed(job('v1', 3));
    world.log = [];
    world.submit(job('v1', 3, { maxParallel: 3 }));
    world.run();
    expect(world.log.map((l) => l.decision.kind).filter((k) => k === 'place' || k === 'stop')).toEqual([]);
    expect(world.log.filter((l) => l.decision.kind === 'update-in-place')).toHaveLength(3);
    expect(world.running().map((a) => a.version)).toEqual([1, 1, 1]);
    expect(world.deployment!.status).toBe('successful');
  });

  it('a newer version during a deployment cancels it and starts from the allocations as they are', () => {
    const world = deployed(job('v1', 4));
    world.submit(job('missing', 4));
    world.step();
    world.now += 100;
    world.submit(job('v3', 4));
    world.run();
    expect(world.deployments.map((d) => d.status)).toEqual(['successful', 'cancelled', 'successful']);
    expect(images_(world)).toEqual(Array(4).fill('v3'));
  });
});

describe('unhealthy allocations outside a deployment', () => {
  /** A deployed job whose allocations at `indexes` then break as `how` says. */
  function broken(first: Job, indexes: Record<number, 'checks-fail' | 'gone'>): { world: World; ids: string[] } {
    const world = deployed(first);
    const byIndex = [...world.allocs.values()].sort((a, b) => a.index - b.index);
    for (const [index, how] of Object.entries(indexes)) world.breakAllocation(byIndex[Number(index)]!.id, how);
    world.log = [];
    world.snapshots = [];
    return { world, ids: byIndex.map((a) => a.id) };
  }
  const kinds = (world: World, from = 0) => world.log.slice(from).map((l) => l.decision.kind).filter((k) => k === 'place' || k === 'stop');
  const stopsOf = (world: World, ids: string[]) => world.log.filter((l) => l.decision.kind === 'stop' && ids.includes(l.decision.allocId));
  const notes = (world: World) => world.log.flatMap((l) => (l.decision.kind === 'note' && l.decision.reason !== null ? [l.decision] : []));
  const formatted = (j: Job, format: 'kubernetes' | 'compose'): Job => ({ ...j, source: { format, file: `web.${format === 'kubernetes' ? 'yaml' : 'compose.yaml'}` } });
  /** The fewest allocations that were healthy when last judged (an unhealthy one that runs may serve) in any round. */
  const fewestHealthy = (world: World) => Math.min(...world.snapshots.map((s) => s.running.filter((r) => r.healthy === true).length));

  it('max_parallel 1: one of three is replaced at a time, the next once its replacement is healthy', () => {
    const { world, ids } = broken(job('v1', 4), { 0: 'checks-fail', 1: 'checks-fail', 2: 'checks-fail' });
    const sick = ids.slice(0, 3);
    world.step();
    expect(kinds(world)).toEqual(['stop', 'place']);
    expect(world.log.find((l) => l.decision.kind === 'stop')!.decision).toEqual({
      kind: 'stop', allocId: ids[0], reason: 'unhealthy (the HEALTHCHECK timed out): replaced, 1 of 1 replacements under way (max_parallel 1)',
    });
    expect(notes(world)).toEqual([1, 2].map((i) => ({
      kind: 'note', allocId: ids[i], reason: 'unhealthy (the HEALTHCHECK timed out): waiting to replace it, 1 of 1 replacements under way (max_parallel 1)',
    })));

    // Asked again while the replacement starts: nothing, not even the notes again.
    const mark = world.log.length;
    expect(world.step().changed).toBe(false);
    world.now += 500;
    expect(world.step().changed).toBe(false);
    expect(kinds(world, mark)).toEqual([]);

    world.run();
    const stops = stopsOf(world, sick);
    expect(stops.map((l) => l.decision.kind === 'stop' && l.decision.allocId)).toEqual(sick);
    // Each next stop comes in the round its predecessor's replacement turned healthy (ready after 500 ms, healthy 1 s later).
    for (let i = 1; i < stops.length; i++) {
      expect(stops[i]!.time - stops[i - 1]!.time).toBeGreaterThanOrEqual(1500);
      const healthyNow = world.log.filter((l) => l.time === stops[i]!.time && l.decision.kind === 'set-health' && l.decision.healthy);
      expect(healthyNow).toHaveLength(1);
    }
    expect(notes(world)).toHaveLength(2);
    expect(world.extremes().maxAllocations).toBe(4);
    expect(fewestHealthy(world)).toBe(3);
    expect(world.running().map((a) => a.index)).toEqual([0, 1, 2, 3]);
    expect([...world.allocs.values()].every((a) => a.healthy === true && a.broken === null)).toBe(true);
    expect(world.allocs.has(ids[3]!)).toBe(true);
  });

  it('an allocation whose containers are gone is replaced at once, whatever the budget', () => {
    const { world, ids } = broken(job('v1', 4), { 0: 'gone', 1: 'gone', 2: 'checks-fail' });
    world.step();
    expect(stopsOf(world, ids).map((l) => l.decision.kind === 'stop' && [l.decision.allocId, l.decision.reason])).toEqual([
      [ids[0], 'failed (its containers are gone): replaced'],
      [ids[1], 'failed (its containers are gone): replaced'],
    ]);
    expect(world.log.filter((l) => l.decision.kind === 'place').map((l) => l.decision.kind === 'place' && l.decision.index)).toEqual([0, 1]);
    // Two slots are being replaced already: the unhealthy one that still runs waits for them.
    expect(notes(world).map((n) => [n.allocId, n.reason])).toEqual([[ids[2], 'unhealthy (the HEALTHCHECK timed out): waiting to replace it, 1 of 1 replacements under way (max_parallel 1)']]);
    world.run();
    expect(stopsOf(world, [ids[2]!])).toHaveLength(1);
    expect([...world.allocs.values()].every((a) => a.healthy === true && a.broken === null)).toBe(true);
  });

  it('a count of 1 whose only allocation is unhealthy is replaced (no deadlock)', () => {
    const { world, ids } = broken(job('v1', 1), { 0: 'checks-fail' });
    world.step();
    expect(kinds(world)).toEqual(['stop', 'place']);
    expect(notes(world)).toEqual([]);
    world.run();
    expect(world.allocs.has(ids[0]!)).toBe(false);
    expect([...world.allocs.values()].map((a) => [a.index, a.healthy])).toEqual([[0, true]]);
  });

  it('never stops the last healthy allocation while a replacement is not healthy yet', () => {
    const { world, ids } = broken(job('v1', 2, { maxParallel: 2 }), { 0: 'checks-fail', 1: 'checks-fail' });
    world.step();
    expect(kinds(world)).toEqual(['stop', 'place']);
    expect(notes(world).map((n) => [n.allocId, n.reason])).toEqual([
      [ids[1], 'unhealthy (the HEALTHCHECK timed out): waiting to replace it, it is the group\'s last healthy allocation and 1 replacement is not healthy yet'],
    ]);
    world.run();
    expect(stopsOf(world, ids)).toHaveLength(2);
    expect(fewestHealthy(world)).toBe(1);
  });

  it('a replacement that fails before it was ever healthy is replaced after the restart delay, still within the budget', () => {
    const { world, ids } = broken(job('v1', 4), { 0: 'checks-fail', 1: 'checks-fail' });
    world.step();
    const replacement = [...world.allocs.values()].find((a) => !ids.includes(a.id))!;
    world.now += 600;
    world.breakAllocation(replacement.id, 'checks-fail');
    const mark = world.log.length;
    world.step();
    expect(world.log.slice(mark).map((l) => l.decision)).toEqual([
      { kind: 'set-health', allocId: replacement.id, healthy: false, reason: 'the HEALTHCHECK timed out' },
      { kind: 'wait', until: world.now + 1000, reason: 'a health or deadline timer' },
    ]);
    world.now += 1000;
    world.step();
    expect(kinds(world, mark)).toEqual(['stop', 'place']);
    expect(stopsOf(world, [replacement.id])[0]!.decision).toMatchObject({ reason: 'failed (the HEALTHCHECK timed out): replaced' });
    world.run();
    expect(stopsOf(world, [ids[1]!])).toHaveLength(1);
    expect(fewestHealthy(world)).toBe(3);
  });

  it('Kubernetes maxUnavailable 0, maxSurge 1: each replacement starts beside its unhealthy pod, which stops once it is healthy', () => {
    const k8s = formatted(job('v1', 4, { ...kubernetesUpdateDefaults, minHealthyTimeMs: 0, progressDeadlineMs: 10_000 }, kubernetesUpdateDefaults), 'kubernetes');
    const { world, ids } = broken(k8s, { 0: 'checks-fail', 1: 'checks-fail', 2: 'checks-fail' });
    world.step();
    expect(kinds(world)).toEqual(['place']);
    expect(world.log.find((l) => l.decision.kind === 'place')!.decision).toEqual({
      kind: 'place', group: 'web', index: 0, canary: false, reason: `replaces unhealthy allocation ${ids[0]!.slice(0, 8)}, which stops once this one is healthy (maxSurge 1, maxUnavailable 0)`,
    });
    expect(notes(world).map((n) => n.reason)).toEqual(Array(2).fill('unhealthy (the HEALTHCHECK timed out): waiting to replace it, 1 of 1 replacements under way (maxSurge 1, maxUnavailable 0)'));
    world.run();
    const stops = stopsOf(world, ids.slice(0, 3));
    expect(stops.map((l) => l.decision.kind === 'stop' && l.decision.reason)).toEqual(
      stops.map(() => expect.stringMatching(/^unhealthy \(the HEALTHCHECK timed out\): replaced by allocation \w{8}, which is healthy$/)),
    );
    expect(stops).toHaveLength(3);
    expect(world.extremes().maxAllocations).toBe(5);
    expect(fewestHealthy(world)).toBe(4);
    expect(world.running().map((a) => a.index)).toEqual([0, 1, 2, 3]);
  });

  it('Swarm parallelism 2: two at a time, stop-first', () => {
    const swarm = formatted(job('v1', 4, { ...swarmUpdateDefaults, maxParallel: 2, minHealthyTimeMs: 1000, progressDeadlineMs: 60_000 }, swarmUpdateDefaults), 'compose');
    const { world, ids } = broken(swarm, { 0: 'checks-fail', 1: 'checks-fail', 2: 'checks-fail' });
    world.step();
    expect(kinds(world)).toEqual(['stop', 'place', 'stop', 'place']);
    expect(stopsOf(world, ids).map((l) => l.decision.kind === 'stop' && l.decision.reason)).toEqual([
      'unhealthy (the HEALTHCHECK timed out): replaced, 1 of 2 replacements under way (parallelism 2)',
      'unhealthy (the HEALTHCHECK timed out): replaced, 2 of 2 replacements under way (parallelism 2)',
    ]);
    expect(notes(world).map((n) => [n.allocId, n.reason])).toEqual([[ids[2], 'unhealthy (the HEALTHCHECK timed out): waiting to replace it, 2 of 2 replacements under way (parallelism 2)']]);
    world.run();
    expect(stopsOf(world, ids)).toHaveLength(3);
    expect(fewestHealthy(world)).toBe(2);
    expect(world.running().map((a) => a.index)).toEqual([0, 1, 2, 3]);
  });

  it('Swarm start-first parallelism 2: two replacements beside the unhealthy ones, none stopped before', () => {
    const swarm = formatted(job('v1', 4, { ...swarmUpdateDefaults, maxParallel: 2, order: 'start-first', minHealthyTimeMs: 1000, progressDeadlineMs: 60_000 }, swarmUpdateDefaults), 'compose');
    const { world, ids } = broken(swarm, { 0: 'checks-fail', 1: 'checks-fail', 2: 'checks-fail' });
    world.step();
    expect(kinds(world)).toEqual(['place', 'place']);
    expect(notes(world).map((n) => n.reason)).toEqual(['unhealthy (the HEALTHCHECK timed out): waiting to replace it, 2 of 2 replacements under way (parallelism 2, order start-first)']);
    world.run();
    expect(stopsOf(world, ids)).toHaveLength(3);
    expect(world.extremes().maxAllocations).toBe(6);
    expect(fewestHealthy(world)).toBe(4);
  });

  it('an unhealthy allocation that recovers while its replacement starts keeps its place; the replacement goes', () => {
    const k8s = formatted(job('v1', 2, { ...kubernetesUpdateDefaults, minHealthyTimeMs: 0, progressDeadlineMs: 10_000 }, kubernetesUpdateDefaults), 'kubernetes');
    const { world, ids } = broken(k8s, { 0: 'checks-fail' });
    world.step();
    const replacement = [...world.allocs.values()].find((a) => !ids.includes(a.id))!;
    world.allocs.get(ids[0]!)!.broken = null;
    world.step();
    expect(stopsOf(world, [replacement.id]).map((l) => l.decision)).toEqual([{ kind: 'stop', allocId: replacement.id, reason: 'a second allocation for index 0' }]);
    expect([...world.allocs.keys()].sort()).toEqual([...ids].sort());
  });
});

describe('budgets', () => {
  it('are Nomad stop-first max_parallel, Swarm start-first parallelism, or Kubernetes numbers', () => {
    expect(budgets({ ...nomadUpdateDefaults, maxParallel: 2 }, 6)).toEqual({ surge: 0, unavailable: 2 });
    expect(budgets({ ...swarmUpdateDefaults, maxParallel: 2, order: 'start-first' }, 4)).toEqual({ surge: 2, unavailable: 0 });
    expect(budgets({ ...swarmUpdateDefaults, maxParallel: 0 }, 4)).toEqual({ surge: 0, unavailable: 4 });
    expect(budgets({ ...kubernetesUpdateDefaults, maxSurge: 1, maxUnavailable: 1 }, 4)).toEqual({ surge: 1, unavailable: 1 });
    expect(budgets({ ...kubernetesUpdateDefaults, maxSurge: 0, maxUnavailable: 0 }, 4)).toEqual({ surge: 0, unavailable: 1 });
  });
});
