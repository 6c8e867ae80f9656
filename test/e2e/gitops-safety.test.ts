// Never destroy on doubt, end to end: a typo that hides what a job file is, a lost
// data directory, a rewritten history. A real agent follows a repository served
// over smart HTTP and runs on the real Docker engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploymentView } from '../../src/api/views.js';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { containersOf } from './support.js';
import { ensureDemoImages, newRunId, removeRunContainers, testLabel } from '../runtime/support.js';

let server: GitServer;
const runs: string[] = [];
const agents: AgentProcess[] = [];

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await Promise.all(runs.map(removeRunContainers));
  await server?.close();
});

async function agentFor(runId: string, args: string[], dataDir = mkdtempSync(join(tmpdir(), 'deckhand-safety-'))): Promise<AgentProcess> {
  if (!runs.includes(runId)) runs.push(runId);
  const agent = await startAgentProcess({ runId, dataDir, extraArgs: args });
  agents.push(agent);
  return agent;
}

interface SyncState {
  sha: string | null;
  lastError: string | null;
  problems: string[];
}

/** Asks for a sync and resolves with the state once the agent took `sha` in (or failed on it, for `failure`). */
async function synced(url: string, until: (state: SyncState) => boolean): Promise<SyncState> {
  await api(url, 'POST', '/v1/sync');
  for (let i = 0; i < 300; i++) {
    const state = (await api<SyncState>(url, 'GET', '/v1/sync')).body;
    if (until(state)) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the agent did not sync in time');
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function latestDeployment(url: string, jobId: string): Promise<DeploymentView> {
  for (let i = 0; i < 300; i++) {
    const answer = await api<DeploymentView[]>(url, 'GET', `/v1/job/${jobId}/deployments`);
    if (answer.status === 200 && answer.body[0]) return deploymentEnd(url, answer.body[0].id);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no deployment of ${jobId}`);
}

const compose = (image: string) => `services:
  whoami:
    image: ${image}
    environment:
      PORT: 8000
    ports:
      - "8000"
    deploy:
      replicas: 1
      update_config:
        monitor: 1s
`;

const deployment = (kind: string) => `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: bootcamp
spec:
  replicas: 1
  minReadySeconds: 1
  selector:
    matchLabels: { app: bootcamp }
  template:
    metadata:
      labels: { app: bootcamp }
    spec:
      containers:
        - name: bootcamp
          image: deckhand-demo:v1
          env:
            - name: PORT
              value: "8080"
          ports:
            - name: http
              containerPort: 8080
`;

describe('--prune and a typo', () => {
  test('a file that held a job and stops reading as one is an error that keeps the job running; only a file that is gone is a removal', async () => {
    const repo = await server.createRepository('typos');
    const first = await repo.commitAndPush({ 'web.yaml': compose('deckhand-demo:v1'), 'bootcamp.yaml': deployment('Deployment') }, 'two jobs found by their content');
    const runId = newRunId();
    const agent = await agentFor(runId, ['--repo', repo.url, '--interval', '1m', '--prune']);
    await synced(agent.url, (s) => s.sha === first);
    expect((await latestDeployment(agent.url, 'typos')).status).toBe('successful');
    expect((await latestDeployment(agent.url, 'bootcamp')).status).toBe('successful');
    const running = async () => (await Promise.all(['typos', 'bootcamp'].map((job) => containersOf(runId, job)))).map((list) => list.length);
    expect(await running()).toEqual([1, 1]);

    const typo = await repo.commitAndPush({ 'web.yaml': compose('deckhand-demo:v1').replace('services:', 'service:'), 'bootcamp.yaml': deployment('Deploymnet') }, 'typos');
    const state = await synced(agent.url, (s) => s.sha === typo);
    expect(state.lastError).toBeNull();
    expect(state.problems).toEqual([
      expect.stringMatching(/^bootcamp\.yaml:2:1: kind Deploymnet is not a kind deckhand knows \(did you mean "Deployment"\?\)/),
      expect.stringMatching(/^web\.yaml:1:1: expected a "services:" map at the top level/),
    ]);
    expect(await running()).toEqual([1, 1]);
    for (const job of ['typos', 'bootcamp']) {
      const status = await api<{ status: string }>(agent.url, 'GET', `/v1/job/${job}`);
      expect([job, status.body.status]).toEqual([job, 'running']);
      const events = (await api<Array<{ type: string; message: string }>>(agent.url, 'GET', `/v1/job/${job}/events`)).body;
      expect(events.some((e) => e.type === 'render-error')).toBe(true);
      expect(events.some((e) => /stopped/.test(e.message) && e.type === 'job')).toBe(false);
    }
    expect(agent.log()).not.toMatch(/is gone; stopping it/);

    // The file really removed: with --prune, now the job goes.
    const removed = await repo.commitAndPush({ 'bootcamp.yaml': null, 'web.yaml': compose('deckhand-demo:v1') }, 'drop bootcamp');
    await synced(agent.url, (s) => s.sha === removed);
    for (let i = 0; i < 100 && (await running())[1] !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await running()).toEqual([1, 0]);
  });
});

describe('a lost data directory', () => {
  test('an agent started with an empty one adopts what runs: no second set of containers, the same version, its history says why', async () => {
    const repo = await server.createRepository('adopted');
    const first = await repo.commitAndPush({ 'web.nomad': webJob({ count: 3, maxParallel: 3 }) }, 'web v1');
    const runId = newRunId();
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-lost-'));
    const before = await agentFor(runId, ['--repo', repo.url, '--interval', '1m'], dataDir);
    await synced(before.url, (s) => s.sha === first);
    expect((await latestDeployment(before.url, 'web')).status).toBe('successful');
    // A second version, so the adopted one is not version 0.
    const second = await repo.commitAndPush({ 'web.nomad': webJob({ count: 3, maxParallel: 3, image: 'deckhand-demo:v2' }) }, 'web v2');
    await synced(before.url, (s) => s.sha === second);
    expect((await latestDeployment(before.url, 'web')).status).toBe('successful');
    const containers = (await containersOf(runId, 'web')).map((c) => c.id).sort();
    expect(containers).toHaveLength(3);
    await before.stop();

    rmSync(dataDir, { recursive: true, force: true });
    const after = await agentFor(runId, ['--repo', repo.url, '--interval', '1m'], dataDir);
    await synced(after.url, (s) => s.sha === second);
    const status = (await api<{ version: number; status: string; allocations: Array<{ desired: string }> }>(after.url, 'GET', '/v1/job/web')).body;
    expect(status).toMatchObject({ version: 1, status: 'running' });
    expect(status.allocations.filter((a) => a.desired === 'run')).toHaveLength(3);
    const versions = (await api<Array<{ version: number; stable: boolean; source: { kind: string } }>>(after.url, 'GET', '/v1/job/web/versions')).body;
    expect(versions).toEqual([expect.objectContaining({ version: 1, stable: true, source: expect.objectContaining({ kind: 'adopted' }) })]);
    expect((await containersOf(runId, 'web')).map((c) => c.id).sort()).toEqual(containers);

    // The next commit rolls out from there as usual: version 2.
    const third = await repo.commitAndPush({ 'web.nomad': webJob({ count: 3, maxParallel: 3, image: 'deckhand-demo:v1' }) }, 'web back to v1');
    await synced(after.url, (s) => s.sha === third);
    const rolled = await latestDeployment(after.url, 'web');
    expect(rolled).toMatchObject({ status: 'successful', jobVersion: 2 });
    expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v1', 'deckhand-demo:v1', 'deckhand-demo:v1']);
  });
});

describe('two agents on one engine', () => {
  test("an agent that sees another agent's containers (other --labels) leaves them alone, even with an empty data directory", async () => {
    const runId = newRunId();
    const scoped = await agentFor(runId, ['--labels', `${testLabel}=${runId},team=a`]);
    const placed = await api<{ jobs: Array<{ deploymentId: string }> }>(scoped.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 1 })));
    expect((await deploymentEnd(scoped.url, placed.body.jobs[0]!.deploymentId)).status).toBe('successful');
    // This one's labels are a subset of the other's: it sees the container, and must not take it.
    const wider = await agentFor(runId, []);
    // Once its engine has read what runs, it says what it leaves alone.
    await until(async () => wider.log(), (log) => log.includes('were placed by an agent with other --labels'), 'the agent to read what runs');
    expect((await api<unknown[]>(wider.url, 'GET', '/v1/jobs')).body).toEqual([]);
    expect(wider.log()).not.toContain('adopted from');
    expect(await containersOf(runId, 'web')).toHaveLength(1);
  });
});

describe('a rewritten history', () => {
  test('is refused, nothing is touched, and each followed job\'s events say why', async () => {
    const repo = await server.createRepository('rewritten');
    const first = await repo.commitAndPush({ 'web.nomad': webJob({ count: 1 }) }, 'web v1');
    const runId = newRunId();
    const agent = await agentFor(runId, ['--repo', repo.url, '--interval', '1m']);
    await synced(agent.url, (s) => s.sha === first);
    expect((await latestDeployment(agent.url, 'web')).status).toBe('successful');
    await repo.commitAndPush({ 'web.nomad': webJob({ count: 1, image: 'deckhand-demo:v2' }) }, 'web v2');
    const second = await repo.git('rev-parse', 'HEAD');
    await synced(agent.url, (s) => s.sha === second);
    await latestDeployment(agent.url, 'web');

    await repo.git('reset', '--hard', first);
    await repo.commit({ 'web.nomad': webJob({ count: 1, image: 'deckhand-demo:v3' }) }, 'rewritten');
    await repo.push({ force: true });
    const state = await synced(agent.url, (s) => /rewritten/.test(s.lastError ?? ''));
    expect(state.lastError).toMatch(/the history was rewritten/);
    const events = (await api<Array<{ type: string; message: string }>>(agent.url, 'GET', '/v1/job/web/events')).body;
    expect(events.filter((e) => e.type === 'sync-error').map((e) => e.message)).toEqual([expect.stringMatching(/the history was rewritten/)]);
    expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v2']);
  });
});
