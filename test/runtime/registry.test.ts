// Integration: images from a private registry (Debian's docker-registry on 127.0.0.1,
// htpasswd auth) through the real engine. Credentials come from a Docker client
// configuration (DOCKER_CONFIG) the driver reads; without them the registry's own
// refusal is the placement's error; a tag pushed anew has a new digest, which pins
// what the containers run.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../../src/model/job.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { PlacementError } from '../../src/runtime/driver.js';
import { resolveImages } from '../../src/rollout/images.js';
import { startRegistry, removeRunImages } from '../support/registry.js';
import type { TestRegistry } from '../support/registry.js';
import { docker, ensureDemoImages, eventually, group, httpGet, newRunId, removeRunContainers, request, testLabel, webTask } from './support.js';

const runId = newRunId();
let registry: TestRegistry;
const drivers: DockerDriver[] = [];
let image: string;
let pushedV1: string;

function driverWith(env: Record<string, string>, pullPolicy: 'missing' | 'always' = 'missing'): DockerDriver {
  const driver = new DockerDriver(docker, { labels: { [testLabel]: runId }, portRange: { min: 23000, max: 23999 }, stopTimeoutSeconds: 1, credentialsEnv: env, pullPolicy });
  drivers.push(driver);
  return driver;
}

/** Forgets the image locally, so that the next placement must pull it. */
async function forget(name: string): Promise<void> {
  const listed = await docker.listImages({ filters: { reference: [name.replace(/@.*$/, '')] } });
  for (const item of listed) {
    for (const ref of [...(item.RepoTags ?? []), ...(item.RepoDigests ?? [])]) await docker.getImage(ref).remove().catch(() => {});
  }
}

beforeAll(async () => {
  await ensureDemoImages();
  registry = await startRegistry();
  image = `${registry.host}/deckhand-test/${runId}:main`;
  pushedV1 = await registry.push(docker, 'deckhand-demo:v1', `deckhand-test/${runId}`, 'main', runId);
  await forget(image);
}, 60_000);

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
  await removeRunContainers(runId);
});

afterAll(async () => {
  await removeRunImages(docker, runId, registry.host, `deckhand-test/${runId}`);
  await registry?.stop();
});

