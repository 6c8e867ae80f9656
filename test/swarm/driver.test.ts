// Integration: the Swarm runtime's driver (src/runtime/swarm/driver.ts) and its
// observation on a three-node test swarm: allocations placed as one-replica
// services across the nodes on the job's overlay, read back with their labels and
// adopted from them; another agent's services left alone; a task whose HEALTHCHECK
// fails; a stop that waits for the task to end; node loss (the allocation's task
// lost, then running on another node as the same allocation; an observer of the
// dead node's manager unavailable until it answers again); networks released.
import { randomBytes } from 'node:crypto';
import { demoImageUnhealthy, demoImageV1 } from '../../src/demo/images.js';
import { groupSpecHash } from '../../src/model/index.js';
import type { Group, Job } from '../../src/model/index.js';
import { planAdoption } from '../../src/rollout/adopt.js';
import { networkSuffixOf } from '../../src/runtime/docker/networks.js';
import { PlacementError, RuntimeUnavailableError } from '../../src/runtime/driver.js';
import { SwarmDriver, SwarmObserver } from '../../src/runtime/swarm/index.js';
import type { SwarmAllocationObservation } from '../../src/runtime/swarm/index.js';
import { SwarmCluster } from '../support/swarm/cluster.js';
import { ensureDemoImages, EventLog, eventually, group, httpGet, task, testLabel } from '../runtime/support.js';

/** A reading that fails for another reason than an unreachable manager is a bug: the test shows it. */
const readErrors: unknown[] = [];
const failOnError = (error: unknown) => readErrors.push(error);

const port = 8080;
// Swarm's restart delay and the dispatcher heartbeat, scaled down from 5 s.
const restartAny = { condition: 'any' as const, maxAttempts: 0, delayMs: 1000, windowMs: 0 };
const noRestart = { condition: 'none' as const, maxAttempts: 0, delayMs: 0, windowMs: 0 };

let cluster: SwarmCluster;
let labels: Record<string, string>;
let driver: SwarmDriver;
let log: EventLog;

beforeAll(async () => {
  await ensureDemoImages();
  cluster = await SwarmCluster.start({ nodes: 3, images: [demoImageV1, demoImageUnhealthy], heartbeatMs: 1000 });
  labels = { [testLabel]: cluster.runId };
  driver = new SwarmDriver({ docker: cluster.nodes[0]!.docker, address: 'node 1', labels, stopTimeoutSeconds: 1, pollIntervalMs: 1000, onError: failOnError });
  log = new EventLog(driver);
}, 120_000);

afterEach(() => {
  expect(readErrors).toEqual([]);
});

afterAll(async () => {
  log?.unsubscribe();
  await driver?.close();
  await cluster?.destroy();
}, 60_000);

const newAllocId = () => randomBytes(16).toString('hex');

function jobOf(jobId: string, options: { image?: string; count: number; restart?: Group['restart'] }): { job: Job; group: Group } {
  const groupSpec = group([task({ name: 'web', image: options.image ?? demoImageV1, env: { PORT: String(port) }, ports: [{ label: 'http', static: null, to: port }] })], {
    name: 'front',
    count: options.count,
    ...(options.restart ? { restart: options.restart } : {}),
  });
  const job: Job = { id: jobId, type: 'service', source: { format: 'compose', file: `${jobId}.yaml` }, meta: {}, historyLimit: null, networks: [], endpoints: [], groups: [groupSpec] };
  return { job, group: groupSpec };
}

/** Places `count` allocations of the job through the driver; returns their ids. */
async function placeAll(on: SwarmDriver, jobId: string, options: { image?: string; count: number; restart?: Group['restart'] }): Promise<{ job: Job; group: Group; allocIds: string[] }> {
  const { job, group: groupSpec } = jobOf(jobId, options);
  const allocIds: string[] = [];
  for (let index = 0; index < options.count; index++) {
    const allocId = newAllocId();
    const placed = await on.place({ allocId, jobId, jobVersion: 1, deploymentId: null, group: groupSpec, index, specHash: groupSpecHash(groupSpec), job });
    // A node port of its own, published there (host mode): where the agent's checks and the edge reach it.
    expect(placed).toEqual({ containers: {}, ports: { http: expect.any(Number) } });
    allocIds.push(allocId);
  }
  return { job, group: groupSpec, allocIds };
}

