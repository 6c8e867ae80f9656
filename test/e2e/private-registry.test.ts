// End to end: the agent follows a Git repository whose job runs an image from a
// private registry (docker-registry on 127.0.0.1, htpasswd auth), pulled with the
// credentials of the Docker client's config.json named by DOCKER_CONFIG in the
// agent's environment. With --pull always, a tag pushed anew is a new digest, a
// new version and a rolling update on the next sync of the same commit; an image
// the registry refuses fails its allocations with the registry's words in `status`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploymentView } from '../../src/api/views.js';
import { cli } from '../helpers/cli.js';
import { api, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { startGitServer } from '../support/git-server.js';
import type { GitServer } from '../support/git-server.js';
import { removeRunImages, startRegistry } from '../support/registry.js';
import type { TestRegistry } from '../support/registry.js';
import { docker, ensureDemoImages, eventually, httpGet, newRunId, removeRunContainers } from '../runtime/support.js';
import { containersOf } from './support.js';
import { deployedFrom } from './gitops-support.js';
import type { VersionRow } from './gitops-support.js';

const runId = newRunId();
let server: GitServer;
let registry: TestRegistry;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  await ensureDemoImages();
  [server, registry] = await Promise.all([startGitServer(), startRegistry()]);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await removeRunContainers(runId);
  await removeRunImages(docker, runId, registry.host, `deckhand-test/${runId}`);
  await Promise.all([server?.close(), registry?.stop()]);
});

const job = (image: string) => webJob({ image, count: 2, maxParallel: 2, healthyDeadline: '10s', progressDeadline: '15s', autoRevert: true });

async function servedBodies(): Promise<string[]> {
  const answer = await api<{ allocations: Array<{ desired: string; status: string; ports: Record<string, number> }> }>(agent!.url, 'GET', '/v1/job/web');
  const running = answer.body.allocations.filter((a) => a.desired === 'run' && a.status === 'running');
  return Promise.all(running.map(async (a) => (await httpGet(a.ports.http!)).body));
}

test('a private image pulled with config.json credentials; a tag pushed anew rolls out on the next sync; a refused pull in status', async () => {
  const repository = `deckhand-test/${runId}`;
  const image = `${registry.host}/${repository}:main`;
  const v1 = await registry.push(docker, 'deckhand-demo:v1', repository, 'main', runId);
  // Only the registry has it: the agent must pull it, with credentials.
  await docker.getImage(image).remove();

  const repo = await server.createRepository('jobs');
  const first = await repo.commitAndPush({ 'web.nomad': job(image) }, 'web from the private registry');
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-registry-agent-'));
  agent = await startAgentProcess({
    runId,
    dataDir,
    extraArgs: ['--repo', repo.url, '--branch', 'main', '--interval', '1s', '--pull', 'always'],
    env: { DOCKER_CONFIG: registry.dockerConfig() },
  });

  const v0 = await deployedFrom(agent.url, 'web', first);
  expect(v0.deployment.status).toBe('successful');
  const pinned = `${registry.host}/${repository}@${v1}`;
  expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual([pinned, pinned]);
  expect(await servedBodies()).toEqual(['version v1\n', 'version v1\n']);

  // The same tag, a new image: the next sync of the same commit makes version 1 of it, rolled out.
  const v2 = await registry.push(docker, 'deckhand-demo:v2', repository, 'main', runId);
  const moved = await eventually(async () => {
    const versions = (await api<VersionRow[]>(agent!.url, 'GET', '/v1/job/web/versions')).body;
    return versions.find((v) => v.version === 1);
  }, 'a version for the tag pushed anew', 30_000);
  expect(moved.commit).toBe(first);
  expect(moved.source.message).toMatch(new RegExp(`^image pushed anew: server: ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} sha256:[0-9a-f]{12}… → sha256:[0-9a-f]{12}…$`));
  const deployments = (await api<DeploymentView[]>(agent.url, 'GET', '/v1/job/web/deployments')).body;
  expect((await deploymentEnd(agent.url, deployments.find((d) => d.jobVersion === 1)!.id)).status).toBe('successful');
  const pinnedV2 = `${registry.host}/${repository}@${v2}`;
  expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual([pinnedV2, pinnedV2]);
  expect(await servedBodies()).toEqual(['version v2\n', 'version v2\n']);
  // The version's diff says what moved.
  const diffs = (await api<Array<{ version: number; diff: unknown }>>(agent.url, 'GET', '/v1/job/web/versions?diffs=true')).body;
  expect(JSON.stringify(diffs.find((d) => d.version === 1)!.diff)).toContain(`"type":"Edited","name":"image_digest","old":"${v1}","new":"${v2}"`);

  // An image the registry does not have: plan warns at its line; its allocations fail with the registry's words, shown by status.
  const work = mkdtempSync(join(tmpdir(), 'deckhand-registry-plan-'));
  writeFileSync(join(work, 'web.nomad'), job(`${registry.host}/${repository}:nope`));
  const plan = await cli(['plan', join(work, 'web.nomad')], { env: { DECKHAND_ADDR: agent.url } });
  expect(plan.code).toBe(1);
  expect(plan.stderr).toMatch(/web\.nomad:\d+:\d+: warning: config\.image: task "server": the registry of \S+:nope gave no digest \(.*manifest unknown.*\); the image is pulled when an allocation is placed\n/);
  const missing = await repo.commitAndPush({ 'web.nomad': job(`${registry.host}/${repository}:nope`) }, 'a tag never pushed');
  const broken = await deployedFrom(agent.url, 'web', missing);
  expect(broken.deployment.status).toBe('failed');
  const status = await cli(['status', 'web'], { env: { DECKHAND_ADDR: agent.url } });
  expect(status.stdout).toMatch(/Recent Failures\n/);
  expect(status.stdout).toMatch(/pulling \S+:nope failed: manifest for \S+:nope not found: manifest unknown/);
  // Reverted automatically to the version that ran, at its digest.
  await eventually(async () => {
    const bodies = await servedBodies();
    return bodies.length === 2 && bodies.every((b) => b === 'version v2\n');
  }, 'the rollback to the digest that ran', 30_000);
  expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual([pinnedV2, pinnedV2]);

  // `deckhand run` of a Compose file pulled always records the digest too; the same file again is no new version.
  writeFileSync(join(work, 'compose.yaml'), `name: pinned\nservices:\n  api:\n    image: ${image}\n    pull_policy: always\n`);
  const run = await cli(['run', '--detach', join(work, 'compose.yaml')], { env: { DECKHAND_ADDR: agent.url } });
  expect(run.stdout).toMatch(/^==> Job "pinned" registered: version 0/);
  const versions = (await api<Array<{ job: { groups: Array<{ tasks: Array<{ imageDigest?: string; pull?: string }> }> } }>>(agent.url, 'GET', '/v1/job/pinned/versions')).body;
  expect(versions[0]!.job.groups[0]!.tasks[0]).toMatchObject({ pull: 'always', imageDigest: v2 });
  expect((await cli(['run', '--detach', join(work, 'compose.yaml')], { env: { DECKHAND_ADDR: agent.url } })).stdout).toMatch(/^==> Job "pinned" is unchanged: version 0/);
}, 180_000);
