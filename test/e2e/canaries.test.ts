// S2 and S3 of shared/SCENARIOS.md on the real Docker engine, scaled down.
import type { Harness } from './support.js';
import { cli, containersOf, fixtureJob, waitForEvent, useHarness } from './support.js';

const scale = (update: Record<string, unknown>) => ({ count: 4, update: { minHealthyTimeMs: 500, healthyDeadlineMs: 3_000, progressDeadlineMs: 5_000, ...update }, restartDelayMs: 500 });

describe('S2/S3: Nomad canaries on Docker', () => {
  const harness = useHarness();
  let h: Harness;
  let runId: string;
  beforeAll(async () => {
    h = harness();
    runId = h.runId;
    const v1 = await fixtureJob('s1-nomad-rolling/v1', scale({}));
    const first = h.engine.submit({ job: v1.job, source: cli, sourceText: v1.text });
    await h.engine.waitForDeployment(first.deployment!.id, 60_000);
  });

  it('S2: failing canaries never get promoted, the old allocations keep serving, the deployment fails at its deadline', async () => {
    const v4 = await fixtureJob('s2-nomad-canary-fail/v4', scale({ canary: 3 }));
    const started = Date.now();
    const submitted = h.engine.submit({ job: v4.job, source: cli, sourceText: v4.text });
    const ended = await h.engine.waitForDeployment(submitted.deployment!.id, 60_000);
    expect(ended).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations' });
    expect(ended.groups[0]).toMatchObject({ promoted: false, desiredCanaries: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    // A canary placed just before the deadline may still be pulling when the deployment fails (placements run beside the job's rounds).
    await h.engine.settled('update-demo-webapp');
    const canaries = h.store.listAllocations('update-demo-webapp').filter((a) => a.canary);
    expect(canaries.length).toBeGreaterThanOrEqual(3);
    expect(canaries.every((a) => a.status === 'failed' && /No such image: dummy\/dummy:v99.9/.test(a.description))).toBe(true);
    expect((await containersOf(runId, 'update-demo-webapp')).map((c) => c.image)).toEqual(Array(4).fill('hashicorp/demo-webapp:v1'));
  });

  it('S3: healthy canaries wait for promotion; promote replaces the rest, ending at exactly the count', async () => {
    const v5 = await fixtureJob('s3-nomad-canary-promote/v5', scale({ canary: 2, maxParallel: 2, progressDeadlineMs: 30_000, healthyDeadlineMs: 10_000 }));
    const submitted = h.engine.submit({ job: v5.job, source: cli, sourceText: v5.text });
    const id = submitted.deployment!.id;
    await waitForEvent(h, (e) => e.type === 'deployment' && e.deployment.id === id && e.deployment.description === 'Deployment is running but requires manual promotion');
    const waiting = await containersOf(runId, 'update-demo-webapp');
    expect(waiting.map((c) => c.image).sort()).toEqual([...Array(4).fill('hashicorp/demo-webapp:v1'), ...Array(2).fill('hashicorp/demo-webapp:v2')]);
    expect(h.store.getDeployment(id)!.status).toBe('running');

    h.engine.promote('update-demo-webapp');
    expect(await h.engine.waitForDeployment(id, 60_000)).toMatchObject({ status: 'successful', description: 'Deployment completed successfully' });
    expect((await containersOf(runId, 'update-demo-webapp')).map((c) => c.image)).toEqual(Array(4).fill('hashicorp/demo-webapp:v2'));
    expect(() => h.engine.promote('update-demo-webapp')).toThrow('has no running deployment to promote');
  });
});
