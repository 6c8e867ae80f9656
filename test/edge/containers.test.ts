// The edge in front of real containers: busybox httpd listening on its fixed
// port 80 in FROM-scratch containers on a user-defined bridge network,
// published on 127.0.0.1 at ports Docker picks, as deckhand will run them.
// A bounded load loop runs against the endpoint while a backend is swapped
// (added, old one removed, drained, killed) and another is killed by hand while
// still in the table: not one request may fail. Containers and the network
// carry the run's label and are removed by it, the edge by its pid.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBaseImage } from '../../src/demo/images.js';
import { EdgeClient } from '../../src/edge/index.js';
import type { EdgeTable } from '../../src/edge/index.js';
import { docker, ensureDemoImages, removeRunContainers, testLabel } from '../runtime/support.js';
import { freePort, killEdges, request, until } from './support.js';

const runId = `edge-${randomBytes(4).toString('hex')}`;
const network = runId;
const dataDir = join(mkdtempSync(join(tmpdir(), 'deckhand-edge-')), 'edge');

interface Replica {
  name: string;
  id: string;
  hostPort: number;
}

async function startReplica(name: string): Promise<Replica> {
  const container = await docker.createContainer({
    Image: demoBaseImage,
    name,
    Labels: { [testLabel]: runId },
    Env: [`NAME=${name}`],
    Cmd: ['/bin/sh', '-c', 'mkdir -p /www && echo -n "$NAME" > /www/index.html && exec httpd -f -p 80 -h /www'],
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { NetworkMode: network, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  await container.start();
  const info = await container.inspect();
  const hostPort = Number(info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort);
  const replica = { name, id: container.id, hostPort };
  await until(async () => (await request(hostPort).catch(() => '')) === name, `${name} to answer`, 10_000);
  return replica;
}

const tableOf = (port: number, replicas: Replica[]): EdgeTable => ({
  endpoints: [{ port, address: '127.0.0.1', backends: replicas.map((r) => ({ id: r.name, host: '127.0.0.1', port: r.hostPort })) }],
});

/** Clients asking the endpoint in a loop, each on a new connection, until stopped. */
function loadLoop(port: number, clients: number) {
  const answers: string[] = [];
  const failures: string[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      try {
        answers.push(await request(port, '/', 5000));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  });
  return {
    answers,
    failures,
    /** Resolves once `count` more requests have ended. */
    async further(count: number) {
      const target = answers.length + failures.length + count;
      await until(() => answers.length + failures.length >= target, `${count} more requests`, 20_000);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

beforeAll(async () => {
  await ensureDemoImages();
  await docker.createNetwork({ Name: network, Driver: 'bridge', Labels: { [testLabel]: runId } });
});

afterAll(async () => {
  await killEdges([dataDir]);
  await removeRunContainers(runId);
  const networks = await docker.listNetworks({ filters: { label: [`${testLabel}=${runId}`] } });
  await Promise.allSettled(networks.map((n) => docker.getNetwork(n.Id).remove()));
});

test('containers swapped and one killed by hand behind the endpoint: zero failed requests', async () => {
  const [r1, r2, r3] = await Promise.all([1, 2, 3].map((i) => startReplica(`${runId}-${i}`))) as [Replica, Replica, Replica];
  const edge = new EdgeClient({ dataDir });
  await edge.ensureRunning();
  const port = await freePort();
  expect((await edge.setTable(tableOf(port, [r1, r2, r3]))).errors).toEqual([]);
  const load = loadLoop(port, 4);
  try {
    await load.further(100);
    // A rolling update's step: the new one joins, the old one leaves, drains, and is stopped.
    const r4 = await startReplica(`${runId}-4`);
    await edge.setTable(tableOf(port, [r2, r3, r4]));
    expect(await edge.drain([r1.name], 5000)).toEqual({ drained: true, remaining: { [r1.name]: 0 } });
    await docker.getContainer(r1.id).kill();
    await load.further(100);
    // Killed by hand, still in the table: the edge finds out on its own.
    await docker.getContainer(r2.id).kill();
    await load.further(300);
    await edge.setTable(tableOf(port, [r3, r4]));
    await load.further(100);
  } finally {
    await load.stop();
  }
  expect(load.failures).toEqual([]);
  expect(load.answers.length).toBeGreaterThanOrEqual(600);
  expect(new Set(load.answers)).toEqual(new Set([r1, r2, r3].map((r) => r.name).concat(`${runId}-4`)));
  const view = await edge.getTable();
  expect(view.endpoints[0]!.backends.map((b) => b.id)).toEqual([r3.name, `${runId}-4`]);
});
