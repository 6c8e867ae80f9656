// The seeds' Nomad job files, unchanged but scaled down, on a three-node test swarm
// with the rollout engine and the Swarm driver: S1 (seed 000: ten allocations of a
// web app on dynamic ports of the host's network, `${NOMAD_PORT_http}`). Each
// allocation listens on a port deckhand chose on its node; a curl reaches it there.
// (S4's seed, whose new image no node can pull, made the test swarm's manager reset
// and refuse connections under load in three runs of five: left out until that is
// understood; auto-revert on the swarm is in rollout.test.ts.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoImageV1, demoImageV2 } from '../../src/demo/images.js';
import type { Job, UpdateStrategy } from '../../src/model/job.js';
import { defaultJobLimits } from '../../src/render/index.js';
import { renderPath } from '../../src/render/tree.js';
import { RolloutEngine } from '../../src/rollout/engine.js';
import { SwarmDriver, swarmSupport } from '../../src/runtime/swarm/index.js';
import type { SwarmAllocationObservation } from '../../src/runtime/swarm/index.js';
import { openStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { readDirectoryTree } from '../../src/sync/directory.js';
import { SwarmCluster } from '../support/swarm/cluster.js';
import { ensureDemoImages, httpGet, testLabel } from '../runtime/support.js';

const cli = { kind: 'cli' as const, commit: null, file: null, author: null, message: null, revertOf: null };
const engineErrors: unknown[] = [];

let cluster: SwarmCluster;
let store: Store;
let driver: SwarmDriver;
let engine: RolloutEngine;

beforeAll(async () => {
  await ensureDemoImages();
  // The seeds' image names are the demo images' aliases (src/demo/images.ts).
  cluster = await SwarmCluster.start({ nodes: 3, images: [demoImageV1, demoImageV2, 'hashicorp/demo-webapp:v1', 'hashicorp/demo-webapp:v2', 'geo-api-server:0.1', 'geo-api-server:0.2'], heartbeatMs: 1000 });
  store = openStore(mkdtempSync(join(tmpdir(), 'deckhand-swarm-seeds-')));
  const onError = (error: unknown, context: string) => {
    engineErrors.push(error);
    console.error(`engine error while ${context}:`, error);
  };
  driver = new SwarmDriver({ docker: cluster.manager.docker, address: 'the test swarm', labels: { [testLabel]: cluster.runId }, stopTimeoutSeconds: 1, pollIntervalMs: 500, stopPollMs: 100, onError });
  engine = new RolloutEngine({ store, driver, onError });
  await engine.start();
}, 120_000);

afterEach(() => {
  expect(engineErrors).toEqual([]);
});

afterAll(async () => {
  await engine?.close();
  await driver?.close();
  store?.close();
  await cluster?.destroy();
}, 60_000);

/** A seed's job file rendered as the agent does under `--runtime swarm`, then scaled down: fewer allocations, shorter waits. */
async function seed(folder: string, scale: { count: number; update: Partial<UpdateStrategy> }): Promise<{ job: Job; text: string }> {
  const root = join(process.cwd(), 'fixtures', folder);
  const tree = await readDirectoryTree(root);
  const path = [...tree.files.keys()].find((p) => !p.endsWith('.golden.json'))!;
  const result = renderPath(tree, path, { env: {}, vars: {}, varFiles: [], limits: { ...defaultJobLimits, runtimeSupport: swarmSupport } });
  if (result.jobs.length !== 1) throw new Error(`${folder}: ${result.diagnostics.map((d) => `${d.file}:${d.line}: ${d.field}: ${d.message}`).join('; ')}`);
  const job = structuredClone(result.jobs[0]!.job);
  for (const group of job.groups) {
    group.count = scale.count;
    group.update = { ...group.update, ...scale.update };
    group.restart = { ...group.restart, delayMs: 500 };
    for (const task of group.tasks) task.checks = task.checks.map((c) => ({ ...c, intervalMs: 500, timeoutMs: 500 }));
  }
  return { job, text: tree.files.get(path)!.toString() };
}

/** What each allocation of the job answers on its node's address and port. */
async function answers(jobId: string): Promise<string[]> {
  const observed = (await driver.observe()).filter((alloc) => alloc.jobId === jobId) as SwarmAllocationObservation[];
  return Promise.all(
    observed.map(async (alloc) => {
      const address = alloc.addresses.http!;
      const answer = await httpGet(address.port, '/', address.host);
      return `${answer.status} ${answer.body.trim()}`;
    }),
  );
}

describe("the seeds' Nomad jobs on a three-node swarm", () => {
  it('S1: a rolling update of the web app on dynamic ports of the nodes, every allocation answering on its own port', async () => {
    const scale = { count: 4, update: { maxParallel: 2, minHealthyTimeMs: 500, healthyDeadlineMs: 15_000, progressDeadlineMs: 30_000 } };
    const v1 = await seed('s1-nomad-rolling/v1', scale);
    const first = engine.submit({ job: v1.job, source: cli, sourceText: v1.text });
    expect(await engine.waitForDeployment(first.deployment!.id, 90_000)).toMatchObject({ status: 'successful' });
    expect((await answers('update-demo-webapp')).sort()).toEqual(Array(4).fill(expect.stringMatching(/version v1/)));

    const v2 = await seed('s1-nomad-rolling/v2', scale);
    const second = engine.submit({ job: v2.job, source: cli, sourceText: v2.text });
    expect(await engine.waitForDeployment(second.deployment!.id, 120_000)).toMatchObject({ status: 'successful' });
    const observed = (await driver.observe()).filter((alloc) => alloc.jobId === 'update-demo-webapp');
    expect(observed.map((alloc) => alloc.jobVersion)).toEqual(Array(4).fill(second.version.version));
    // Four ports of their own, spread over the nodes.
    expect(new Set(observed.map((alloc) => alloc.ports.http)).size).toBe(4);
    expect(await answers('update-demo-webapp')).toEqual(Array(4).fill(expect.stringMatching(/version v2/)));
  }, 300_000);
});