const ofJob = (observed: SwarmAllocationObservation[], jobId: string) => observed.filter((alloc) => alloc.jobId === jobId);
// Started and past its HEALTHCHECK (Swarm's `starting` is a container that runs and waits for it).
const running = (alloc: SwarmAllocationObservation) => alloc.tasks[0].state === 'running' && alloc.tasks[0].swarmState === 'running';

describe('the Swarm driver on a three-node swarm', () => {
  let shop: { job: Job; group: Group; allocIds: string[] };

  it('places three allocations as one-replica services on the job overlay, one per node, read back by their labels', async () => {
    shop = await placeAll(driver, 'swarm-drv-shop', { count: 3, restart: restartAny });
    const observed = await eventually(async () => {
      const allocs = ofJob(await driver.observe(), 'swarm-drv-shop');
      return allocs.length === 3 && allocs.every(running) && allocs;
    }, 'three running allocations of swarm-drv-shop', 60_000);

    expect(observed.map((alloc) => alloc.allocId).sort()).toEqual([...shop.allocIds].sort());
    expect(observed.map((alloc) => alloc.index).sort()).toEqual([0, 1, 2]);
    expect(new Set(observed.map((alloc) => alloc.nodeId)).size).toBe(3);
    const nodes = await cluster.manager.docker.listNodes();
    for (const alloc of observed) {
      expect(alloc.node).toBe(nodes.find((item) => item.ID === alloc.nodeId)?.Description?.Hostname);
      expect(alloc).toMatchObject({ group: 'front', jobVersion: 1, specHash: groupSpecHash(shop.group), deploymentId: null, inScope: true });
      expect(alloc.tasks[0]).toMatchObject({ task: 'web', state: 'running', swarmState: 'running', lost: false, exitCode: null, restartCount: 0 });
      expect(alloc.tasks[0].containerId).toMatch(/^[0-9a-f]{64}$/);
      expect(alloc.addresses.http).toEqual({ host: cluster.nodes.find((node) => node.address === nodes.find((item) => item.ID === alloc.nodeId)?.Status?.Addr)!.address, port: alloc.ports.http });
      expect((await httpGet(alloc.addresses.http!.port, '/', alloc.addresses.http!.host)).body).toMatch(/version v1/);
    }
    expect(new Set(observed.map((alloc) => alloc.ports.http)).size).toBe(3);
    // `docker stack ps swarm-drv-shop` lists them: Compose's namespace label, names of job, group, index and allocation.
    const services = await cluster.manager.docker.listServices({ filters: { label: ['com.docker.stack.namespace=swarm-drv-shop'] } });
    expect(services.map((service) => service.Spec?.Name).sort()).toEqual(shop.allocIds.map((id, index) => `swarm-drv-shop_front_${index}_${id.slice(0, 8)}`).sort());
    const network = await cluster.manager.docker.getNetwork(`deckhand-swarm-drv-shop${networkSuffixOf(labels)}`).inspect();
    expect(network).toMatchObject({ Driver: 'overlay', Attachable: true, Scope: 'swarm', Labels: { [testLabel]: cluster.runId, 'deckhand.job': 'swarm-drv-shop' } });
    const one = observed[0]!;
    expect(await driver.observeAllocation(one.allocId)).toEqual(one);
    expect(await driver.observeAllocation(newAllocId())).toBeNull();
    // Placed again (a placement cut short before it was recorded): the service is there, nothing is added.
    await driver.place({ allocId: one.allocId, jobId: 'swarm-drv-shop', jobVersion: 1, deploymentId: null, group: shop.group, index: one.index, specHash: groupSpecHash(shop.group), job: shop.job });
    expect(await cluster.manager.docker.listServices({ filters: { label: ['com.docker.stack.namespace=swarm-drv-shop'] } })).toHaveLength(3);
  }, 90_000);

  it("leaves another agent's services alone: one carrying more labels is out of scope, one without ours unseen", async () => {
    const otherDriver = new SwarmDriver({ docker: cluster.manager.docker, address: 'node 1', labels: { ...labels, 'deckhand-test.team': 'other' }, onError: failOnError });
    const foreignDriver = new SwarmDriver({ docker: cluster.manager.docker, address: 'node 1', labels: { [testLabel]: 'another-run' }, onError: failOnError });
    const other = await placeAll(otherDriver, 'swarm-drv-other', { count: 1 });
    const foreign = await placeAll(foreignDriver, 'swarm-drv-foreign', { count: 1 });
    const observed = await eventually(async () => {
      const allocs = await driver.observe();
      return ofJob(allocs, 'swarm-drv-other').some(running) && allocs;
    }, 'the other scope’s task running', 60_000);
    expect(ofJob(observed, 'swarm-drv-other').map((alloc) => alloc.inScope)).toEqual([false]);
    expect(ofJob(observed, 'swarm-drv-foreign')).toEqual([]);
    // A stop by this agent touches only its own: the foreign service stays.
    await driver.stop(foreign.allocIds[0]!);
    expect(await foreignDriver.observeAllocation(foreign.allocIds[0]!)).not.toBeNull();
    await otherDriver.stop(other.allocIds[0]!);
    await foreignDriver.stop(foreign.allocIds[0]!);
    expect(await foreignDriver.observeAllocation(foreign.allocIds[0]!)).toBeNull();
  }, 90_000);

  it('rebuilds the job from the observations (planAdoption), settled, and adopts only what is in scope', async () => {
    const observed = await driver.observe();
    const { adopted, unreadable } = planAdoption(observed, () => false, Date.now());
    expect(unreadable).toEqual([]);
    expect(adopted.map((item) => item.job.id)).toEqual(['swarm-drv-shop']);
    const [rebuilt] = adopted;
    expect(rebuilt!.job).toMatchObject({ id: 'swarm-drv-shop', groups: [{ name: 'front', count: 3 }] });
    expect(rebuilt!.settled).toBe(true);
    expect(rebuilt!.allocations.map((alloc) => [alloc.id, alloc.index, alloc.status]).sort()).toEqual(shop.allocIds.map((id, index) => [id, index, 'running']).sort());
  });

  it('reports a task whose HEALTHCHECK fails as dying, exited and unhealthy; a stop waits for its end and the allocation is gone (destroy)', async () => {
    const from = log.events.length;
    const sick = await placeAll(driver, 'swarm-drv-sick', { image: demoImageUnhealthy, count: 1, restart: noRestart });
    const [allocId] = sick.allocIds;
    await log.next((event) => event.kind === 'die' && event.allocId === allocId, { from, timeoutMs: 60_000 });
    const failed = await driver.observeAllocation(allocId!);
    expect(failed!.tasks[0]).toMatchObject({ state: 'exited', health: 'unhealthy', swarmState: 'failed' });
    // Without a restart policy Swarm leaves the task failed: the observation keeps showing it so.
    expect(ofJob(await driver.observe(), 'swarm-drv-sick')).toEqual([failed]);

    await driver.stop(allocId!);
    expect(await driver.observeAllocation(allocId!)).toBeNull();
    await log.next((event) => event.kind === 'destroy' && event.allocId === allocId, { from, timeoutMs: 30_000 });
    await driver.stop(allocId!);
  }, 90_000);

  it("gives a task its files as a Swarm config and a Swarm secret at their paths and modes, none of the secret in the labels; a stop removes them", async () => {
    const { job, group: plain } = jobOf('swarm-drv-files', { count: 1 });
    const files = [
      { target: '/etc/app/settings.conf', content: 'color = blue\n', mode: 0o444, sensitive: false },
      { target: '/run/secrets/token', content: 's3cr3t-value', mode: 0o400, sensitive: true },
    ];
    const withFiles = { ...plain, tasks: [{ ...plain.tasks[0]!, files }] };
    const allocId = newAllocId();
    await driver.place({ allocId, jobId: job.id, jobVersion: 1, deploymentId: null, group: withFiles, index: 0, specHash: 'x', job: { ...job, groups: [withFiles] } });
    const alloc = await eventually(async () => {
      const observed = (await driver.observeAllocation(allocId)) as SwarmAllocationObservation | null;
      return observed !== null && running(observed) && observed;
    }, 'the task with files running', 60_000);
    const byId = await cluster.nodeById();
    const node = byId.get(alloc.nodeId!)!;
    const read = async (path: string) => {
      const exec = await node.docker.getContainer(alloc.tasks[0].containerId!).exec({ Cmd: ['/bin/busybox', 'sh', '-c', `/bin/busybox cat ${path}; /bin/busybox stat -c ' %a' ${path}`], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({});
      const chunks: Buffer[] = [];
      await new Promise((done) => {
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', done);
      });
      // Docker's multiplexed stream: an 8-byte header before each frame.
      let out = '';
      for (let all = Buffer.concat(chunks); all.length >= 8; all = all.subarray(8 + all.readUInt32BE(4))) out += all.subarray(8, 8 + all.readUInt32BE(4)).toString();
      return out;
    };
    expect(await read('/etc/app/settings.conf')).toBe('color = blue\n 444\n');
    expect(await read('/run/secrets/token')).toBe('s3cr3t-value 400\n');
    const [service] = await cluster.manager.docker.listServices({ filters: { label: [`deckhand.alloc=${allocId}`] } });
    expect(JSON.stringify(service!.Spec)).not.toContain('s3cr3t-value');
    expect(await cluster.manager.docker.listSecrets({ filters: { label: [`deckhand.alloc=${allocId}`] } })).toHaveLength(1);
    expect(await cluster.manager.docker.listConfigs({ filters: { label: [`deckhand.alloc=${allocId}`] } })).toHaveLength(1);

    await driver.stop(allocId);
    expect(await cluster.manager.docker.listSecrets({ filters: { label: [`deckhand.alloc=${allocId}`] } })).toEqual([]);
    expect(await cluster.manager.docker.listConfigs({ filters: { label: [`deckhand.alloc=${allocId}`] } })).toEqual([]);
  }, 90_000);

  it("mounts a job volume as the node's own, labelled; a purge removes the manager node's copy and says where the others are", async () => {
    const { job, group: plain } = jobOf('swarm-drv-data', { count: 1 });
    const withVolume = { ...plain, tasks: [{ ...plain.tasks[0]!, mounts: [{ type: 'volume' as const, source: 'data', target: '/data', readOnly: false }] }] };
    const withJob = { ...job, volumes: [{ name: 'data', dockerName: null, external: false, driverOpts: {} }], groups: [withVolume] };
    const allocId = newAllocId();
    await driver.place({ allocId, jobId: job.id, jobVersion: 1, deploymentId: null, group: withVolume, index: 0, specHash: 'x', job: withJob });
    const alloc = await eventually(async () => {
      const observed = (await driver.observeAllocation(allocId)) as SwarmAllocationObservation | null;
      return observed !== null && running(observed) && observed;
    }, 'the task with a volume running', 60_000);
    const node = (await cluster.nodeById()).get(alloc.nodeId!)!;
    const name = `deckhand-swarm-drv-data-data${networkSuffixOf(labels)}`;
    const volume = await node.docker.getVolume(name).inspect();
    expect(volume.Labels).toMatchObject({ 'deckhand.volume': 'data', 'deckhand.job': 'swarm-drv-data', [testLabel]: cluster.runId });
    const container = await node.docker.getContainer(alloc.tasks[0].containerId!).inspect();
    expect(container.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: name, Destination: '/data' })]);

    await driver.stop(allocId);
    const purge = await driver.purgeVolumes(['deckhand-swarm-drv-data-data'], true);
    const onManager = node === cluster.nodes[0];
    expect(purge.removed).toEqual(onManager ? [name] : []);
    expect(purge.kept).toEqual([{ name, why: `on the other nodes where a task of it ran (Swarm volumes are each node's own): remove it there with docker volume rm ${name}` }]);
    if (!onManager) await node.docker.getVolume(name).remove();
  }, 90_000);

  it('refuses a group a service cannot carry with a PlacementError naming the file, and places nothing', async () => {
    const { job, group: groupSpec } = jobOf('swarm-drv-refused', { count: 1 });
    const refused = { ...groupSpec, tasks: [{ ...groupSpec.tasks[0]!, mounts: [{ type: 'bind' as const, source: '/srv/data', target: '/data', readOnly: false }] }] };
    const placing = driver.place({ allocId: newAllocId(), jobId: job.id, jobVersion: 1, deploymentId: null, group: refused, index: 0, specHash: 'x', job: { ...job, groups: [refused] } });
    await expect(placing).rejects.toThrow(PlacementError);
    await expect(placing).rejects.toThrow(/swarm-drv-refused\.yaml: not supported by --runtime swarm:\n {2}group "front": task "web": a bind mount of \/srv\/data/);
    expect(await cluster.manager.docker.listServices({ filters: { label: ['com.docker.stack.namespace=swarm-drv-refused'] } })).toEqual([]);
  });

  it("runs a dead node's allocation on another node as the same allocation; an observer of that node's manager is unavailable until it answers again", async () => {
    const third = cluster.nodes[2]!;
    const thirdInfo = (await third.docker.info()) as { Swarm: { NodeID: string } };
    const before = ofJob(await driver.observe(), 'swarm-drv-shop');
    const onThird = before.find((alloc) => alloc.nodeId === thirdInfo.Swarm.NodeID)!;
    expect(onThird).toBeDefined();
    const thirdObserver = new SwarmObserver({ docker: third.docker, address: 'node 3', extraLabels: labels, pollIntervalMs: 1000, onError: failOnError });
    const thirdLog = new EventLog(thirdObserver);
    try {
      await thirdObserver.observe();
      const from = log.events.length;

      const killedAt = Date.now();
      await third.kill();
      await expect(thirdObserver.observe()).rejects.toThrow(RuntimeUnavailableError);
      await expect(thirdObserver.observe()).rejects.toThrow(/the Swarm manager at node 3 does not answer/);
      await thirdLog.next((event) => event.kind === 'disconnected', { timeoutMs: 10_000 });

      // Lost (`die`), or already replaced by the time of the next reading: another task, not yet running (`start`).
      const lostEvent = await log.next((event) => event.allocId === onThird.allocId, { from, timeoutMs: 30_000 });
      const moved = await eventually(async () => {
        const alloc = (await driver.observeAllocation(onThird.allocId)) as SwarmAllocationObservation | null;
        return alloc !== null && running(alloc) && alloc;
      }, 'the allocation running on another node', 60_000);
      const movedAt = Date.now();
      expect(moved.nodeId).not.toBe(onThird.nodeId);
      expect(moved.tasks[0].containerId).not.toBe(onThird.tasks[0].containerId);
      // Moved by Swarm with its node, not restarted: the rollout must not count it as a failure.
      expect(moved.tasks[0].restartCount).toBe(0);
      // Nothing more than the three: the allocation moved, no other appeared.
      expect(ofJob(await driver.observe(), 'swarm-drv-shop').map((alloc) => alloc.allocId).sort()).toEqual([...shop.allocIds].sort());

      const restartedAt = Date.now();
      await third.start();
      const reconnected = await thirdLog.next((event) => event.kind === 'reconnected', { timeoutMs: 60_000 });
      // Measured for docs/benchmarks.md (issue 16), polling every second.
      console.log(
        `swarm node loss: allocation reported changed after ${lostEvent.time - killedAt} ms, running on another node after ${movedAt - killedAt} ms; ` +
          `node 3's manager answered again ${reconnected.time - restartedAt} ms after its dockerd restarted`,
      );
      await eventually(async () => ofJob(await thirdObserver.observe(), 'swarm-drv-shop').filter(running).length === 3, 'three running allocations read from node 3', 30_000);
    } finally {
      thirdLog.unsubscribe();
      await thirdObserver.close();
    }
  }, 120_000);

  it('stops every allocation (each task ended before its service goes) and then releases the job network', async () => {
    for (const allocId of shop.allocIds) await driver.stop(allocId);
    expect(ofJob(await driver.observe(), 'swarm-drv-shop')).toEqual([]);
    const containers = await Promise.all(cluster.nodes.map((node) => node.docker.listContainers({ filters: { label: ['deckhand.job=swarm-drv-shop'] } })));
    expect(containers.flat()).toEqual([]);
    expect(await driver.releaseNetworks(['deckhand-swarm-drv-shop'])).toEqual([`deckhand-swarm-drv-shop${networkSuffixOf(labels)}`]);
  }, 90_000);
});
