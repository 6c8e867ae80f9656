// Integration: HEALTHCHECKs, http/tcp checks on a real container, and the
// engine's events as the driver streams them.
import type Docker from 'dockerode';
import type { HttpCheck, TcpCheck } from '../../src/model/job.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import type { AllocationObservation } from '../../src/runtime/driver.js';
import { docker, ensureDemoImages, EventLog, eventually, group, newRunId, removeRunContainers, request, task, testLabel, webTask } from './support.js';

const runId = newRunId();
let driver: DockerDriver;
let log: EventLog;

beforeAll(async () => {
  await ensureDemoImages();
});

beforeEach(() => {
  driver = new DockerDriver(docker, { labels: { [testLabel]: runId }, portRange: { min: 22000, max: 22999 }, stopTimeoutSeconds: 2 });
  log = new EventLog(driver);
});

afterEach(async () => {
  log.unsubscribe();
  await driver.close();
  await removeRunContainers(runId);
});

const forAlloc = (allocId: string, kind: string) => (event: { kind: string; allocId: string | null }) => event.kind === kind && event.allocId === allocId;

async function healthOf(allocId: string): Promise<AllocationObservation['tasks'][number]['health'] | undefined> {
  return (await driver.observe()).find((a) => a.allocId === allocId)?.tasks[0]?.health;
}

/** Waits on health events until the allocation's first task shows `wanted`. */
async function awaitHealth(allocId: string, wanted: string): Promise<void> {
  let from = 0;
  for (;;) {
    const event = await log.next(forAlloc(allocId, 'health'), { from });
    from = log.events.indexOf(event) + 1;
    if ((await healthOf(allocId)) === wanted) return;
  }
}

const httpCheck: HttpCheck = { type: 'http', name: 'web', role: 'readiness', port: 'http', path: '/', method: 'GET', intervalMs: 100, timeoutMs: 500, retries: 1, startPeriodMs: 0 };

