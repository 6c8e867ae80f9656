// The seeds' curl-during-update story on a three-node swarm, for the three formats
// at once: a real agent process with `--runtime swarm` follows a repository served
// over smart HTTP; a load loop runs against each job's published endpoint (the
// agent's edge, forwarding to each task's node port) while a commit updates the
// images, `git revert` rolls them back, and the agent is SIGKILLed in the middle of
// a rollout and started again. Not one request may fail.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoImageV1, demoImageV2 } from '../../src/demo/images.js';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { startLoadLoop } from '../support/load-loop.js';
import type { LoadLoop } from '../support/load-loop.js';
import { SwarmCluster } from '../support/swarm/cluster.js';
import { freePort, killEdges } from '../edge/support.js';
import { deployedFrom } from '../e2e/gitops-support.js';
import { ensureDemoImages } from '../runtime/support.js';

const compose = (image: string, port: number) => `name: vote
services:
  vote:
    image: ${image}
    environment:
      PORT: 8000
    ports:
      - "${port}:8000"
    deploy:
      replicas: 3
      update_config:
        parallelism: 1
        monitor: 2s
        failure_action: rollback
`;

const kubernetes = (image: string, port: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bootcamp
spec:
  replicas: 3
  progressDeadlineSeconds: 30
  selector:
    matchLabels:
      app: bootcamp
  template:
    metadata:
      labels:
        app: bootcamp
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: bootcamp
          image: ${image}
          env:
            - name: PORT
              value: "8080"
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /
              port: http
            periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: bootcamp
spec:
  type: NodePort
  selector:
    app: bootcamp
  ports:
    - port: 8080
      nodePort: ${port}
      targetPort: http
`;

const nomad = (image: string, port: number) => `job "web" {
  group "web" {
    count = 3
    update {
      max_parallel      = 1
      min_healthy_time  = "1s"
      healthy_deadline  = "15s"
      progress_deadline = "30s"
    }
    network {
      port "http" {
        static = ${port}
        to     = 8080
      }
    }
    service {
      port = "http"
      check {
        type     = "http"
        path     = "/"
        interval = "1s"
        timeout  = "1s"
      }
    }
    task "server" {
      driver = "docker"
      kill_timeout = "2s"
      config {
        image = "${image}"
        ports = ["http"]
      }
      env {
        PORT = "8080"
      }
    }
  }
}
`;

const formats = [
  { file: 'vote/compose.yaml', jobId: 'vote', text: compose },
  { file: 'k8s/bootcamp.yaml', jobId: 'bootcamp', text: kubernetes },
  { file: 'jobs/web.nomad', jobId: 'web', text: nomad },
];

let cluster: SwarmCluster;
let server: GitServer;
const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-swarm-endpoint-'));
const agents: AgentProcess[] = [];

beforeAll(async () => {
  await ensureDemoImages();
  [cluster, server] = await Promise.all([SwarmCluster.start({ nodes: 3, images: [demoImageV1, demoImageV2], heartbeatMs: 1000 }), startGitServer()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop('SIGKILL')));
  await killEdges([join(dataDir, 'edge')]);
  await server?.close();
  await cluster?.destroy();
}, 60_000);

function answersOf(load: LoadLoop, version: string): number {
  return [...load.snapshot().bodies].filter(([body]) => body.startsWith(`${version} `)).reduce((sum, [, count]) => sum + count, 0);
}

describe('published endpoints with --runtime swarm', () => {
  it('answer every request of a load loop per format across an update, a git revert, and the agent SIGKILLed mid-rollout', async () => {
    const ports = await Promise.all(formats.map(() => freePort()));
    const files = (image: string) => Object.fromEntries(formats.map((format, i) => [format.file, format.text(image, ports[i]!)]));
    const repo = await server.createRepository('swarm-endpoints');
    const startAgent = async () => {
      const agent = await startAgentProcess({ runId: cluster.runId, dataDir, env: { DOCKER_HOST: `unix://${cluster.nodes[0]!.socketPath}` }, extraArgs: ['--runtime', 'swarm', '--repo', repo.url, '--interval', '1s'] });
      agents.push(agent);
      return agent;
    };
    const deployed = async (agent: AgentProcess, sha: string) => {
      for (const format of formats) expect((await deployedFrom(agent.url, format.jobId, sha, 120_000)).deployment.status).toBe('successful');
    };

    const v1 = await repo.commitAndPush(files(demoImageV1), 'v1');
    let agent = await startAgent();
    await deployed(agent, v1);
    for (const [i, format] of formats.entries()) {
      const status = await api<{ endpoints: Array<{ address: string; port: number; allocations: string[] }> }>(agent.url, 'GET', `/v1/job/${format.jobId}`);
      expect(status.body.endpoints).toEqual([expect.objectContaining({ address: '127.0.0.1', port: ports[i], allocations: expect.any(Array) })]);
      expect(status.body.endpoints[0]!.allocations).toHaveLength(3);
    }

    const loads = ports.map((port) => startLoadLoop(port));
    await Promise.all(loads.map((load) => load.atLeast(20)));
    const v2 = await repo.commitAndPush(files(demoImageV2), 'v2');
    await deployed(agent, v2);

    await repo.git('revert', '--no-edit', 'HEAD');
    await repo.push();
    await deployed(agent, await repo.git('rev-parse', 'HEAD'));

    // v2 again; the agent is killed once every rollout is under way, and started again.
    const before = loads.map((load) => answersOf(load, 'v2'));
    const again = await repo.commitAndPush(files(demoImageV2), 'v2 again');
    const deadline = Date.now() + 90_000;
    while (loads.some((load, i) => answersOf(load, 'v2') <= before[i]!)) {
      if (Date.now() > deadline) throw new Error('v2 did not answer again on every endpoint');
      await Promise.all(loads.map((load) => load.atLeast(2)));
    }
    await agent.stop('SIGKILL');
    await Promise.all(loads.map((load) => load.atLeast(20)));
    agent = await startAgent();
    await deployed(agent, again);
    await Promise.all(loads.map((load) => load.atLeast(20)));

    for (const load of loads) {
      const result = await load.stop();
      expect({ failed: result.failed, errors: result.errors }).toEqual({ failed: 0, errors: [] });
      expect([...new Set([...result.bodies.keys()].map((body) => body.split(' ')[0]))].sort()).toEqual(['v1', 'v2']);
    }
  }, 400_000);
});
