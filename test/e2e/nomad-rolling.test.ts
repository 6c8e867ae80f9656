// S1 and S4 of shared/SCENARIOS.md on the real Docker engine, scaled down.
import type { Harness } from './support.js';
import { cli, fixtureJob, runningImages, useHarness } from './support.js';

const fast = { minHealthyTimeMs: 500, healthyDeadlineMs: 8_000, progressDeadlineMs: 15_000 };

describe('S1: Nomad rolling update on Docker', () => {
  const harness = useHarness();
  let h: Harness;
  let runId: string;
  beforeAll(async () => {
    h = harness();
    runId = h.runId;
  });

  it('v1 runs, v2 replaces one at a time, v3 three at a time', async () => {
    const v1 = await fixtureJob('s1-nomad-rolling/v1', { count: 3, update: fast });
    const first = h.engine.submit({ job: v1.job, source: cli, sourceText: v1.text });
    expect(await h.engine.waitForDeployment(first.deployment!.id, 60_000)).toMatchObject({ status: 'successful', description: 'Deployment completed successfully' });
    expect(await runningImages(runId, 'update-demo-webapp')).toEqual(Array(3).fill('hashicorp/demo-webapp:v1'));

    const v2 = await fixtureJob('s1-nomad-rolling/v2', { count: 3, update: fast });
    const second = h.engine.submit({ job: v2.job, source: cli, sourceText: v2.text });
    expect(await h.engine.waitForDeployment(second.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    expect(await runningImages(runId, 'update-demo-webapp')).toEqual(Array(3).fill('hashicorp/demo-webapp:v2'));

    const v3 = await fixtureJob('s1-nomad-rolling/v3', { count: 3, update: { ...fast, minHealthyTimeMs: 500 } });
    const third = h.engine.submit({ job: v3.job, source: cli, sourceText: v3.text });
    expect(await h.engine.waitForDeployment(third.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    expect(await runningImages(runId, 'update-demo-webapp')).toEqual(Array(3).fill('hashicorp/demo-webapp:v1'));
    expect(h.store.listVersions('update-demo-webapp').map((v) => v.stable)).toEqual([true, true, true]);
  });
});

describe('S4: Nomad auto-revert on Docker', () => {
  const harness = useHarness();
  let h: Harness;
  let runId: string;
  beforeAll(async () => {
    h = harness();
    runId = h.runId;
  });

  it('a failing version is reverted to the last stable one as a new version', async () => {
    // Long enough for the revert's deployment to finish on a loaded CI machine; the broken version fails at it.
    const scale = { count: 4, update: { ...fast, healthyDeadlineMs: 10_000, progressDeadlineMs: 20_000 }, restartDelayMs: 500 };
    for (const v of ['v0', 'v1']) {
      const { job, text } = await fixtureJob(`s4-nomad-auto-revert/${v}`, scale);
      const submitted = h.engine.submit({ job, source: cli, sourceText: text });
      expect(await h.engine.waitForDeployment(submitted.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    }
    const broken = await fixtureJob('s4-nomad-auto-revert/v2', scale);
    const submitted = h.engine.submit({ job: broken.job, source: cli, sourceText: broken.text });
    expect(await h.engine.waitForDeployment(submitted.deployment!.id, 60_000)).toMatchObject({
      status: 'failed',
      description: 'Failed due to unhealthy allocations - rolling back to job version 1',
    });
    const revert = h.store.listDeployments('geo-api-server')[0]!;
    expect(revert.jobVersion).toBe(3);
    expect(await h.engine.waitForDeployment(revert.id, 60_000)).toMatchObject({ status: 'successful' });
    expect(h.store.listVersions('geo-api-server').map((v) => [v.version, v.stable, v.job.groups[0]!.tasks[0]!.image])).toEqual([
      [3, true, 'geo-api-server:0.2'],
      [2, false, 'geo-api-server:0.33'],
      [1, true, 'geo-api-server:0.2'],
      [0, true, 'geo-api-server:0.1'],
    ]);
    expect(await runningImages(runId, 'geo-api-server')).toEqual(Array(4).fill('geo-api-server:0.2'));

    // The failed spec is remembered: pushed again from Git, it is refused; a person may still run it.
    const again = { job: broken.job, source: { ...cli, kind: 'git' as const, commit: 'abc1234' }, sourceText: broken.text };
    expect(() => h.engine.submit(again)).toThrow('this spec failed before and was rolled back');
    expect(h.store.listVersions('geo-api-server')).toHaveLength(4);
  });
});
