// Integration: the Docker driver against the real engine. Containers carry the
// run's `deckhand-test.run` label and are removed after each test, pass or fail.
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { PlacementError } from '../../src/runtime/driver.js';
import { networkSuffixOf } from '../../src/runtime/docker/networks.js';
import { docker, ensureDemoImages, eventually, group, httpGet, newRunId, removeRunContainers, request, task, testLabel, webTask } from './support.js';

const runId = newRunId();
const driverOptions = { labels: { [testLabel]: runId }, portRange: { min: 21000, max: 21999 }, stopTimeoutSeconds: 2 };
let driver: DockerDriver;

beforeAll(async () => {
  await ensureDemoImages();
});

beforeEach(() => {
  driver = new DockerDriver(docker, driverOptions);
});

afterEach(async () => {
  await driver.close();
  await removeRunContainers(runId);
});

const containersOf = (allocId: string) => docker.listContainers({ all: true, filters: { label: [`deckhand.alloc=${allocId}`] } });

describe('DockerDriver on the engine', () => {
  it("places a two-task allocation: names, labels, env, the job's network, init", async () => {
    const sidecar = task({ name: 'side', image: 'deckhand-demo:v2', env: { PORT: '${NOMAD_PORT_admin}' }, ports: [{ label: 'admin', static: null, to: null }] });
    const req = request('two-tasks', group([webTask(), sidecar]), { index: 1, jobVersion: 4 });
    const placement = await driver.place(req);

    expect(Object.keys(placement.containers).sort()).toEqual(['side', 'web']);
    expect(placement.ports.http).toBeGreaterThanOrEqual(21000);
    expect(placement.ports.admin).not.toBe(placement.ports.http);
    const prefix = `two-tasks-g-1-${req.allocId.slice(0, 8)}`;
    for (const [taskName, id] of Object.entries(placement.containers)) {
      const info = await docker.getContainer(id).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.Name).toBe(`/${prefix}-${taskName}`);
      expect(info.HostConfig.NetworkMode).toBe(`deckhand-two-tasks${networkSuffixOf(driverOptions.labels)}`);
      expect((info.HostConfig as { Init?: boolean }).Init).toBe(true);
      expect(info.Config.Labels).toMatchObject({
        'deckhand.job': 'two-tasks',
        'deckhand.group': 'g',
        'deckhand.task': taskName,
        'deckhand.alloc': req.allocId,
        'deckhand.index': '1',
        'deckhand.version': '4',
        'deckhand.spec-hash': 'hash-1',
        'deckhand.deployment': 'dep12345',
        [testLabel]: runId,
      });
      expect(JSON.parse(info.Config.Labels['deckhand.ports']!)).toEqual(placement.ports);
      expect(info.Config.Env).toEqual(
        expect.arrayContaining([
          `NOMAD_PORT_http=${placement.ports.http}`,
          `NOMAD_PORT_admin=${placement.ports.admin}`,
          `NOMAD_ALLOC_ID=${req.allocId}`,
          'NOMAD_ALLOC_INDEX=1',
          'NOMAD_JOB_NAME=two-tasks',
          `NOMAD_TASK_NAME=${taskName}`,
        ]),
      );
    }
    const web = await eventually(() => httpGet(placement.ports.http!), 'the web task to answer');
    expect(web).toEqual({ status: 200, body: 'version v1\n' });
    const side = await eventually(() => httpGet(placement.ports.admin!), 'the sidecar to answer');
    expect(side.body).toBe('version v2\n');
  });

  it('fails a missing image quickly with the engine message and leaves nothing behind', async () => {
    const req = request('missing', group([webTask('dummy/dummy:v99.9')]));
    const started = Date.now();
    const error = await driver.place(req).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlacementError);
    expect((error as Error).message).toMatch(/^No such image: dummy\/dummy:v99\.9; pulling it failed: /);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await containersOf(req.allocId)).toEqual([]);
    expect(driver.ports.portsOf(req.allocId)).toEqual({});
  });

  it('removes the first task when the second cannot be placed', async () => {
    const req = request('half', group([webTask(), task({ name: 'bad', image: 'deckhand-demo:v10' })]));
    await expect(driver.place(req)).rejects.toThrow(/No such image: deckhand-demo:v10/);
    expect(await containersOf(req.allocId)).toEqual([]);
  });

  it('sees a command that cannot run as a task exiting 127 (init starts it)', async () => {
    const req = request('nocmd', group([task({ name: 't', command: '/no/such/binary' })]));
    await driver.place(req);
    const task0 = await eventually(async () => {
      const alloc = (await driver.observe()).find((a) => a.allocId === req.allocId);
      return alloc?.tasks[0]?.state === 'exited' ? alloc.tasks[0] : undefined;
    }, 'the task to exit');
    expect(task0.exitCode).toBe(127);
  });

  it('fails placement with the engine message when a container cannot be created', async () => {
    const req = request('tiny-memory', group([task({ name: 't', resources: { cpu: null, cpuLimit: null, memoryMB: 1 } })]));
    await expect(driver.place(req)).rejects.toThrow(/^Minimum memory limit allowed is 6MB$/);
    expect(await containersOf(req.allocId)).toEqual([]);
  });

  it('sees a task that exits at once as exited with its exit code', async () => {
    const req = request('exits', group([task({ name: 't', command: '/bin/sh', args: ['-c', 'exit 3'] })]));
    await driver.place(req);
    const task0 = await eventually(async () => {
      const alloc = (await driver.observe()).find((a) => a.allocId === req.allocId);
      return alloc?.tasks[0]?.state === 'exited' ? alloc.tasks[0] : undefined;
    }, 'the task to exit');
    expect(task0).toMatchObject({ task: 't', state: 'exited', exitCode: 3, restartCount: 0, health: 'none' });
    expect(task0.startedAt).toEqual(expect.any(Number));
  });

  it('stops: removes the containers and frees the ports', async () => {
    const req = request('stopper', group([webTask()]));
    const placement = await driver.place(req);
    await eventually(() => httpGet(placement.ports.http!), 'the task to answer');
    const started = Date.now();
    await driver.stop(req.allocId);
    expect(Date.now() - started).toBeLessThan(2000); // init forwards SIGTERM: no kill timeout
    expect(await containersOf(req.allocId)).toEqual([]);
    expect(driver.ports.portsOf(req.allocId)).toEqual({});
    await driver.stop(req.allocId); // nothing to do is fine
  });

  it('stops an allocation another driver placed (before a restart), and one whose container was removed behind its back', async () => {
    const req = request('restarted', group([webTask()]));
    await driver.place(req);
    // A new driver knows nothing of the allocation: it finds the containers by their labels.
    const fresh = new DockerDriver(docker, driverOptions);
    try {
      await fresh.stop(req.allocId);
      expect(await containersOf(req.allocId)).toEqual([]);
    } finally {
      await fresh.close();
    }
    // The driver stops what it placed by container id: one already gone is no error.
    const gone = request('gone', group([webTask()]));
    const placement = await driver.place(gone);
    await docker.getContainer(placement.containers.web!).remove({ force: true });
    await driver.stop(gone.allocId);
    expect(driver.ports.portsOf(gone.allocId)).toEqual({});
  });

  it('rebuilds allocations from labels in a new driver, ports included', async () => {
    const req = request('rebuild', group([webTask(), task({ name: 'side', image: 'deckhand-demo:v2' })]), { index: 2, jobVersion: 7, deploymentId: null });
    const placement = await driver.place(req);
    const fresh = new DockerDriver(docker, driverOptions);
    try {
      const seen = (await fresh.observe()).filter((a) => a.allocId === req.allocId);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ jobId: 'rebuild', group: 'g', index: 2, jobVersion: 7, specHash: 'hash-1', deploymentId: null, ports: placement.ports });
      expect(seen[0]!.tasks.map((t) => [t.task, t.containerId])).toEqual([
        ['web', placement.containers.web],
        ['side', placement.containers.side],
      ]);
      expect(fresh.ports.portsOf(req.allocId)).toEqual(placement.ports);
      // the rebuilt allocator will not hand those ports out again
      await expect(fresh.ports.allocate('other', [{ label: 'http', static: placement.ports.http! }])).rejects.toThrow(/held by allocation/);

      // a task whose container vanished shows as missing
      await docker.getContainer(placement.containers.side!).remove({ force: true });
      const after = (await fresh.observe()).find((a) => a.allocId === req.allocId)!;
      expect(after.tasks.map((t) => [t.task, t.state])).toEqual([
        ['web', 'running'],
        ['side', 'missing'],
      ]);
    } finally {
      await fresh.close();
    }
  });

  it('frees the ports of an allocation whose containers are gone', async () => {
    const req = request('vanish', group([webTask()]));
    const placement = await driver.place(req);
    await docker.getContainer(placement.containers.web!).remove({ force: true });
    await driver.observe();
    expect(driver.ports.portsOf(req.allocId)).toEqual({});
  });

  it('reads one allocation alone, and frees its ports once its containers are gone', async () => {
    const one = request('one-of-two', group([webTask()]), { index: 0 });
    const other = request('one-of-two', group([webTask()]), { index: 1 });
    const placement = await driver.place(one);
    const otherPlacement = await driver.place(other);
    const seen = await driver.observeAllocation(one.allocId);
    expect(seen).toMatchObject({ allocId: one.allocId, jobId: 'one-of-two', index: 0, ports: placement.ports });
    expect(seen!.tasks.map((t) => [t.task, t.containerId, t.state])).toEqual([['web', placement.containers.web, 'running']]);

    await docker.getContainer(placement.containers.web!).remove({ force: true });
    expect(await driver.observeAllocation(one.allocId)).toBeNull();
    expect(driver.ports.portsOf(one.allocId)).toEqual({});
    // the other allocation's ports are not its business
    expect(driver.ports.portsOf(other.allocId)).toEqual(otherPlacement.ports);
  });

  it('restarts an allocation and changes its restart policy in place', async () => {
    const req = request('restarts', group([webTask()]));
    const placement = await driver.place(req);
    const container = docker.getContainer(placement.containers.web!);
    const before = (await container.inspect()).State.StartedAt;
    await driver.restart(req.allocId);
    const after = await container.inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
    await driver.updateRestartPolicy(req.allocId, { condition: 'on-failure', maxAttempts: 2, delayMs: 0, windowMs: 0 });
    expect((await container.inspect()).HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
  });
});
