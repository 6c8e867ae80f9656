// Faults of what an allocation needs, through the rollout engine on the real
// Docker engine: a port another process holds (dynamic ports skip it, a static
// one fails the allocation with a clear message), a task that exits at once, an
// image whose HEALTHCHECK never passes. (A missing image: S2 and S5 in test/e2e.)
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Job } from '../../src/model/job.js';
import { isPortFree } from '../../src/runtime/ports.js';
import type { Harness } from '../e2e/support.js';
import { cli, containersOf, fixtureJob, startHarness } from '../e2e/support.js';
import { httpGet, newRunId, removeRunContainers } from './support.js';

const fast = { minHealthyTimeMs: 500, healthyDeadlineMs: 20_000 };

/** A server of the test's own on 127.0.0.1, answering "not deckhand" to anything. */
async function listen(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.end('HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nnot deckhand');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, resolve);
  });
  return { server, port: (server.address() as { port: number }).port };
}

const sockets = new Set<Socket>();
const close = (server: Server) =>
  new Promise((resolve) => {
    server.close(resolve);
    for (const socket of sockets) socket.destroy();
  });

/** A held port whose neighbour is free: a range of two where the first is taken. */
async function heldPortWithFreeNeighbour(): Promise<{ server: Server; port: number }> {
  for (;;) {
    const held = await listen();
    if (held.port < 65535 && (await isPortFree(held.port + 1))) return held;
    await close(held.server);
  }
}

function renamed(job: Job, id: string): Job {
  return { ...job, id };
}

/**
 * The demo image's HEALTHCHECK gives its probe one second, which a loaded machine
 * sometimes misses: where that check is not what a test is about, it is turned off
 * and the task's state (or the job's http check) tells health.
 */
function withoutImageHealthcheck(job: Job): Job {
  for (const group of job.groups) for (const task of group.tasks) task.imageHealthcheck = 'disable';
  return job;
}

