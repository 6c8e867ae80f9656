// Faults of the Docker engine itself, on a dockerd of the test's own (never the
// machine's, which others use): restarted in the middle of a rollout, and not
// answering when deckhand starts. The rollout engine must conclude nothing from
// an engine that does not answer, wait for it with backoff, and resume. That
// dockerd lives in a network namespace of its own: its containers publish on the
// namespace's end of a veth pair, which this process reaches.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startEngineWithRetry } from '../../src/agent/engine-start.js';
import { buildDemoImages } from '../../src/demo/images.js';
import { RuntimeUnavailableError } from '../../src/runtime/driver.js';
import type { Harness } from '../e2e/support.js';
import { cli, containersOf, fixtureJob, startHarness, waitForEvent } from '../e2e/support.js';
import { PrivateDockerd } from '../support/private-dockerd.js';
import { httpGet, newRunId, testLabel } from './support.js';

const jobId = 'update-demo-webapp';
// Deadlines far away: these tests are about the engine going away, not about deadlines, and a loaded machine is slow.
const scale = { count: 3, update: { maxParallel: 2, minHealthyTimeMs: 500, healthyDeadlineMs: 60_000, progressDeadlineMs: 120_000 } };
// Short backoffs: the test waits for the engine to come back, not for a production-sized delay.
const fastRetries = { driver: { reconnectDelayMs: { initial: 100, max: 1_000 } }, engine: { runtimeRetryDelayMs: { initial: 100, max: 1_000 } } };

let dockerd: PrivateDockerd;
const harnesses: Harness[] = [];

beforeAll(async () => {
  dockerd = new PrivateDockerd();
  await dockerd.start();
  await buildDemoImages(dockerd.docker);
}, 90_000);

afterAll(async () => {
  for (const h of harnesses) await h.close().catch(() => undefined);
  await dockerd?.destroy();
  for (const h of harnesses) rmSync(h.dataDir, { recursive: true, force: true });
}, 60_000);

async function harness(runId: string, dataDir = mkdtempSync(join(tmpdir(), 'deckhand-faults-')), start = true): Promise<Harness> {
  const driver = { ...fastRetries.driver, publishAddress: dockerd.address };
  const h = await startHarness(runId, dataDir, { docker: dockerd.docker, ...fastRetries, driver, start });
  const close = h.close;
  let closing: Promise<void> | null = null;
  h.close = () => (closing ??= close());
  harnesses.push(h);
  return h;
}

async function removeContainers(runId: string): Promise<void> {
  const listed = await dockerd.docker.listContainers({ all: true, filters: { label: [`${testLabel}=${runId}`] } });
  await Promise.all(listed.map((c) => dockerd.docker.getContainer(c.Id).remove({ force: true })));
}

async function deploy(h: Harness, version: 'v1' | 'v2'): Promise<string> {
  const { job, text } = await fixtureJob(`s1-nomad-rolling/${version}`, scale);
  const submitted = h.engine.submit({ job, source: cli, sourceText: text });
  return submitted.deployment!.id;
}

