// S5, S6 and S7 of shared/SCENARIOS.md on the real Docker engine, scaled down.
import type { Harness } from './support.js';
import { cli, containersOf, fixtureJob, useHarness } from './support.js';

describe('S5: Kubernetes rolling update and undo on Docker', () => {
  const harness = useHarness();
  let h: Harness;
  let runId: string;
  beforeAll(async () => {
    h = harness();
    runId = h.runId;
  });

  it('v1 → v2 rolls; v10 stalls and fails at its deadline; undo brings v2 back with 4 available', async () => {
    const scale = { update: { progressDeadlineMs: 15_000 }, restartDelayMs: 500 };
    for (const v of ['v1', 'v2']) {
      const { job, text } = await fixtureJob(`s5-kubernetes/${v}`, scale);
      const s = h.engine.submit({ job, source: cli, sourceText: text });
      expect(await h.engine.waitForDeployment(s.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    }
    const v3 = await fixtureJob('s5-kubernetes/v3', { update: { progressDeadlineMs: 3_000 }, restartDelayMs: 500 });
    const broken = h.engine.submit({ job: v3.job, source: cli, sourceText: v3.text });
    expect(await h.engine.waitForDeployment(broken.deployment!.id, 60_000)).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations' });
    const stalled = (await containersOf(runId, 'kubernetes-bootcamp')).map((c) => c.image);
    expect(stalled.filter((i) => i === 'deckhand-demo:v2').length).toBe(3);
    const undo = h.engine.revert('kubernetes-bootcamp', 1);
    expect(await h.engine.waitForDeployment(undo.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    expect((await containersOf(runId, 'kubernetes-bootcamp')).map((c) => c.image)).toEqual(Array(4).fill('deckhand-demo:v2'));
  });
});

describe('S6/S7: Swarm update_config on Docker', () => {
  const harness = useHarness();
  let h: Harness;
  let runId: string;
  beforeAll(async () => {
    h = harness();
    runId = h.runId;
  });

  it('S6: the first replaced task turns unhealthy, the update rolls back, the second replica is never touched', async () => {
    const scale = { update: { monitorMs: 2_000, delayMs: 500 } };
    const v1 = await fixtureJob('s6-swarm-rollback/v1', scale);
    const first = h.engine.submit({ job: v1.job, source: cli, sourceText: v1.text });
    expect(await h.engine.waitForDeployment(first.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    const before = await containersOf(runId, 'whoami');
    const second = before.find((c) => c.index === 1)!;

    const v2 = await fixtureJob('s6-swarm-rollback/v2', scale);
    const update = h.engine.submit({ job: v2.job, source: cli, sourceText: v2.text });
    expect(await h.engine.waitForDeployment(update.deployment!.id, 60_000)).toMatchObject({
      status: 'failed',
      description: 'Failed due to unhealthy allocations - rolling back to job version 0',
    });
    const rollback = h.store.listDeployments('whoami')[0]!;
    expect(rollback.groups[0]!.strategy).toBe('rollback');
    expect(await h.engine.waitForDeployment(rollback.id, 60_000)).toMatchObject({ status: 'successful' });
    const after = await containersOf(runId, 'whoami');
    expect(after.map((c) => c.image)).toEqual(['deckhand-demo:v1', 'deckhand-demo:v1']);
    expect(after.some((c) => c.id === second.id)).toBe(true);
  });

  it('S7: parallelism 2 with a delay: two tasks at a time, the delay apart', async () => {
    const scale = { update: { monitorMs: 500, delayMs: 2_000 } };
    const v1 = await fixtureJob('s7-swarm-parallel/v1', scale);
    const first = h.engine.submit({ job: v1.job, source: cli, sourceText: v1.text });
    expect(await h.engine.waitForDeployment(first.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    const v2 = await fixtureJob('s7-swarm-parallel/v2', scale);
    const mark = h.events.length;
    const update = h.engine.submit({ job: v2.job, source: cli, sourceText: v2.text });
    expect(await h.engine.waitForDeployment(update.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    const placed = h.events.slice(mark).filter((e) => e.type === 'allocation' && e.message.startsWith('placing')).map((e) => (e.type === 'allocation' ? e.allocation.createdAt : 0));
    // Four placements, unless a replica failed under load and was replaced: the batches are what matters.
    expect(placed.length).toBeGreaterThanOrEqual(4);
    expect(placed[1]! - placed[0]!).toBeLessThan(1_000);
    expect(placed[3]! - placed[2]!).toBeLessThan(1_000);
    expect(placed[2]! - placed[1]!).toBeGreaterThanOrEqual(2_000);
    expect((await containersOf(runId, 'vote')).map((c) => c.image)).toEqual(Array(4).fill('deckhand-demo:v2'));
  });
});
