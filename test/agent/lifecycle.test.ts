// The agent as a process: what it says on start, API tokens, and SIGTERM in the middle of a rollout.
import { readFileSync } from 'node:fs';
import { agentClient, api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { containersOf } from '../e2e/support.js';
import { docker, ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';
import type { DeploymentView } from '../../src/api/views.js';

const runs: string[] = [];
const agents: AgentProcess[] = [];

beforeAll(() => ensureDemoImages());

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await Promise.all(runs.map(removeRunContainers));
});

async function agentFor(options: Parameters<typeof startAgentProcess>[0]): Promise<AgentProcess> {
  runs.push(options.runId);
  const agent = await startAgentProcess(options);
  agents.push(agent);
  return agent;
}

describe('starting', () => {
  test('the agent logs its version and the Node it runs on with the address it listens on', async () => {
    const agent = await agentFor({ runId: newRunId() });
    const line = agent
      .log()
      .split('\n')
      .map((text) => (text.startsWith('{') ? (JSON.parse(text) as { msg: string; version?: string; node?: string }) : null))
      .find((entry) => entry?.msg === `deckhand agent listening on ${agent.url}`);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(line).toMatchObject({ version, node: process.version });
    expect(process.version).toMatch(/^v(2[4-9]|[3-9]\d)\./);
  });
});

describe('API tokens', () => {
  test('calls need the right bearer token, reads included; the health check and webhooks do not', async () => {
    const agent = await agentFor({ runId: newRunId(), apiToken: 's3cret-token' });
    const body = bundleOf(webJob({ count: 1 }).replace('deckhand-demo:v1', 'deckhand-demo:v1'));

    const missing = await api<{ error: { code: string } }>(agent.url, 'POST', '/v1/jobs', body);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('unauthorized');
    const wrong = await api<{ error: { code: string } }>(agent.url, 'POST', '/v1/jobs', body, 's3cret-tokeN');
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
    const deleteWithout = await api(agent.url, 'DELETE', '/v1/job/web');
    expect(deleteWithout.status).toBe(401);

    for (const path of ['/v1/jobs', '/v1/job/web', '/v1/job/web/versions', '/v1/sync', '/metrics', '/v1/events', '/v1/deployment/x']) {
      expect([path, (await api(agent.url, 'GET', path)).status]).toEqual([path, 401]);
      expect([path, (await api(agent.url, 'GET', path, undefined, 'wrong')).status]).toEqual([path, 403]);
    }
    expect((await api(agent.url, 'GET', '/v1/jobs', undefined, 's3cret-token')).status).toBe(200);
    expect((await api(agent.url, 'GET', '/v1/agent/health')).status).toBe(200);
    // A webhook proves itself by its signature, not by the token (this agent takes none: 404).
    expect((await api(agent.url, 'POST', '/v1/webhooks/github', {})).status).toBe(404);
    const right = await api<{ jobs: Array<{ deploymentId: string }> }>(agent.url, 'POST', '/v1/jobs', body, 's3cret-token');
    expect(right.status).toBe(200);
    await deploymentEnd(agent.url, right.body.jobs[0]!.deploymentId, 90_000, 's3cret-token');
    // The token never reaches the log.
    expect(agent.log()).not.toContain('s3cret-token');
  });
});

describe('SIGTERM during a rollout', () => {
  test('the agent exits 0 leaving containers running, and the deployment finishes after a restart', async () => {
    const runId = newRunId();
    const first = await agentFor({ runId });
    const started = await api<{ jobs: Array<{ deploymentId: string }> }>(first.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 3 })));
    await deploymentEnd(first.url, started.body.jobs[0]!.deploymentId);

    // An update of three allocations, one at a time: stop the agent once the first replacement runs.
    const update = await api<{ jobs: Array<{ deploymentId: string }> }>(first.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 3, image: 'deckhand-demo:v2' })));
    const deploymentId = update.body.jobs[0]!.deploymentId;
    await new Promise<void>((resolve) => {
      const check = () => (/allocation [0-9a-f]{8} started/.test(first.log().split('of version 1 started')[1] ?? '') ? resolve() : setImmediate(() => first.child.stderr!.once('data', check)));
      check();
    });
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.log()).toContain('containers keep running');
    // The step under way finished; stopping removed nothing: three allocations run, one per index, mid-rollout.
    const during = await containersOf(runId, 'web');
    expect(new Set(during.map((c) => c.index))).toEqual(new Set([0, 1, 2]));
    expect(during.map((c) => c.image)).toContain('deckhand-demo:v1');

    const second = await agentFor({ runId, dataDir: first.dataDir });
    const ended = await deploymentEnd(second.url, deploymentId);
    expect(ended).toMatchObject<Partial<DeploymentView>>({ status: 'successful', jobVersion: 1 });
    const after = await containersOf(runId, 'web');
    expect(after.map((c) => c.image)).toEqual(['deckhand-demo:v2', 'deckhand-demo:v2', 'deckhand-demo:v2']);
    expect(new Set(after.map((c) => c.index))).toEqual(new Set([0, 1, 2]));
  });
});

describe('drift', () => {
  test('a container removed behind the agent\'s back is put back, and the job\'s events say so', async () => {
    const runId = newRunId();
    const agent = await agentFor({ runId });
    const submitted = await api<{ jobs: Array<{ deploymentId: string }> }>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 2 })));
    await deploymentEnd(agent.url, submitted.body.jobs[0]!.deploymentId);
    const [victim, survivor] = await containersOf(runId, 'web');

    const client = agentClient(agent.url);
    let putBack!: () => void;
    const started = new Promise<void>((resolve) => (putBack = resolve));
    const stream = await client.events({ job: 'web' }, (e) => {
      if (e.type === 'allocation' && /started$/.test(e.message)) putBack();
    });
    try {
      await docker.getContainer(victim!.id).remove({ force: true });
      await started;
    } finally {
      stream.close();
    }
    const now = await containersOf(runId, 'web');
    expect(now.map((c) => c.id)).toContain(survivor!.id);
    expect(now.map((c) => c.id)).not.toContain(victim!.id);
    expect(now.map((c) => c.index).sort()).toEqual([0, 1]);
    const events = (await api<Array<{ type: string; message: string }>>(agent.url, 'GET', '/v1/job/web/events')).body;
    expect(events.find((e) => e.type === 'drift')?.message).toMatch(new RegExp(`^drift: allocation ${victim!.alloc.slice(0, 8)} \\(web\\[${victim!.index}\\]\\) failed \\(.*\\): replaced$`));
  });
});
