// Issue 14 on the real engine: every container setting a Compose service gives
// reaches the container (`docker inspect`), and changing one replaces it.
import { fixedPortImageV1 } from '../../src/demo/images.js';
import { renderTree } from '../../src/render/tree.js';
import { docker, newRunId } from '../runtime/support.js';
import { cli, removeRunContainers, startHarness } from './support.js';
import type { Harness } from './support.js';

const runId = newRunId();
let h: Harness;

beforeAll(async () => {
  h = await startHarness(runId);
});

afterAll(async () => {
  await h?.close();
  await removeRunContainers(runId);
});

const compose = (team: string) => `name: settings
services:
  app:
    image: ${fixedPortImageV1}
    entrypoint: ["/bin/sh", "-c", "exec sleep 3600"]
    healthcheck: {disable: true}
    labels:
      traefik.enable: "true"
      team: ${team}
    user: "1000:1000"
    working_dir: /tmp
    hostname: app-host
    stop_signal: SIGQUIT
    stop_grace_period: 1s
    extra_hosts: ["db.local:198.18.0.5"]
    dns: [198.18.0.53]
    dns_search: [example.internal]
    dns_opt: ["ndots:2"]
    cap_add: [NET_ADMIN]
    cap_drop: [MKNOD]
    read_only: true
    sysctls: {net.core.somaxconn: 1024}
    ulimits:
      nofile: {soft: 1024, hard: 2048}
    shm_size: 32m
    init: false
    logging:
      driver: json-file
      options: {max-size: 1m}
`;

async function deploy(team: string): Promise<void> {
  const rendered = renderTree({ rootName: 'settings', files: new Map([['compose.yaml', new TextEncoder().encode(compose(team))]]) });
  expect(rendered.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const { deployment } = h.engine.submit({ job: rendered.jobs[0]!.job, source: cli, sourceText: null });
  expect((await h.engine.waitForDeployment(deployment!.id, 60_000)).status).toBe('successful');
}

function runningContainer(): string {
  return h.store.listAllocations('settings').find((a) => a.status === 'running')!.containers.app!;
}

describe('container settings from a Compose service', () => {
  it('reach docker inspect, and a changed label replaces the container', async () => {
    await deploy('web');
    const first = runningContainer();
    const info = await docker.getContainer(first).inspect();
    expect(info.Config).toMatchObject({ User: '1000:1000', WorkingDir: '/tmp', Hostname: 'app-host', StopSignal: 'SIGQUIT' });
    expect(info.Config.Labels).toMatchObject({ 'traefik.enable': 'true', team: 'web', 'deckhand.job': 'settings' });
    expect(info.HostConfig).toMatchObject({
      ExtraHosts: ['db.local:198.18.0.5'],
      Dns: ['198.18.0.53'],
      DnsSearch: ['example.internal'],
      DnsOptions: ['ndots:2'],
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      ReadonlyRootfs: true,
      Sysctls: { 'net.core.somaxconn': '1024' },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      ShmSize: 32 * 1024 * 1024,
      Init: false,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
    // The process runs as the user, and sees the extra host.
    const exec = await docker.getContainer(first).exec({ Cmd: ['/bin/sh', '-c', 'id -u; grep db.local /etc/hosts'], AttachStdout: true, AttachStderr: true });
    const output = await new Promise<string>((resolve, reject) => {
      exec.start({}, (error, stream) => {
        if (error || !stream) return reject(error ?? new Error('no stream'));
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
      });
    });
    expect(output).toMatch(/1000[\s\S]*198\.18\.0\.5\s+db\.local/);

    await deploy('ops');
    const second = runningContainer();
    expect(second).not.toBe(first);
    expect((await docker.getContainer(second).inspect()).Config.Labels).toMatchObject({ team: 'ops' });
  }, 120_000);
});

describe('depends_on from a Compose file', () => {
  it('places the dependant only after the dependency is healthy', async () => {
    const text = `name: ordered
services:
  web:
    image: ${fixedPortImageV1}
    entrypoint: ["/bin/sh", "-c", "exec sleep 3600"]
    healthcheck: {disable: true}
    depends_on:
      db: {condition: service_healthy}
    deploy:
      update_config: {monitor: 200ms}
  db:
    image: ${fixedPortImageV1}
    deploy:
      update_config: {monitor: 200ms}
`;
    const rendered = renderTree({ rootName: 'ordered', files: new Map([['compose.yaml', new TextEncoder().encode(text)]]) });
    expect(rendered.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const { deployment } = h.engine.submit({ job: rendered.jobs[0]!.job, source: cli, sourceText: null });
    expect((await h.engine.waitForDeployment(deployment!.id, 60_000)).status).toBe('successful');
    const running = h.store.listAllocations('ordered').filter((a) => a.status === 'running');
    const db = running.find((a) => a.group === 'db')!;
    const web = running.find((a) => a.group === 'web')!;
    // db was healthy (its HEALTHCHECK passed, then the monitor time) before web was even created.
    expect(db.healthyAt).not.toBeNull();
    expect(web.createdAt).toBeGreaterThanOrEqual(db.healthyAt!);
    const dbContainer = await docker.getContainer(db.containers.db!).inspect();
    expect(dbContainer.State.Health!.Status).toBe('healthy');
  }, 90_000);
});