describe('a port taken by another process', () => {
  const runId = newRunId();
  let held: { server: Server; port: number };
  let h: Harness;
  beforeAll(async () => {
    held = await heldPortWithFreeNeighbour();
    h = await startHarness(runId, undefined, { driver: { portRange: { min: held.port, max: held.port + 1 } } });
  });
  afterAll(async () => {
    await h?.close();
    await removeRunContainers(runId);
    if (held) await close(held.server);
  });

  it('is skipped for a dynamic port; with none left the allocation fails saying so', async () => {
    const { job, text } = await fixtureJob('s1-nomad-rolling/v1', { count: 2, update: { ...fast, progressDeadlineMs: 4_000, healthCheck: 'task_states' }, restartDelayMs: 500 });
    withoutImageHealthcheck(job);
    const submitted = h.engine.submit({ job, source: cli, sourceText: text });
    const ended = await h.engine.waitForDeployment(submitted.deployment!.id, 60_000);
    expect(ended).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations' });

    const running = await containersOf(runId, job.id);
    expect(running).toHaveLength(1);
    const allocation = h.store.listAllocations(job.id).find((a) => a.id === running[0]!.alloc)!;
    expect(allocation.ports).toEqual({ http: held.port + 1 });
    expect(await httpGet(held.port + 1)).toEqual({ status: 200, body: 'version v1\n' });
    const failed = h.store.listAllocations(job.id).filter((a) => a.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    const message = `no free port left in ${held.port}-${held.port + 1} (1 held by allocations, 1 in use by other processes on the host)`;
    for (const a of failed) expect(a.description).toBe(message);
    // The other process was left alone.
    expect(await httpGet(held.port)).toEqual({ status: 200, body: 'not deckhand' });
  });

  it('fails a static port with a clear message instead of starting a task that cannot bind it', async () => {
    const { job, text } = await fixtureJob('s1-nomad-rolling/v1', { count: 1, update: { ...fast, progressDeadlineMs: 3_000, healthCheck: 'task_states' }, restartDelayMs: 500 });
    const fixed = withoutImageHealthcheck(renamed(job, 'static-port'));
    fixed.groups[0]!.tasks[0]!.ports = [{ label: 'http', static: held.port, to: null }];
    const submitted = h.engine.submit({ job: fixed, source: cli, sourceText: text });
    const ended = await h.engine.waitForDeployment(submitted.deployment!.id, 60_000);
    expect(ended).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations' });
    const allocations = h.store.listAllocations('static-port');
    expect(allocations.length).toBeGreaterThan(0);
    for (const a of allocations) expect(a).toMatchObject({ status: 'failed', description: `port ${held.port} (http) is in use on the host by another process` });
    expect(await containersOf(runId, 'static-port')).toEqual([]);
    expect(await httpGet(held.port)).toEqual({ status: 200, body: 'not deckhand' });
  });
});

describe('tasks that cannot become healthy', () => {
  const runId = newRunId();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(runId);
  });
  afterAll(async () => {
    await h?.close();
    await removeRunContainers(runId);
  });

  /** v0 good, then a broken v1: its deployment fails and auto-revert brings v0 back as v2. */
  async function brokenUpdate(id: string, breakIt: (job: Job) => void): Promise<void> {
    const scale = { count: 2, update: { ...fast, progressDeadlineMs: 30_000 }, restartDelayMs: 500 };
    const good = await fixtureJob('s4-nomad-auto-revert/v1', scale);
    const first = h.engine.submit({ job: withoutImageHealthcheck(renamed(good.job, id)), source: cli, sourceText: good.text });
    expect(await h.engine.waitForDeployment(first.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });

    // Fails fast on the first unhealthy allocation, as Swarm does with max_failure_ratio 0.
    const broken = withoutImageHealthcheck(renamed(structuredClone(good.job), id));
    broken.groups[0]!.update = { ...broken.groups[0]!.update, onUnhealthy: 'fail' };
    breakIt(broken);
    const second = h.engine.submit({ job: broken, source: cli, sourceText: null });
    expect(await h.engine.waitForDeployment(second.deployment!.id, 60_000)).toMatchObject({
      status: 'failed',
      description: 'Failed due to unhealthy allocations - rolling back to job version 0',
    });
    const revert = h.store.listDeployments(id)[0]!;
    expect(revert.jobVersion).toBe(2);
    expect(await h.engine.waitForDeployment(revert.id, 60_000)).toMatchObject({ status: 'successful' });
    expect((await containersOf(runId, id)).map((c) => c.image)).toEqual(['geo-api-server:0.2', 'geo-api-server:0.2']);
  }

  const unhealthyOf = (id: string, version: number) => h.store.listAllocations(id).filter((a) => a.jobVersion === version && a.healthy === false);

  it('a task that exits at once fails its allocation with its exit code, and the job reverts', async () => {
    await brokenUpdate('exits-at-once', (job) => {
      job.groups[0]!.tasks[0] = { ...job.groups[0]!.tasks[0]!, command: '/bin/sh', args: ['-c', 'exit 3'] };
    });
    const unhealthy = unhealthyOf('exits-at-once', 1);
    expect(unhealthy.length).toBeGreaterThan(0);
    for (const a of unhealthy) expect(a.description).toMatch(/^task "server" (exited with code 3|restarted)/);
  });

  it('a HEALTHCHECK that never passes fails its allocation, though the task serves, and the job reverts', async () => {
    await brokenUpdate('never-healthy', (job) => {
      job.groups[0]!.tasks[0] = { ...job.groups[0]!.tasks[0]!, image: 'deckhand-demo:unhealthy', imageHealthcheck: 'use' };
    });
    const unhealthy = unhealthyOf('never-healthy', 1);
    expect(unhealthy.length).toBeGreaterThan(0);
    for (const a of unhealthy) expect(a.description).toBe('task "server" is unhealthy (its HEALTHCHECK fails)');
  });
});