describe('a private registry', () => {
  it('refuses a pull without credentials: the registry\'s words are the placement\'s error', async () => {
    const driver = driverWith({ DOCKER_CONFIG: registry.dockerConfig(null) });
    const error = await driver.place(request('private', group([webTask(image)]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlacementError);
    expect((error as Error).message).toMatch(new RegExp(`^No such image: ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; pulling it failed: .*no basic auth credentials`));
  });

  it('refuses wrong credentials with the registry\'s "unauthorized"', async () => {
    const driver = driverWith({ DOCKER_CONFIG: registry.dockerConfig({ username: registry.username, password: 'wrong' }) });
    await expect(driver.place(request('private', group([webTask(image)])))).rejects.toThrow(/pulling it failed: .*unauthorized/);
  });

  it('pulls with the credentials of the Docker client\'s config.json, and the container runs it', async () => {
    const driver = driverWith({ DOCKER_CONFIG: registry.dockerConfig() });
    const placement = await driver.place(request('private', group([webTask(image)])));
    const served = await eventually(() => httpGet(placement.ports.http!), 'the pulled image to serve');
    expect(served.body).toBe('version v1\n');
    expect((await docker.getImage(image).inspect()).RepoDigests).toContain(`${registry.host}/deckhand-test/${runId}@${pushedV1}`);
  });

  it('pulls through a credential helper (credHelpers), as the Docker client does', async () => {
    await forget(image);
    const bin = join(registry.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-deckhandtest');
    // Answers for this registry only; says "not found" otherwise, as helpers do.
    writeFileSync(helper, `#!/bin/sh\nread server\nif [ "$server" = "${registry.host}" ]; then printf '{"ServerURL":"%s","Username":"${registry.username}","Secret":"${registry.password}"}' "$server"; else echo "credentials not found in native keychain"; exit 1; fi\n`);
    chmodSync(helper, 0o755);
    const folder = registry.dockerConfig(null);
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'deckhandtest' } }));
    const driver = driverWith({ DOCKER_CONFIG: folder, PATH: `${bin}:${process.env.PATH}` });
    const placement = await driver.place(request('helper', group([webTask(image)])));
    expect(Object.keys(placement.containers)).toEqual(['web']);
  });

  it('pulls with the job file\'s own credentials (Nomad auth {}), which win over the Docker client\'s', async () => {
    await forget(image);
    const driver = driverWith({ DOCKER_CONFIG: registry.dockerConfig({ username: registry.username, password: 'wrong' }) });
    const credentials = { username: registry.username, password: registry.password, serverAddress: null };
    const placement = await driver.place(request('job-auth', group([{ ...webTask(image), registryAuth: credentials }])));
    expect(Object.keys(placement.containers)).toEqual(['web']);
    const job = { id: 'job-auth', groups: [group([{ ...webTask(image), pull: 'always' as const, registryAuth: credentials }])] } as unknown as Job;
    expect((await resolveImages(job, undefined, driver.imageRegistry)).job.groups[0]!.tasks[0]!.imageDigest).toBe(pushedV1);
  });

  it('never pulls with policy never; always pulls before each placement', async () => {
    await forget(image);
    const never = driverWith({ DOCKER_CONFIG: registry.dockerConfig() });
    await expect(never.place(request('never', group([{ ...webTask(image), pull: 'never' }])))).rejects.toThrow(/^No such image: .*its pull policy is "never"/);
    // The agent's policy always: a task that says nothing is pulled, though the engine has an image of that name.
    const v2 = await registry.push(docker, 'deckhand-demo:v2', `deckhand-test/${runId}`, 'main', runId);
    await docker.getImage(image).tag({ repo: image.replace(/:main$/, ''), tag: 'main' }).catch(() => {});
    await forget(image);
    await docker.getImage('deckhand-demo:v1').tag({ repo: image.replace(/:main$/, ''), tag: 'main' });
    const always = driverWith({ DOCKER_CONFIG: registry.dockerConfig() }, 'always');
    const placement = await always.place(request('always', group([webTask(image)])));
    const served = await eventually(() => httpGet(placement.ports.http!), 'the pulled image to serve');
    expect(served.body).toBe('version v2\n');
    expect((await docker.getImage(image).inspect()).RepoDigests).toContain(`${registry.host}/deckhand-test/${runId}@${v2}`);
  });

  it('a tag pushed anew has a new digest: resolved before submit, it pins what the containers run', async () => {
    const driver = driverWith({ DOCKER_CONFIG: registry.dockerConfig() }, 'always');
    const job = { id: 'moving', groups: [group([webTask(image)])] } as unknown as Job;
    const before = await resolveImages(job, undefined, driver.imageRegistry);
    expect(before.problems).toEqual([]);
    const first = before.job.groups[0]!.tasks[0]!.imageDigest!;
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);

    const pushed = await registry.push(docker, 'deckhand-demo:v3', `deckhand-test/${runId}`, 'main', runId);
    const after = await resolveImages(before.job, job, driver.imageRegistry);
    expect(after.job.groups[0]!.tasks[0]!.imageDigest).toBe(pushed);
    expect(pushed).not.toBe(first);

    // Placed at the resolved digest: exactly that image runs, whatever the tag says locally.
    await docker.getImage('deckhand-demo:v1').tag({ repo: image.replace(/:main$/, ''), tag: 'main' });
    const placement = await driver.place(request('moving', after.job.groups[0]!));
    expect((await docker.getContainer(placement.containers.web!).inspect()).Config.Image).toBe(`${registry.host}/deckhand-test/${runId}@${pushed}`);
    expect((await eventually(() => httpGet(placement.ports.http!), 'the pinned image to serve')).body).toBe('version v3\n');
  });

  it('a registry that does not answer keeps the digest the task had, and says why', async () => {
    const driver = driverWith({ DOCKER_CONFIG: registry.dockerConfig(null) }, 'always');
    const pinned = { id: 'moving', groups: [group([{ ...webTask(image), imageDigest: pushedV1 }])] } as unknown as Job;
    const resolved = await resolveImages(pinned, undefined, driver.imageRegistry);
    expect(resolved.job).toBe(pinned);
    expect(resolved.problems).toEqual([{ group: 0, task: 0, message: expect.stringMatching(/^task "web": the registry of .* gave no digest \(.*(unauthorized|authentication required|no basic auth).*\); keeping sha256:/) }]);
  });
});
