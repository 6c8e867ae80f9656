// Integration: a task's files on the real engine — written under the driver's files
// folder, bind-mounted read-only at their targets, removed with the allocation.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { PlacementError } from '../../src/runtime/driver.js';
import type { TaskFile } from '../../src/model/job.js';
import { docker, ensureDemoImages, eventually, group, newRunId, removeRunContainers, request, task, testLabel } from './support.js';

const run = promisify(execFile);
const runId = newRunId();
const filesDir = join(mkdtempSync(join(tmpdir(), 'deckhand-files-')), 'files');
const driverOptions = { labels: { [testLabel]: runId }, portRange: { min: 23000, max: 23499 }, stopTimeoutSeconds: 1, filesDir };
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

afterAll(() => rmSync(join(filesDir, '..'), { recursive: true, force: true }));

/** What a command prints inside the container (docker exec), with its exit code. */
async function exec(containerId: string, ...command: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('docker', ['exec', containerId, ...command]);
    return { code: 0, out: stdout };
  } catch (error) {
    return { code: (error as { code: number }).code, out: (error as { stderr: string }).stderr };
  }
}

const files: TaskFile[] = [
  { target: '/run/secrets/db_password', content: 'hunter2\n', mode: 0o400, sensitive: true },
  { target: '/etc/app/app.conf', content: 'listen 80\n', mode: 0o444, sensitive: false },
  { target: '/etc/app/blob', content: Buffer.from([0xff, 0x00, 0x41]).toString('base64'), encoding: 'base64', mode: 0o444, sensitive: true },
];
const sleeper = (extra: Partial<Parameters<typeof task>[0]> = {}) => task({ name: 'app', command: 'sleep', args: ['3600'], files, ...extra });

describe('task files on the engine', () => {
  it('are mounted read-only at their targets with their modes, also into a read-only root filesystem', async () => {
    const req = request('files', group([sleeper({ container: { readOnlyRootfs: true } })]));
    const placement = await driver.place(req);
    const id = placement.containers.app!;
    expect(await exec(id, 'cat', '/run/secrets/db_password')).toEqual({ code: 0, out: 'hunter2\n' });
    expect(await exec(id, 'cat', '/etc/app/app.conf')).toEqual({ code: 0, out: 'listen 80\n' });
    expect((await exec(id, 'od', '-An', '-tx1', '/etc/app/blob')).out.trim()).toBe('ff 00 41');
    expect((await exec(id, 'stat', '-c', '%a', '/run/secrets/db_password', '/etc/app/app.conf')).out.split('\n').filter(Boolean)).toEqual(['400', '444']);
    const write = await exec(id, 'sh', '-c', 'echo changed > /etc/app/app.conf');
    expect(write.code).not.toBe(0);
    expect(write.out).toMatch(/Read-only file system/);

    const info = await docker.getContainer(id).inspect();
    const mounts = info.Mounts.map((m) => ({ type: m.Type, destination: m.Destination, rw: m.RW }));
    expect(mounts).toEqual(expect.arrayContaining(files.map((f) => ({ type: 'bind', destination: f.target, rw: false }))));
    // The content is in no label or variable the engine shows, only in the job spec deckhand keeps on the container.
    expect(JSON.stringify(info.Config.Env)).not.toContain('hunter2');

    const allocDir = join(filesDir, req.allocId);
    expect(statSync(filesDir).mode & 0o777).toBe(0o700);
    expect(statSync(allocDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(allocDir, '0', '0')).mode & 0o777).toBe(0o400);

    await driver.stop(req.allocId);
    expect(existsSync(allocDir)).toBe(false);
  });

  it("are removed once the allocation's containers are gone, even when removed by hand", async () => {
    const req = request('files-gone', group([sleeper()]));
    const placement = await driver.place(req);
    expect(readdirSync(filesDir)).toContain(req.allocId);
    await docker.getContainer(placement.containers.app!).remove({ force: true });
    await eventually(async () => {
      await driver.observe();
      return !readdirSync(filesDir).includes(req.allocId);
    }, 'the files of the removed allocation to be gone');
  });

  it('are written again from the job the containers carry when the folder is lost, so an engine restart of the container still finds them', async () => {
    const req = request('files-lost', group([sleeper()]));
    const placement = await driver.place({ ...req, job: { id: 'files-lost', type: 'service', source: { format: 'compose', file: 'x' }, meta: {}, historyLimit: null, networks: [], endpoints: [], groups: [req.group] } });
    rmSync(join(filesDir, req.allocId), { recursive: true });
    await driver.observe();
    expect(statSync(join(filesDir, req.allocId, '0', '0')).mode & 0o777).toBe(0o400);
    const container = docker.getContainer(placement.containers.app!);
    await container.restart({ t: 0 });
    expect(await exec(placement.containers.app!, 'cat', '/run/secrets/db_password')).toEqual({ code: 0, out: 'hunter2\n' });
  });

  it('a Nomad task has /alloc (shared by the group), /local and /secrets, as its NOMAD_*_DIR say, its templates inside, all gone with the allocation', async () => {
    const template: TaskFile = { target: '/local/app.conf', content: 'listen 80\n', mode: 0o444, sensitive: false };
    const req = request('task-dirs', group([sleeper({ files: [template] }), task({ name: 'side', command: 'sleep', args: ['3600'] })]));
    const placement = await driver.place({ ...req, job: { id: 'task-dirs', type: 'service', source: { format: 'nomad', file: 'x.nomad' }, meta: {}, historyLimit: null, networks: [], endpoints: [], groups: [req.group] } });
    const id = placement.containers.app!;
    const written = await exec(id, 'sh', '-c', 'for d in "$NOMAD_ALLOC_DIR" "$NOMAD_TASK_DIR" "$NOMAD_SECRETS_DIR"; do echo hi > "$d/probe" && echo "$d"; done; cat "$NOMAD_TASK_DIR/app.conf"');
    expect(written).toEqual({ code: 0, out: '/alloc\n/local\n/secrets\nlisten 80\n' });
    expect(await exec(placement.containers.side!, 'sh', '-c', 'cat /alloc/probe; ls /local')).toEqual({ code: 0, out: 'hi\n' });
    const mounts = (await docker.getContainer(id).inspect()).Mounts;
    expect(mounts.find((m) => m.Destination === '/secrets')?.Type).toBe('tmpfs');
    const volumes = mounts.filter((m) => m.Destination === '/alloc' || m.Destination === '/local').map((m) => m.Name!);
    expect(volumes).toHaveLength(2);
    await driver.stop(req.allocId);
    for (const name of volumes) await expect(docker.getVolume(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a placement that fails leaves no files behind', async () => {
    const req = request('files-fail', group([sleeper({ image: 'dummy/dummy:v99.9' })]));
    await expect(driver.place(req)).rejects.toBeInstanceOf(PlacementError);
    expect(readdirSync(filesDir)).not.toContain(req.allocId);
  });

  it('a driver without a files folder refuses a task with files, naming it', async () => {
    const bare = new DockerDriver(docker, { ...driverOptions, filesDir: undefined });
    const error = await bare.place(request('files-none', group([sleeper()]))).catch((e: unknown) => e);
    await bare.close();
    expect(error).toBeInstanceOf(PlacementError);
    expect((error as Error).message).toBe('task "app" has files to mount, and this driver has no data directory to write them in');
  });
});
