// Integration: job networks on the real engine. Fixed-port images run side by
// side, each published on a host port of its own; allocations reach each other
// by group and task name; host networking when asked; deckhand removes only the
// networks it made. Everything carries the run's label and goes after each test.
import { get } from 'node:http';
import { fixedPortImageV1 } from '../../src/demo/images.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { networkSuffixOf } from '../../src/runtime/docker/networks.js';
import { PlacementError } from '../../src/runtime/driver.js';
import { docker, ensureDemoImages, eventually, group, httpGet, newRunId, removeRunContainers, request, task, testLabel } from './support.js';

const runId = newRunId();
const labels = { [testLabel]: runId };
const suffix = networkSuffixOf(labels);
let driver: DockerDriver;

beforeAll(async () => {
  await ensureDemoImages();
});

beforeEach(() => {
  driver = new DockerDriver(docker, { labels, portRange: { min: 22000, max: 22999 }, stopTimeoutSeconds: 1 });
});

afterEach(async () => {
  await driver.close();
  await removeRunContainers(runId);
});

const fixed = (name = 'web') => task({ name, image: fixedPortImageV1, ports: [{ label: 'http', static: null, to: 80 }] });

/** Runs a command in a container and returns what it printed. */
async function exec(containerId: string, cmd: string[]): Promise<string> {
  const execution = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await execution.start({});
  const chunks: Buffer[] = [];
  const output = new (await import('node:stream')).PassThrough();
  docker.modem.demuxStream(stream, output, output);
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => stream.on('end', resolve));
  return Buffer.concat(chunks).toString('utf8');
}

describe('job networks on the engine', () => {
  it('runs three allocations of an image that always listens on port 80, each on a host port of its own', async () => {
    const web = group([fixed()], { name: 'web' });
    const placements = [];
    const requests = [0, 1, 2].map((index) => request('fixed', web, { index }));
    for (const req of requests) placements.push(await driver.place(req));
    const ports = placements.map((p) => p.ports.http!);
    expect(new Set(ports).size).toBe(3);
    const answers = await Promise.all(ports.map((port) => eventually(() => httpGet(port, '/who').then((r) => r.status === 200 && r.body), `port ${port} to answer`)));
    // Three containers, three host names.
    expect(new Set(answers.map((a) => a.split(' ')[1])).size).toBe(3);
    for (const answer of answers) expect(answer).toMatch(/^fixed-v1 \w+/);
    const info = await docker.getContainer(placements[0]!.containers.web!).inspect();
    expect(info.Config.Env).toEqual(expect.arrayContaining(['NOMAD_PORT_http=80', `NOMAD_HOST_PORT_http=${ports[0]}`, `NOMAD_ADDR_http=127.0.0.1:${ports[0]}`]));
    expect(info.NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(ports[0]) }]);

    // Observed, each allocation says where the process listens on the job's network, which the host reaches without the port proxy.
    const observed = await driver.observeAllocation(requests[0]!.allocId);
    const ip = Object.values(info.NetworkSettings.Networks)[0]!.IPAddress;
    expect(observed?.addresses).toEqual({ http: { host: ip, port: 80 } });
    const viaBridge = await new Promise<string>((resolve, reject) => {
      get({ host: ip, port: 80, path: '/who', agent: false, timeout: 2000 }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body.trim()));
      }).on('error', reject);
    });
    expect(viaBridge).toBe(answers[0]!.trim());
  });

  it('lets one group reach another by its name and a task by its own, as `web` reaches `db` under Compose', async () => {
    const db = await driver.place(request('shop', group([fixed('postgres')], { name: 'db' })));
    const web = await driver.place(request('shop', group([fixed('frontend')], { name: 'web' })));
    await eventually(() => httpGet(db.ports.http!).then((r) => r.status === 200), 'db to answer');
    const dbHost = (await docker.getContainer(db.containers.postgres!).inspect()).Config.Hostname;
    for (const name of ['db', 'postgres']) {
      const fetched = await eventually(async () => {
        const out = await exec(web.containers.frontend!, ['wget', '-q', '-O', '-', `http://${name}/who`]);
        return out.startsWith('fixed-v1') && out;
      }, `web to fetch from ${name}`);
      expect(fetched.trim()).toBe(`fixed-v1 ${dbHost}`);
    }
  });

  it('keeps jobs apart: a name of one job does not resolve in another', async () => {
    await driver.place(request('left', group([fixed('api')], { name: 'api' })));
    const right = await driver.place(request('right', group([fixed('web')], { name: 'web' })));
    const out = await exec(right.containers.web!, ['sh', '-c', 'wget -q -T 2 -O - http://api/who || echo unreachable']);
    expect(out).toContain('unreachable');
  });

  it('runs a group on the host network when it asks: the process binds the host port itself', async () => {
    const hostTask = task({ name: 'web', image: 'deckhand-demo:v1', env: { PORT: '${NOMAD_PORT_http}' }, ports: [{ label: 'http', static: null, to: null }] });
    const placed = await driver.place(request('on-host', group([hostTask], { network: { mode: 'host', attachments: [] } })));
    const info = await docker.getContainer(placed.containers.web!).inspect();
    expect(info.HostConfig.NetworkMode).toBe('host');
    await eventually(() => httpGet(placed.ports.http!).then((r) => r.status === 200), 'the host-networked task to answer');
  });

  it('joins an external network by its own name, refuses one that is missing, and removes only networks it made', async () => {
    const external = `dh-ext-${runId}`;
    const job = { networks: [{ name: 'default', dockerName: null, external: false }, { name: 'proxy', dockerName: external, external: true }] };
    const attached = group([fixed()], { name: 'web', network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }, { network: 'proxy', aliases: ['site'] }] } });
    const missing = await driver.place({ ...request('ext', attached), job: job as never }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(PlacementError);
    expect((missing as Error).message).toContain(`network "${external}" is external`);

    await docker.createNetwork({ Name: external, Labels: labels });
    const req = { ...request('ext', attached), job: job as never };
    const placed = await driver.place(req);
    const info = await docker.getContainer(placed.containers.web!).inspect();
    expect(Object.keys(info.NetworkSettings.Networks).sort()).toEqual([`deckhand-ext${suffix}`, external].sort());
    expect(info.NetworkSettings.Networks[external]!.Aliases).toEqual(expect.arrayContaining(['web', 'site']));

    // In use: nothing is removed.
    expect(await driver.releaseNetworks(['deckhand-ext', external])).toEqual([]);
    await driver.stop(req.allocId);
    expect(await driver.releaseNetworks(['deckhand-ext', external])).toEqual([`deckhand-ext${suffix}`]);
    const names = (await docker.listNetworks()).map((n) => n.Name);
    expect(names).toContain(external);
    expect(names).not.toContain(`deckhand-ext${suffix}`);
  });

  it('names networks apart for agents with labels of their own', () => {
    expect(networkSuffixOf({})).toBe('');
    expect(networkSuffixOf({ a: '1' })).toMatch(/^-[0-9a-f]{8}$/);
    expect(networkSuffixOf({ a: '1' })).not.toBe(networkSuffixOf({ a: '2' }));
  });
});