describe('health and events on the engine', () => {
  it('streams start, then a HEALTHCHECK turning healthy', async () => {
    const req = request('healthy', group([webTask('deckhand-demo:v1')]));
    await driver.place(req);
    const start = await log.next(forAlloc(req.allocId, 'start'));
    expect(start).toMatchObject({ jobId: 'healthy', time: expect.any(Number) });
    await awaitHealth(req.allocId, 'healthy');
    // The event itself names the container and its new status, and the observation dates it.
    const observed = (await driver.observe()).find((a) => a.allocId === req.allocId)!.tasks[0]!;
    const healthy = log.events.find((e) => e.kind === 'health' && e.allocId === req.allocId && e.health?.status === 'healthy');
    expect(healthy?.health).toEqual({ containerId: observed.containerId, status: 'healthy' });
    expect(observed.healthySince).toBeGreaterThanOrEqual(observed.startedAt!);
    expect(Math.abs(observed.healthySince! - healthy!.time)).toBeLessThan(1_000);
  });

  it('sees the unhealthy image turn unhealthy while it still serves', async () => {
    const req = request('unhealthy', group([webTask('deckhand-demo:unhealthy')]));
    await driver.place(req);
    await awaitHealth(req.allocId, 'unhealthy');
    const alloc = (await driver.observe()).find((a) => a.allocId === req.allocId)!;
    expect(alloc.tasks[0]!.state).toBe('running');
  });

  it('runs an exec check as the HEALTHCHECK, and can turn the image one off', async () => {
    const exec = task({
      name: 'web',
      image: 'deckhand-demo:unhealthy',
      env: { PORT: '${NOMAD_PORT_http}' },
      ports: [{ label: 'http', static: null, to: null }],
      checks: [{ type: 'exec', name: null, role: 'readiness', command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:${NOMAD_PORT_http}/'], intervalMs: 300, timeoutMs: 1000, retries: 1, startPeriodMs: 0 }],
    });
    const req = request('exec-check', group([exec]));
    await driver.place(req);
    await awaitHealth(req.allocId, 'healthy');

    const off = request('no-healthcheck', group([{ ...webTask('deckhand-demo:unhealthy'), imageHealthcheck: 'disable' }]));
    const placement = await driver.place(off);
    const info = await docker.getContainer(placement.containers.web!).inspect();
    expect(info.Config.Healthcheck?.Test).toEqual(['NONE']);
    expect(info.State.Health).toBeUndefined();
    await log.next(forAlloc(off.allocId, 'start'));
    expect(await healthOf(off.allocId)).toBe('none');
  });

  it('streams die and destroy when a task exits and is stopped', async () => {
    const req = request('dies', group([task({ name: 't', command: '/bin/sh', args: ['-c', 'exit 1'] })]));
    await driver.place(req);
    await log.next(forAlloc(req.allocId, 'die'));
    await driver.stop(req.allocId);
    await log.next(forAlloc(req.allocId, 'destroy'));
    expect(log.events.filter((e) => e.allocId === req.allocId).map((e) => e.kind)).toEqual(['start', 'die', 'destroy']);
  });

  it('runs http and tcp checks against the allocation, passing and failing, with check events', async () => {
    const tcpOk: TcpCheck = { type: 'tcp', name: 'tcp', role: 'readiness', port: 'http', intervalMs: 100, timeoutMs: 500, retries: 1, startPeriodMs: 0 };
    const req = request('checked', group([{ ...webTask(), checks: [httpCheck, tcpOk] }]));
    const placement = await driver.place(req);
    expect(driver.checkStatus(req.allocId).ready).toBe(true); // not watched yet: nothing holds it
    driver.watchChecks(req.allocId, req.jobId, [httpCheck, tcpOk], placement.ports);
    expect(driver.checkStatus(req.allocId).ready).toBe(false);
    await log.next(forAlloc(req.allocId, 'check'));
    expect(driver.checkStatus(req.allocId)).toMatchObject({ ready: true, livenessFailed: false });

    const from = log.events.length;
    await docker.getContainer(placement.containers.web!).kill(); // the server goes away
    await log.next(forAlloc(req.allocId, 'check'), { from });
    const status = driver.checkStatus(req.allocId);
    expect(status.ready).toBe(false);
    expect(status.lastError).toMatch(/ECONNREFUSED/);
    driver.unwatchChecks(req.allocId);
  });

  it('reports a failing liveness check', async () => {
    const req = request('liveness', group([webTask()]));
    const placement = await driver.place(req);
    const liveness: HttpCheck = { ...httpCheck, role: 'liveness', path: '/missing', retries: 2 };
    driver.watchChecks(req.allocId, req.jobId, [liveness], placement.ports);
    await eventually(async () => driver.checkStatus(req.allocId).livenessFailed, 'the liveness check to fail');
    expect(driver.checkStatus(req.allocId)).toMatchObject({ ready: true, lastError: expect.stringMatching(/404/) });
  });

  it('reconnects when the engine ends the event stream, and says so', async () => {
    // The same engine, with a hand on each event stream the driver opens.
    const streams: NodeJS.ReadableStream[] = [];
    const watched = Object.create(docker) as Docker;
    watched.getEvents = (async (options: Docker.GetEventsOptions) => {
      const stream = await docker.getEvents(options);
      streams.push(stream);
      return stream;
    }) as Docker['getEvents'];
    const reconnecting = new DockerDriver(watched, { labels: { [testLabel]: runId }, portRange: { min: 22000, max: 22999 }, reconnectDelayMs: { initial: 50, max: 200 } });
    const events = new EventLog(reconnecting);
    try {
      await eventually(async () => streams.length === 1, 'the event stream to open');
      (streams[0] as unknown as { destroy: () => void }).destroy();
      await events.next((event) => event.kind === 'reconnected');
      expect(streams).toHaveLength(2);
      const req = request('after-reconnect', group([webTask()]));
      await reconnecting.place(req);
      await events.next(forAlloc(req.allocId, 'start'));
    } finally {
      events.unsubscribe();
      await reconnecting.close();
    }
  });
});
