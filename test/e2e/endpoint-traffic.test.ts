// Issue 13 on the real engine: an image that always listens on port 80, three
// replicas behind one published endpoint served by the edge (a process apart),
// and a load loop against that endpoint during every kind of rollout. Every
// request must be answered, and by a healthy allocation of an expected version.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEdge } from '../../src/agent/edge.js';
import { fixedPortImageUnhealthy, fixedPortImageV1, fixedPortImageV2 } from '../../src/demo/images.js';
import type { Job, UpdateStrategy } from '../../src/model/job.js';
import { freePort, killEdges } from '../edge/support.js';
import { startLoadLoop } from '../support/load-loop.js';
import type { LoadResult } from '../support/load-loop.js';
import { docker, eventually, httpGet, newRunId, task, testLabel } from '../runtime/support.js';
import { networkSuffixOf } from '../../src/runtime/docker/networks.js';
import { cli, removeRunContainers, startHarness, waitForEvent } from './support.js';
import type { Harness } from './support.js';
import pino from 'pino';
import { renderTree } from '../../src/render/tree.js';

const runId = newRunId();
const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-traffic-'));
const edgeDir = join(dataDir, 'edge');
const traffic = { address: '127.0.0.1', backendHost: '127.0.0.1', defaultKillTimeoutMs: 1000, edge: connectEdge(dataDir, pino({ level: 'silent' })) };
let h: Harness;

beforeAll(async () => {
  h = await startHarness(runId, dataDir, { engine: { traffic } });
});

afterAll(async () => {
  await h?.close();
  await killEdges([edgeDir]);
  await removeRunContainers(runId);
});

const baseUpdate: UpdateStrategy = {
  maxParallel: 1, canary: 0, autoPromote: false, autoRevert: false, minHealthyTimeMs: 300, monitorMs: 0, healthyDeadlineMs: 6_000, progressDeadlineMs: 20_000,
  healthCheck: 'checks', order: 'stop-first', delayMs: 0, failureAction: 'pause', maxFailureRatio: 0, onUnhealthy: 'replace', maxSurge: null, maxUnavailable: null,
};

function endpointJob(id: string, image: string, port: number, update: Partial<UpdateStrategy> = {}): Job {
  const web = task({
    name: 'web',
    image,
    ports: [{ label: 'http', static: null, to: 80 }],
    checks: [{ type: 'http', name: null, role: 'readiness', port: 'http', path: '/', method: 'GET', intervalMs: 200, timeoutMs: 500, retries: 1, startPeriodMs: 0 }],
    killTimeoutMs: 1000,
  });
  return {
    id, type: 'service', source: { format: 'compose', file: `${id}.yaml` }, meta: {}, historyLimit: null,
    networks: [{ name: 'default', dockerName: null, external: false }],
    endpoints: [{ port, group: 'web', task: 'web', portLabel: 'http', canaries: false }],
    groups: [{
      name: 'web', count: 3, update: { ...baseUpdate, ...update }, rollback: null,
      restart: { condition: 'any', maxAttempts: 0, delayMs: 200, windowMs: 0 },
      network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] }, meta: {}, tasks: [web],
    }],
  };
}

async function deploy(job: Job): Promise<string> {
  const submitted = h.engine.submit({ job, source: cli, sourceText: null });
  return submitted.deployment!.id;
}

/**
 * Every answer is "<version> <host name>" (the demo image's /who): the host name is
 * the container's, and must be one of an allocation of the job that was healthy,
 * of a version the test expects.
 */
function expectServedWell(result: LoadResult, jobId: string, versions: string[], inFlightAt?: number): void {
  if (inFlightAt === undefined) {
    expect({ failed: result.failed, errors: result.errors }).toEqual({ failed: 0, errors: [] });
  } else {
    // A request whose answer was under way when its container got SIGKILL cannot be
    // saved by any proxy that forwards as it reads (its first bytes already went out):
    // at most the ones in flight then. Every request sent after the kill is answered.
    expect(result.failures.filter((f) => f.sentAt >= inFlightAt)).toEqual([]);
    expect(result.failed).toBeLessThanOrEqual(clients);
  }
  expect(result.ok).toBeGreaterThan(0);
  const healthyHosts = new Set(h.store.listAllocations(jobId).filter((a) => a.healthyAt !== null).flatMap((a) => Object.values(a.containers).map((id) => id.slice(0, 12))));
  for (const body of result.bodies.keys()) {
    const [version, host] = body.split(' ');
    expect(versions).toContain(version);
    expect(healthyHosts.has(host!)).toBe(true);
  }
}