describe('the Docker engine restarted in the middle of a rollout', () => {
  it('waits for it, places again what was cut short, and the rollout succeeds without counting the outage against it', async () => {
    const runId = newRunId();
    const h = await harness(runId);
    const first = await deploy(h, 'v1');
    expect(await h.engine.waitForDeployment(first, 60_000)).toMatchObject({ status: 'successful' });

    const second = await deploy(h, 'v2');
    await waitForEvent(h, (e) => e.type === 'allocation' && e.allocation.deploymentId === second && e.message.startsWith('placing'));
    // `systemctl restart docker`: SIGTERM stops every container, then the engine comes back and restarts them by their restart policy.
    await dockerd.stop();
    await waitForEvent(h, (e) => e.type === 'runtime' && /does not answer/.test(e.message), 15_000);
    expect(h.engine.runtimeAvailable).toBe(false);
    await dockerd.start();
    await waitForEvent(h, (e) => e.type === 'runtime' && e.message.startsWith('the runtime answers again'), 15_000);

    const ended = await h.engine.waitForDeployment(second, 60_000);
    expect(ended).toMatchObject({ status: 'successful', description: 'Deployment completed successfully' });
    expect(ended.groups[0]!.unhealthy).toBe(0);
    const ofSecond = h.store.listAllocations(jobId).filter((a) => a.deploymentId === second);
    expect(ofSecond.filter((a) => a.status === 'failed')).toEqual([]);
    const running = await containersOf(runId, jobId, dockerd.docker);
    expect(running.map((c) => c.image)).toEqual(Array(3).fill('hashicorp/demo-webapp:v2'));
    expect(running.map((c) => c.index).sort()).toEqual([0, 1, 2]);
    // Every container belongs to an allocation that should run, and each of those has its container.
    const shouldRun = h.store.listAllocations(jobId).filter((a) => a.desired === 'run');
    expect(shouldRun.map((a) => a.id).sort()).toEqual(running.map((c) => c.alloc).sort());
    const all = await dockerd.docker.listContainers({ all: true, filters: { label: [`deckhand-test.run=${runId}`] } });
    expect(all).toHaveLength(3);
    // Each answers from the host on its published port, through the namespace's address.
    for (const allocation of shouldRun) expect(await httpGet(allocation.ports.http!, '/', dockerd.address)).toEqual({ status: 200, body: 'version v2\n' });
    // The job's bridge is the namespace's, not the host's.
    const [network] = await dockerd.docker.listNetworks({ filters: { label: [`deckhand-test.run=${runId}`] } });
    const bridge = `br-${network!.Id.slice(0, 12)}`;
    expect(existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    await expect(promisify(execFile)('ip', ['-n', dockerd.namespace, 'link', 'show', bridge])).resolves.toBeDefined();
    await h.close();
    await removeContainers(runId);
  });
});

describe('the Docker engine unreachable when deckhand starts', () => {
  it('says where it looked, retries with backoff, changes nothing meanwhile, then adopts what runs', async () => {
    const runId = newRunId();
    const before = await harness(runId);
    const deployment = await deploy(before, 'v1');
    expect(await before.engine.waitForDeployment(deployment, 60_000)).toMatchObject({ status: 'successful' });
    const containers = (await containersOf(runId, jobId, dockerd.docker)).map((c) => c.id).sort();
    const records = before.store.listAllocations(jobId);
    const dataDir = before.dataDir;
    await before.close();

    await dockerd.stop();
    const after = await harness(runId, dataDir, false);
    // start() alone: one attempt, a clear error, nothing recorded.
    const error = await after.engine.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`^the Docker engine at unix://${dockerd.socketPath} does not answer \\((ENOENT|ECONNREFUSED)\\)$`));
    expect(after.store.listAllocations(jobId)).toEqual(records);

    // The agent's start: retried with growing delays until the engine answers.
    const warnings: string[] = [];
    let onWarning = () => {};
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          warnings.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
          onWarning();
          callback();
        },
      }),
    );
    const closing = new AbortController();
    const started = startEngineWithRetry(after.engine, logger, closing.signal);
    try {
      await new Promise<void>((resolve) => {
        onWarning = () => warnings.length >= 3 && resolve();
        onWarning();
      });
      for (const warning of warnings) expect(warning).toContain(`the Docker engine at unix://${dockerd.socketPath} does not answer`);
      const delays = warnings.map((w) => Number(/retrying in ([\d.]+) ?s/.exec(w)?.[1]));
      expect(delays[1]).toBeGreaterThan(delays[0]!);
      expect(delays[2]).toBeGreaterThan(delays[1]!);
      expect(after.store.listAllocations(jobId)).toEqual(records);
      await dockerd.start();
      await started;
    } finally {
      closing.abort();
    }
    expect(after.engine.runtimeAvailable).toBe(true);
    await after.engine.settled(jobId);

    // The same containers (the engine restarted them by their policy), the same records, nothing placed or stopped.
    expect((await containersOf(runId, jobId, dockerd.docker)).map((c) => c.id).sort()).toEqual(containers);
    expect(after.store.listAllocations(jobId).map((a) => [a.id, a.desired, a.status])).toEqual(records.map((a) => [a.id, a.desired, a.status]));
    expect(after.events.filter((e) => e.type === 'allocation')).toEqual([]);
    expect(after.store.listDeployments(jobId)).toHaveLength(1);
  });
});
