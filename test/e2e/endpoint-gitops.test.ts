// The seeds' curl-during-update test through deckhand, for each of the three
// formats: a real agent process follows a repository served over smart HTTP; a
// load loop runs against the job's published endpoint while a commit updates
// the image, `git revert` rolls it back, and the agent is SIGKILLed in the middle
// of a rollout and started again. Not one request may fail.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { startLoadLoop } from '../support/load-loop.js';
import { freePort, killEdges } from '../edge/support.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';
import { deployedFrom } from './gitops-support.js';

interface Format {
  name: string;
  file: string;
  jobId: string;
  text: (image: string, port: number) => string;
}

const formats: Format[] = [
  {
    name: 'Compose (seeds 003/004: --publish 8000:8000)',
    file: 'vote/compose.yaml',
    jobId: 'vote',
    text: (image, port) => `name: vote
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
`,
  },
  {
    name: 'Kubernetes (seed 002: a Deployment behind a NodePort Service)',
    file: 'k8s/bootcamp.yaml',
    jobId: 'kubernetes-bootcamp',
    text: (image, port) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubernetes-bootcamp
  labels:
    app: kubernetes-bootcamp
spec:
  replicas: 3
  progressDeadlineSeconds: 30
  selector:
    matchLabels:
      app: kubernetes-bootcamp
  template:
    metadata:
      labels:
        app: kubernetes-bootcamp
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: kubernetes-bootcamp
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
  name: kubernetes-bootcamp
spec:
  type: NodePort
  selector:
    app: kubernetes-bootcamp
  ports:
    - port: 8080
      nodePort: ${port}
      targetPort: http
`,
  },
  {
    name: 'Nomad (seed 000 with a static port)',
    file: 'jobs/web.nomad',
    jobId: 'web',
    text: (image, port) => `job "web" {
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
`,
  },
];

let server: GitServer;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await server?.close();
});

describe.each(formats)('$name: a load loop against the published endpoint', (format) => {
  it('answers every request across an update, a git revert, and the agent SIGKILLed mid-rollout', async () => {
    const runId = newRunId();
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-endpoint-gitops-'));
    const agents: AgentProcess[] = [];
    cleanups.push(async () => {
      await Promise.all(agents.map((a) => a.stop('SIGKILL')));
      await killEdges([join(dataDir, 'edge')]);
      await removeRunContainers(runId);
    });
    const port = await freePort();
    const repo = await server.createRepository(`endpoint-${format.jobId}-${runId}`);
    const startAgent = async () => {
      const agent = await startAgentProcess({ runId, dataDir, extraArgs: ['--repo', repo.url, '--interval', '1s'] });
      agents.push(agent);
      return agent;
    };
    let agent = await startAgent();

    const v1 = await repo.commitAndPush({ [format.file]: format.text('deckhand-demo:v1', port) }, 'v1');
    expect((await deployedFrom(agent.url, format.jobId, v1)).deployment.status).toBe('successful');
    const status = await api<{ endpoints: Array<{ address: string; port: number; allocations: string[] }> }>(agent.url, 'GET', `/v1/job/${format.jobId}`);
    expect(status.body.endpoints).toEqual([expect.objectContaining({ address: '127.0.0.1', port, allocations: expect.any(Array) })]);
    expect(status.body.endpoints[0]!.allocations).toHaveLength(3);

    const load = startLoadLoop(port);
    await load.atLeast(20);
    const v2 = await repo.commitAndPush({ [format.file]: format.text('deckhand-demo:v2', port) }, 'v2');
    expect((await deployedFrom(agent.url, format.jobId, v2)).deployment.status).toBe('successful');

    await repo.git('revert', '--no-edit', 'HEAD');
    await repo.push();
    const reverted = await repo.git('rev-parse', 'HEAD');
    expect((await deployedFrom(agent.url, format.jobId, reverted)).deployment.status).toBe('successful');

    // v2 again; the agent is killed once the rollout is under way, and started again.
    const before = answersOf(load, 'v2');
    const again = await repo.commitAndPush({ [format.file]: format.text('deckhand-demo:v2', port) }, 'v2 again');
    await until(async () => {
      await load.atLeast(4);
      return answersOf(load, 'v2') > before;
    }, 'v2 to answer again');
    await agent.stop('SIGKILL');
    await load.atLeast(40);
    agent = await startAgent();
    expect((await deployedFrom(agent.url, format.jobId, again)).deployment.status).toBe('successful');
    await load.atLeast(20);

    const result = await load.stop();
    expect({ failed: result.failed, errors: result.errors }).toEqual({ failed: 0, errors: [] });
    const versions = new Set([...result.bodies.keys()].map((body) => body.split(' ')[0]));
    expect([...versions].sort()).toEqual(['v1', 'v2']);
  }, 240_000);
});

/** How many answers of a version came since the loop started, read while it goes on. */
function answersOf(load: ReturnType<typeof startLoadLoop>, version: string): number {
  return [...load.snapshot().bodies].filter(([body]) => body.startsWith(`${version} `)).reduce((sum, [, count]) => sum + count, 0);
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}
