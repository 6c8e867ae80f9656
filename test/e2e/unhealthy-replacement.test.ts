// After a deployment, most of a job's allocations fail their HEALTHCHECK at once
// while their containers keep running (as on an overloaded host where the checks
// time out): on the real Docker engine, they are replaced within the group's
// budget (max_parallel 1), and an allocation stays healthy throughout.
import type { DeckhandEvent } from '../../src/model/events.js';
import { docker, httpGet } from '../runtime/support.js';
import { cli, containersOf, fixtureJob, useHarness, waitForEvent } from './support.js';

type AllocationEvent = Extract<DeckhandEvent, { type: 'allocation' }>;

/** The demo image's HEALTHCHECK fetches its page: with the page gone it fails, and the server runs on. */
async function breakHealthcheck(containerId: string): Promise<void> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: ['rm', '/www/index.html'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
    stream.resume();
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`rm /www/index.html in ${containerId.slice(0, 12)} exited with ${ExitCode}`);
}

describe('unhealthy allocations after a deployment, on Docker', () => {
  const harness = useHarness();

  it('three of four failing their HEALTHCHECK at once are replaced one at a time; the fourth stays healthy', async () => {
    const h = harness();
    // A replacement is healthy 4 s after its check first passes: the other two turn unhealthy well before, and must wait.
    const { job, text } = await fixtureJob('s1-nomad-rolling/v1', { count: 4, update: { minHealthyTimeMs: 4_000, healthyDeadlineMs: 30_000, progressDeadlineMs: 60_000 }, restartDelayMs: 500 });
    expect(job.groups[0]!.update).toMatchObject({ maxParallel: 1, order: 'stop-first', healthCheck: 'checks' });
    const submitted = h.engine.submit({ job, source: cli, sourceText: text });
    expect(await h.engine.waitForDeployment(submitted.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });

    const before = (await containersOf(h.runId, job.id)).sort((a, b) => a.index - b.index);
    expect(before.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    const victims = before.slice(0, 3);
    const survivor = before[3]!;
    const mark = h.events.length;
    await Promise.all(victims.map((c) => breakHealthcheck(c.id)));

    const mine = () => h.events.slice(mark).filter((e): e is AllocationEvent => e.type === 'allocation' && e.jobId === job.id);
    const healthyReplacements = () => mine().filter((e) => / is healthy$/.test(e.message)).length;
    await waitForEvent(h, () => victims.every((v) => mine().some((e) => e.allocation.id === v.alloc && e.message.includes(' stopped: '))) && healthyReplacements() >= 3, 150_000);

    // Replayed from the engine's events: replacements under way at once, and allocations that run.
    const placed = new Set<string>();
    const underWay = new Set<string>();
    const running = new Set(before.map((c) => c.alloc));
    let most = 0;
    let fewest = running.size;
    for (const e of mine()) {
      const id = e.allocation.id;
      if (e.message.startsWith('placing allocation')) {
        placed.add(id);
        underWay.add(id);
      } else if (/ started$/.test(e.message)) running.add(id);
      else if (/ is healthy$/.test(e.message)) underWay.delete(id);
      else if (e.message.includes(' stopped: ')) {
        underWay.delete(id);
        running.delete(id);
      }
      most = Math.max(most, underWay.size);
      fewest = Math.min(fewest, running.size);
    }
    expect(most).toBe(1);
    expect(fewest).toBe(3);
    expect(placed.size).toBeGreaterThanOrEqual(3);

    const stops = mine().filter((e) => e.message.includes(' stopped: '));
    for (const v of victims) {
      expect(stops.find((e) => e.allocation.id === v.alloc)?.message).toBe(
        `allocation ${v.alloc.slice(0, 8)} stopped: unhealthy (task "server" is unhealthy (its HEALTHCHECK fails)): replaced, 1 of 1 replacements under way (max_parallel 1)`,
      );
    }
    // The ones that had to wait said so, once each.
    const notes = mine().filter((e) => e.message.includes('waiting to replace it'));
    expect(notes.length).toBeGreaterThanOrEqual(1);
    for (const n of notes) {
      expect(n.message).toBe(`allocation ${n.allocation.id.slice(0, 8)} unhealthy (task "server" is unhealthy (its HEALTHCHECK fails)): waiting to replace it, 1 of 1 replacements under way (max_parallel 1)`);
    }
    expect(new Set(notes.map((n) => n.allocation.id)).size).toBe(notes.length);

    // The survivor was never touched, and serves; every index has a healthy allocation again.
    expect(mine().filter((e) => e.allocation.id === survivor.alloc)).toEqual([]);
    const after = await containersOf(h.runId, job.id);
    expect(after.map((c) => c.index).sort()).toEqual([0, 1, 2, 3]);
    expect(after.map((c) => c.id)).toContain(survivor.id);
    expect(after.map((c) => c.id).filter((id) => victims.some((v) => v.id === id))).toEqual([]);
    const survivorRecord = h.store.getAllocation(survivor.alloc)!;
    expect(await httpGet(survivorRecord.ports.http!)).toEqual({ status: 200, body: 'version v1\n' });
    expect(h.store.listAllocations(job.id).filter((a) => a.desired === 'run').map((a) => a.healthy)).toEqual([true, true, true, true]);
  }, 180_000);
});
