// GitOps on a three-node swarm: a real agent process started with `--runtime swarm`
// and DOCKER_HOST naming one manager's socket, following a repository served over
// smart HTTP. git push deploys (one service per allocation, across the nodes); a
// push of a file asking for what a service cannot carry is refused at its line and
// touches nothing; `git revert` rolls back.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoImageV1, demoImageV2 } from '../../src/demo/images.js';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { SwarmCluster } from '../support/swarm/cluster.js';
import { deployedFrom } from '../e2e/gitops-support.js';
import type { VersionRow } from '../e2e/gitops-support.js';
import { ensureDemoImages, eventually, testLabel } from '../runtime/support.js';

let cluster: SwarmCluster;
let server: GitServer;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  await ensureDemoImages();
  [cluster, server] = await Promise.all([SwarmCluster.start({ nodes: 3, images: [demoImageV1, demoImageV2], heartbeatMs: 1000 }), startGitServer()]);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await cluster?.destroy();
}, 60_000);

const stack = (image: string, extra = '') => `name: shop
services:
  web:
    image: ${image}
    environment:
      PORT: "8080"
    deploy:
      replicas: 3
      update_config:
        parallelism: 2
        monitor: 1s
${extra}`;

/** The images of the job's containers on every node, and the versions of its services. */
async function running(): Promise<{ images: string[]; versions: number[]; nodes: number }> {
  const containers = await Promise.all(cluster.nodes.map((node) => node.docker.listContainers({ filters: { label: ['deckhand.job=shop', `${testLabel}=${cluster.runId}`] } })));
  const services = await cluster.manager.docker.listServices({ filters: { label: ['com.docker.stack.namespace=shop'] } });
  return {
    images: containers.flat().map((container) => container.Image).sort(),
    versions: services.map((service) => Number(service.Spec!.Labels!['deckhand.version'])).sort(),
    nodes: containers.filter((list) => list.length > 0).length,
  };
}

describe('GitOps with --runtime swarm', () => {
  test('git push deploys across the nodes, a refused setting touches nothing, git revert rolls back', async () => {
    const repo = await server.createRepository('swarm-jobs');
    const first = await repo.commitAndPush({ 'docker-compose.yaml': stack(demoImageV1) }, 'shop v1');
    agent = await startAgentProcess({
      runId: cluster.runId,
      dataDir: mkdtempSync(join(tmpdir(), 'deckhand-swarm-gitops-')),
      env: { DOCKER_HOST: `unix://${cluster.nodes[0]!.socketPath}` },
      extraArgs: ['--runtime', 'swarm', '--repo', repo.url, '--branch', 'main', '--interval', '1m'],
    });
    const sync = () => api(agent!.url, 'POST', '/v1/sync');
    const syncState = async () => (await api<{ sha: string; lastError: string | null; problems: string[] }>(agent!.url, 'GET', '/v1/sync')).body;

    const v0 = await deployedFrom(agent.url, 'shop', first, 90_000);
    expect(v0.deployment).toMatchObject({ status: 'successful' });
    await eventually(async () => {
      const now = await running();
      return now.images.join() === Array(3).fill(demoImageV1).join() && now.nodes === 3 && now;
    }, 'three v1 containers, one on each node', 30_000);

    const second = await repo.commitAndPush({ 'docker-compose.yaml': stack(demoImageV2) }, 'shop v2');
    await sync();
    const v1 = await deployedFrom(agent.url, 'shop', second, 90_000);
    expect(v1.deployment).toMatchObject({ status: 'successful' });
    expect((await running()).versions).toEqual([v1.version.version, v1.version.version, v1.version.version]);

    // A /dev/shm size: a Swarm service has none. Refused at its line; what runs stays.
    const refused = await repo.commitAndPush({ 'docker-compose.yaml': stack(demoImageV1, '    shm_size: 64m\n') }, 'shop with a shm size');
    await sync();
    const problem = await eventually(async () => {
      const state = await syncState();
      return state.sha === refused && state.problems[0];
    }, 'the refused commit taken in', 30_000);
    expect(problem).toMatch(/^docker-compose\.yaml:12:\d+: services\.web\.shm_size: not supported by --runtime swarm: task "web": shmSizeBytes: a service has no \/dev\/shm size/);
    expect((await api<VersionRow[]>(agent.url, 'GET', '/v1/job/shop/versions')).body).toHaveLength(2);
    expect((await running()).images).toEqual(Array(3).fill(demoImageV2));

    // git revert of the refused commit and of v2: v1 comes back as a new version, a rollback.
    await repo.git('revert', '--no-edit', 'HEAD');
    await repo.git('revert', '--no-edit', second);
    await repo.push();
    const reverted = await repo.git('rev-parse', 'HEAD');
    await sync();
    const back = await deployedFrom(agent.url, 'shop', reverted, 90_000);
    expect(back.deployment).toMatchObject({ status: 'successful' });
    expect(back.version).toMatchObject({ version: 2, source: { kind: 'git', revertOf: 0 } });
    await eventually(async () => (await running()).images.join() === Array(3).fill(demoImageV1).join() || undefined, 'three v1 containers again', 30_000);
    expect((await running()).versions).toEqual([2, 2, 2]);
  }, 300_000);
});
