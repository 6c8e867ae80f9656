// An agent that dies while it stops an allocation, after Docker removed the
// containers but before the allocation's own volume and files were released: on
// the real engine, the restarted engine finishes that stop, so nothing it made for
// the allocation is left behind (an emptyDir volume used to stay forever).
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, newRunId, removeRunContainers, testLabel } from '../runtime/support.js';
import { openStore } from '../../src/store/sqlite-store.js';
import { cli, containersOf, fixtureJob, startHarness, waitForEvent } from './support.js';
import type { Harness } from './support.js';

const runId = newRunId();
const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-stop-cut-short-'));
let harness: Harness | undefined;

afterAll(async () => {
  await harness?.close();
  await removeRunContainers(runId);
});

async function allocationVolumes(allocId: string): Promise<string[]> {
  const { Volumes: listed } = await docker.listVolumes({ filters: { label: [`${testLabel}=${runId}`, `deckhand.alloc=${allocId}`] } });
  return (listed ?? []).map((v) => v.Name);
}

it('a stop cut short after its containers were removed releases the allocation volume and files when the engine starts again', async () => {
  harness = await startHarness(runId, dataDir);
  const { job, text } = await fixtureJob('s1-nomad-rolling/v1', { count: 1, update: { minHealthyTimeMs: 0, healthyDeadlineMs: 30_000, progressDeadlineMs: 60_000 } });
  const task = job.groups[0]!.tasks[0]!;
  task.mounts = [...(task.mounts ?? []), { type: 'empty', source: 'scratch', target: '/scratch', readOnly: false }];
  task.files = [...(task.files ?? []), { target: '/run/secrets/token', content: 'not-a-real-token', mode: 0o400, sensitive: true }];
  const submitted = harness.engine.submit({ job, source: cli, sourceText: text });
  expect(await harness.engine.waitForDeployment(submitted.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });

  const [running] = await containersOf(runId, job.id);
  const allocId = running!.alloc;
  // Nomad's /alloc and /local, and the emptyDir-like scratch volume.
  expect(await allocationVolumes(allocId)).toEqual(expect.arrayContaining([expect.stringMatching(/-scratch-/), expect.stringMatching(/-nomad-alloc-/)]));
  const filesDir = join(dataDir, 'files');
  expect(readdirSync(filesDir).some((name) => name.includes(allocId))).toBe(true);

  // The agent dies mid-stop: the record says "stop", Docker has already removed the container.
  await harness.close();
  harness = undefined;
  const store = openStore(dataDir);
  const record = store.listAllocations(job.id).find((a) => a.id === allocId)!;
  store.putAllocation({ ...record, desired: 'stop' });
  store.close();
  await docker.getContainer(running!.id).remove({ force: true });

  harness = await startHarness(runId, dataDir);
  // Recovery runs before the job's next round: once a new allocation takes the slot, the stop was finished.
  await waitForEvent(harness, (e) => e.type === 'allocation' && e.jobId === job.id && e.allocation.id !== allocId);
  expect(harness.store.listAllocations(job.id).find((a) => a.id === allocId)).toMatchObject({ desired: 'stop', status: 'complete' });
  expect(await allocationVolumes(allocId)).toEqual([]);
  expect(existsSync(filesDir) ? readdirSync(filesDir).filter((name) => name.includes(allocId)) : []).toEqual([]);
});