/** The load loop's clients: requests in flight at once. */
const clients = 4;

const versionsServed = (result: LoadResult) => [...new Set([...result.bodies.keys()].map((b) => b.split(' ')[0]))].sort();

describe('a published endpoint during rollouts: zero failed requests', () => {
  it('stop-first update', async () => {
    const port = await freePort();
    await h.engine.waitForDeployment(await deploy(endpointJob('stop-first', fixedPortImageV1, port)), 30_000);
    const load = startLoadLoop(port);
    await load.atLeast(20);
    const ended = await h.engine.waitForDeployment(await deploy(endpointJob('stop-first', fixedPortImageV2, port)), 60_000);
    await load.atLeast(20);
    const result = await load.stop();
    expect(ended.status).toBe('successful');
    expectServedWell(result, 'stop-first', ['fixed-v1', 'fixed-v2']);
    expect(versionsServed(result)).toEqual(['fixed-v1', 'fixed-v2']);
  }, 120_000);

  it('start-first update', async () => {
    const port = await freePort();
    await h.engine.waitForDeployment(await deploy(endpointJob('start-first', fixedPortImageV1, port, { order: 'start-first' })), 30_000);
    const load = startLoadLoop(port);
    await load.atLeast(20);
    const ended = await h.engine.waitForDeployment(await deploy(endpointJob('start-first', fixedPortImageV2, port, { order: 'start-first' })), 60_000);
    await load.atLeast(20);
    const result = await load.stop();
    expect(ended.status).toBe('successful');
    expectServedWell(result, 'start-first', ['fixed-v1', 'fixed-v2']);
  }, 120_000);

  it('canary, then promote: the canary gets no traffic until it is promoted', async () => {
    const port = await freePort();
    await h.engine.waitForDeployment(await deploy(endpointJob('canary', fixedPortImageV1, port, { canary: 1 })), 30_000);
    const load = startLoadLoop(port);
    const id = await deploy(endpointJob('canary', fixedPortImageV2, port, { canary: 1 }));
    await waitForEvent(h, (e) => e.type === 'deployment' && e.deployment.id === id && e.deployment.description === 'Deployment is running but requires manual promotion');
    await load.atLeast(30);
    const beforePromotion = await load.stop();
    expectServedWell(beforePromotion, 'canary', ['fixed-v1']);

    const after = startLoadLoop(port);
    h.engine.promote('canary');
    expect((await h.engine.waitForDeployment(id, 60_000)).status).toBe('successful');
    await after.atLeast(20);
    const result = await after.stop();
    expectServedWell(result, 'canary', ['fixed-v1', 'fixed-v2']);
    expect(versionsServed(result)).toContain('fixed-v2');
  }, 120_000);

  it('a failing version is auto-reverted without one request reaching it', async () => {
    const port = await freePort();
    const revert = { autoRevert: true, failureAction: 'rollback' as const, progressDeadlineMs: 8_000, healthyDeadlineMs: 4_000 };
    await h.engine.waitForDeployment(await deploy(endpointJob('reverted', fixedPortImageV1, port, revert)), 30_000);
    const load = startLoadLoop(port);
    const failed = await h.engine.waitForDeployment(await deploy(endpointJob('reverted', fixedPortImageUnhealthy, port, revert)), 60_000);
    expect(failed.status).toBe('failed');
    const rollback = await waitForEvent(h, (e) => e.type === 'deployment' && e.jobId === 'reverted' && e.deployment.id !== failed.id && e.deployment.jobVersion > failed.jobVersion);
    if (rollback.type !== 'deployment') throw new Error('not a deployment');
    expect((await h.engine.waitForDeployment(rollback.deployment.id, 60_000)).status).toBe('successful');
    await load.atLeast(20);
    const result = await load.stop();
    expectServedWell(result, 'reverted', ['fixed-v1']);
  }, 150_000);

  it('a container killed by hand', async () => {
    const port = await freePort();
    await h.engine.waitForDeployment(await deploy(endpointJob('killed', fixedPortImageV1, port)), 30_000);
    const load = startLoadLoop(port);
    await load.atLeast(20);
    const victim = h.store.listAllocations('killed').find((a) => a.status === 'running')!;
    await docker.getContainer(victim.containers.web!).kill();
    const killedAt = Date.now();
    await waitForEvent(h, (e) => e.type === 'allocation' && e.jobId === 'killed' && e.allocation.healthy === true && e.allocation.id !== victim.id && e.allocation.createdAt > victim.createdAt, 30_000)
      .catch(() => waitForEvent(h, (e) => e.type === 'allocation' && e.allocation.id === victim.id && e.allocation.healthy === true, 30_000));
    await load.atLeast(20);
    const result = await load.stop();
    expectServedWell(result, 'killed', ['fixed-v1'], killedAt);
  }, 120_000);

  it('the engine stopped in the middle of a rollout and started again: the edge serves throughout', async () => {
    const port = await freePort();
    await h.engine.waitForDeployment(await deploy(endpointJob('restarted', fixedPortImageV1, port)), 30_000);
    const load = startLoadLoop(port);
    const id = await deploy(endpointJob('restarted', fixedPortImageV2, port));
    await waitForEvent(h, (e) => e.type === 'allocation' && e.jobId === 'restarted' && e.allocation.jobVersion === 1 && e.allocation.healthy === true);
    await h.close();
    // No agent at all for a while: the edge keeps its table.
    await load.atLeast(30);
    h = await startHarness(runId, dataDir, { engine: { traffic } });
    expect((await h.engine.waitForDeployment(id, 60_000)).status).toBe('successful');
    await load.atLeast(20);
    const result = await load.stop();
    expectServedWell(result, 'restarted', ['fixed-v1', 'fixed-v2']);
  }, 150_000);
});

