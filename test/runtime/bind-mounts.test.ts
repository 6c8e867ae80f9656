// Integration: the driver checks bind mounts against the agent's allow-list again
// when it places an allocation (a stored version may have been judged under
// another list, or a link may lead elsewhere now), and mounts what it allows; an
// allocation's own volume (emptyDir) is shared by its tasks and goes with it.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { hostPathPolicy } from '../../src/agent/host-paths.js';
import { networkSuffixOf } from '../../src/runtime/docker/networks.js';
import { allocVolumeName } from '../../src/runtime/docker/volumes.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { PlacementError } from '../../src/runtime/driver.js';
import { docker, ensureDemoImages, group, newRunId, removeRunContainers, request, task, testLabel } from './support.js';

const runId = newRunId();
const labels = { [testLabel]: runId };
const root = realpathSync(mkdtempSync(join(tmpdir(), 'deckhand-binds-')));
let driver: DockerDriver;

beforeAll(async () => {
  await ensureDemoImages();
  mkdirSync(join(root, 'allowed'));
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'allowed', 'hello'), 'from the host');
  driver = new DockerDriver(docker, { labels, portRange: { min: 23000, max: 23999 }, stopTimeoutSeconds: 1, hostPaths: hostPathPolicy([join(root, 'allowed')]) });
});

afterAll(async () => {
  await driver.close();
  await removeRunContainers(runId);
  rmSync(root, { recursive: true, force: true });
});

const withBind = (source: string) => group([task({ name: 'web', mounts: [{ type: 'bind', source, target: '/host', readOnly: true }] })]);
const containersOfRun = () => docker.listContainers({ all: true, filters: { label: [`${testLabel}=${runId}`] } });

describe('bind mounts at placement', () => {
  it('a path outside the allow-list, or a link that now leads out of it, fails the placement and leaves nothing', async () => {
    await expect(driver.place(request('binds', withBind(join(root, 'outside'))))).rejects.toThrow(new PlacementError(`task "web" mounts /host from the host: host path ${root}/outside is not under a directory the agent allows (allow-host-path: ${root}/allowed)`));
    symlinkSync(join(root, 'outside'), join(root, 'allowed', 'later'));
    await expect(driver.place(request('binds', withBind(join(root, 'allowed', 'later'))))).rejects.toThrow(`host path ${root}/allowed/later (a link to ${root}/outside) is not under a directory the agent allows`);
    expect(await containersOfRun()).toEqual([]);
  });

  it('a path under the allow-list is mounted as given, read-only', async () => {
    const placed = await driver.place(request('binds', withBind(join(root, 'allowed'))));
    const mounts = (await docker.getContainer(placed.containers.web!).inspect()).Mounts;
    expect(mounts).toEqual([expect.objectContaining({ Type: 'bind', Source: join(root, 'allowed'), Destination: '/host', RW: false })]);
  });

  it('an allocation\'s own volume is shared by its tasks, and removed when the allocation stops', async () => {
    const scratch = { type: 'empty' as const, source: 'scratch', readOnly: false };
    const shared = group([task({ name: 'writer', mounts: [{ ...scratch, target: '/out' }] }), task({ name: 'reader', mounts: [{ ...scratch, target: '/in' }] })]);
    const placement = request('shared', shared);
    const placed = await driver.place(placement);
    const exec = promisify(execFile);
    await exec('docker', ['exec', placed.containers.writer!, 'sh', '-c', 'echo written > /out/note']);
    expect((await exec('docker', ['exec', placed.containers.reader!, 'cat', '/in/note'])).stdout).toBe('written\n');
    const volume = allocVolumeName(placement.allocId, 'scratch', networkSuffixOf(labels));
    expect((await docker.getVolume(volume).inspect()).Labels).toMatchObject({ 'deckhand.alloc': placement.allocId, 'deckhand.alloc-volume': 'scratch', [testLabel]: runId });
    await driver.stop(placement.allocId);
    await expect(docker.getVolume(volume).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
