// Issue 14's stack through GitOps: web, db and cache in one Compose file, db
// writing to a named volume. A real agent follows the repository over smart
// HTTP while commits update db's image, deploy a failing one (auto-reverted), `git
// revert` a commit, and the agent is SIGKILLed in the middle of a rollout. What
// db wrote first is still there after every one of them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedPortImageUnhealthy, fixedPortImageV1, fixedPortImageV2 } from '../../src/demo/images.js';
import type { DeploymentView } from '../../src/api/views.js';
import { api, deploymentEnd, startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { startGitServer } from '../support/git-server.js';
import type { GitServer } from '../support/git-server.js';
import { freePort, killEdges } from '../edge/support.js';
import { docker, ensureDemoImages, eventually, httpGet, newRunId, removeRunContainers, testLabel } from '../runtime/support.js';
import { deployedFrom } from './gitops-support.js';

let server: GitServer;
const runId = newRunId();
const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-stateful-'));
const agents: AgentProcess[] = [];

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await killEdges([join(dataDir, 'edge')]);
  await removeRunContainers(runId);
  await server?.close();
});

/** db keeps the host name of its first container in its volume and serves it at /born. */
const stack = (dbImage: string, webPort: number, dbPort: number) => `name: shop
services:
  web:
    image: deckhand-demo:v1
    environment: {PORT: 8000}
    ports: ["${webPort}:8000"]
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_started}
  cache:
    image: deckhand-demo:v1
    environment: {PORT: 6379}
    healthcheck: {disable: true}
  db:
    image: ${dbImage}
    entrypoint: ["/bin/sh", "-c"]
    command:
      - |
        mkdir -p /www
        [ -f /data/born ] || hostname > /data/born
        cp /data/born /www/born
        echo ok > /www/index.html
        exec httpd -f -p 80 -h /www
    volumes: [db-data:/data]
    ports: ["${dbPort}:80"]
    stop_grace_period: 1s
    deploy:
      update_config: {failure_action: rollback, monitor: 1s}
volumes:
  db-data: {}
`;

describe('a stateful Compose stack through GitOps', () => {
  it("keeps db's data across an image update, an auto-reverted failing version, a git revert and a SIGKILLed agent", async () => {
    const [webPort, dbPort] = [await freePort(), await freePort()];
    const repo = await server.createRepository(`stateful-${runId}`);
    const startAgent = async () => {
      const agent = await startAgentProcess({ runId, dataDir, extraArgs: ['--repo', repo.url, '--interval', '1s'] });
      agents.push(agent);
      return agent;
    };
    let agent = await startAgent();
    const born = () => eventually(() => httpGet(dbPort, '/born').then((r) => r.status === 200 && r.body.trim()), 'db to answer');
    const commit = (image: string, message: string) => repo.commitAndPush({ 'shop/compose.yaml': stack(image, webPort, dbPort) }, message);

    const v1 = await commit(fixedPortImageV1, 'db v1');
    expect((await deployedFrom(agent.url, 'shop', v1)).deployment.status).toBe('successful');
    const first = await born();
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect((await httpGet(webPort, '/')).status).toBe(200);

    const v2 = await commit(fixedPortImageV2, 'db v2');
    expect((await deployedFrom(agent.url, 'shop', v2)).deployment.status).toBe('successful');
    expect(await born()).toBe(first);

    // git revert of the v2 commit: db v1 again.
    await repo.git('revert', '--no-edit', 'HEAD');
    await repo.push();
    const reverted = await repo.git('rev-parse', 'HEAD');
    expect((await deployedFrom(agent.url, 'shop', reverted)).deployment.status).toBe('successful');
    expect(await born()).toBe(first);

    // A version whose HEALTHCHECK fails: deckhand reverts to the last stable one (v1) by itself.
    const broken = await commit(fixedPortImageUnhealthy, 'db broken');
    const failed = await deployedFrom(agent.url, 'shop', broken);
    expect(failed.deployment.status).toBe('failed');
    const revert = await eventually(async () => {
      const deployments = await api<DeploymentView[]>(agent.url, 'GET', '/v1/job/shop/deployments');
      return deployments.body.find((d) => d.jobVersion > failed.version.version);
    }, 'the auto-revert deployment');
    expect((await deploymentEnd(agent.url, revert.id)).status).toBe('successful');
    expect(await born()).toBe(first);

    // v2 again; the agent is killed once the new db container exists, and started again.
    const dbContainers = async () => (await docker.listContainers({ filters: { label: [`${testLabel}=${runId}`, 'deckhand.group=db'] } })).map((c) => c.Image);
    const again = await commit(fixedPortImageV2, 'db v2 again');
    await eventually(async () => (await dbContainers()).includes(fixedPortImageV2), 'the rollout to start');
    await agent.stop('SIGKILL');
    agent = await startAgent();
    expect((await deployedFrom(agent.url, 'shop', again)).deployment.status).toBe('successful');
    expect(await born()).toBe(first);
    expect(await dbContainers()).toEqual([fixedPortImageV2]);
  }, 240_000);
});