describe('a two-service stack', () => {
  it('web answers by fetching from db by its service name, through the published endpoint', async () => {
    const port = await freePort();
    // web serves a CGI script that asks db for its /who: the answer names db's container.
    // (Its own index page keeps the image's HEALTHCHECK passing.)
    const compose = `name: shop
services:
  db:
    image: ${fixedPortImageV1}
  web:
    image: ${fixedPortImageV2}
    entrypoint: ["/bin/sh", "-c"]
    command:
      - |
        mkdir -p /www/cgi-bin
        echo web > /www/index.html
        printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\nwget -q -O- http://db/who\\n' > /www/cgi-bin/db
        chmod +x /www/cgi-bin/db
        exec httpd -f -p 80 -h /www
    ports:
      - "${port}:80"
`;
    const rendered = renderTree({ rootName: 'shop', files: new Map([['compose.yaml', new TextEncoder().encode(compose)]]) });
    expect(rendered.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const job = rendered.jobs[0]!.job;
    expect(job.endpoints).toEqual([{ port, group: 'web', task: 'web', portLabel: '80', canaries: false }]);
    const submitted = h.engine.submit({ job, source: cli, sourceText: compose });
    expect((await h.engine.waitForDeployment(submitted.deployment!.id, 60_000)).status).toBe('successful');
    const db = h.store.listAllocations('shop').find((a) => a.group === 'db' && a.status === 'running')!;
    const answer = await fetch(`http://127.0.0.1:${port}/cgi-bin/db`).then((r) => r.text());
    expect(answer.trim()).toBe(`fixed-v1 ${db.containers.db!.slice(0, 12)}`);

    // Purged, the job takes the network deckhand made for it along.
    const network = `deckhand-shop${networkSuffixOf({ [testLabel]: runId })}`;
    expect((await docker.getNetwork(network).inspect()).Name).toBe(network);
    await h.engine.stopJob('shop', true);
    expect(await docker.getNetwork(network).inspect().catch((error: { statusCode?: number }) => error.statusCode)).toBe(404);
  }, 90_000);
});

describe('an endpoint whose port another process holds', () => {
  it("is reported in the job's events and status, and listens once the port is free", async () => {
    const port = await freePort();
    const squatter = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const id = await deploy(endpointJob('squatted', fixedPortImageV1, port));
      expect((await h.engine.waitForDeployment(id, 30_000)).status).toBe('successful');
      const reported = await waitForEvent(h, (e) => e.type === 'job' && e.jobId === 'squatted' && e.message.includes('cannot listen'), 15_000);
      expect(reported.message).toContain(`endpoint 127.0.0.1:${port} cannot listen`);
      expect(h.engine.endpointsOf('squatted')[0]!.error).toMatch(/EADDRINUSE|in use/i);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    // The edge tries the port again by itself; the agent asks again while it could not listen.
    const answer = await eventually(() => httpGet(port, '/who').then((r) => r.status === 200 && r.body), 'the endpoint to answer once its port is free', 20_000);
    expect(answer).toMatch(/^fixed-v1 /);
    await eventually(async () => h.engine.endpointsOf('squatted')[0]!.error === null, 'status to stop saying it cannot listen');
  }, 90_000);
});

describe('a named volume', () => {
  it('keeps what the database wrote across an image update, an auto-reverted failing version and an engine restart', async () => {
    const port = await freePort();
    // db writes its first container's host name to the volume once, and serves it.
    const compose = (image: string) => `name: vault
services:
  db:
    image: ${image}
    entrypoint: ["/bin/sh", "-c"]
    command:
      - |
        mkdir -p /www
        [ -f /data/born ] || hostname > /data/born
        cp /data/born /www/born
        echo ok > /www/index.html
        exec httpd -f -p 80 -h /www
    volumes: [data:/data]
    ports: ["${port}:80"]
    deploy:
      update_config: {failure_action: rollback, monitor: 1s}
volumes:
  data: {}
`;
    const submit = async (image: string) => {
      const rendered = renderTree({ rootName: 'vault', files: new Map([['compose.yaml', new TextEncoder().encode(compose(image))]]) });
      expect(rendered.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      return h.engine.submit({ job: rendered.jobs[0]!.job, source: cli, sourceText: null }).deployment!.id;
    };
    const born = () => eventually(() => httpGet(port, '/born').then((r) => r.status === 200 && r.body.trim()), 'db to answer');
    expect((await h.engine.waitForDeployment(await submit(fixedPortImageV1), 60_000)).status).toBe('successful');
    const first = await born();
    const firstContainer = h.store.listAllocations('vault').find((a) => a.status === 'running')!.containers.db!;
    expect(first).toBe(firstContainer.slice(0, 12));

    expect((await h.engine.waitForDeployment(await submit(fixedPortImageV2), 60_000)).status).toBe('successful');
    expect(h.store.listAllocations('vault').find((a) => a.status === 'running')!.containers.db).not.toBe(firstContainer);
    expect(await born()).toBe(first);

    const failed = await h.engine.waitForDeployment(await submit(fixedPortImageUnhealthy), 60_000);
    expect(failed.status).toBe('failed');
    await waitForEvent(h, (e) => e.type === 'deployment' && e.jobId === 'vault' && e.deployment.jobVersion > failed.jobVersion && e.deployment.status === 'successful', 60_000);
    expect(await born()).toBe(first);

    await h.close();
    h = await startHarness(runId, dataDir, { engine: { traffic } });
    expect(await born()).toBe(first);
    const volume = await docker.getVolume(`deckhand-vault-data${networkSuffixOf({ [testLabel]: runId })}`).inspect();
    expect(volume.Labels).toMatchObject({ 'deckhand.volume': 'data', 'deckhand.job': 'vault' });
  }, 180_000);
});
