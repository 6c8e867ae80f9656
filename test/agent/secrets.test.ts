// Secrets stay in the agent: job environments are masked in every answer, the
// data directory is its owner's alone, and an agent without a token stays on loopback.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli as runCli } from '../helpers/cli.js';
import { api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { docker, ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

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

const secrets = { DB_PASSWORD: 'hunter2-db', DATABASE_URL: 'postgres://app:hunter2-url@db:5432/app', API_TOKEN: 'hunter2-token' };
const secretValues = ['hunter2-db', 'hunter2-url', 'hunter2-token', 'hunter3-db'];

describe('secret values', () => {
  test('never leave the agent: versions, diffs, plans, status, events, the CLI and the log show them masked; the container gets them', async () => {
    const runId = newRunId();
    const agent = await agentFor({ runId });
    const first = await api<{ jobs: Array<{ deploymentId: string }> }>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 1, env: secrets })));
    expect(first.status).toBe(200);
    expect((await deploymentEnd(agent.url, first.body.jobs[0]!.deploymentId)).status).toBe('successful');

    // The workload gets the real values.
    const [container] = await docker.listContainers({ filters: { label: [`deckhand.job=web`, `deckhand-test.run=${runId}`] } });
    const env = (await docker.getContainer(container!.Id).inspect()).Config.Env;
    expect(env).toContain('DB_PASSWORD=hunter2-db');

    // A second version changes a secret: the diff says it changed, never to what.
    const changed = bundleOf(webJob({ count: 1, env: { ...secrets, DB_PASSWORD: 'hunter3-db' } }));
    const plan = await api<{ plan: { diff: unknown }; oldText: string; newText: string }>(agent.url, 'POST', '/v1/job/web/plan', changed);
    expect(plan.status).toBe(200);
    expect(JSON.stringify(plan.body.plan.diff)).toContain('"name":"Env[DB_PASSWORD]","old":"(sensitive)","new":"(sensitive)"');
    const second = await api<{ jobs: Array<{ deploymentId: string }> }>(agent.url, 'POST', '/v1/jobs', changed);
    await deploymentEnd(agent.url, second.body.jobs[0]!.deploymentId);

    const answers = await Promise.all(
      ['/v1/jobs', '/v1/job/web', '/v1/job/web/versions', '/v1/job/web/versions?diffs=true', '/v1/job/web/deployments', '/v1/job/web/events'].map((path) =>
        api(agent.url, 'GET', path),
      ),
    );
    const cli = (args: string[]) => runCli(args, { env: { DECKHAND_ADDR: agent.url } });
    const history = await cli(['history', 'web', '-p']);
    const outputs = [JSON.stringify(plan.body), ...answers.map((a) => JSON.stringify(a.body)), history.stdout, (await cli(['status', 'web'])).stdout, agent.log()];
    for (const output of outputs) for (const value of secretValues) expect(output).not.toContain(value);
    expect(history.stdout).toContain('Env[DB_PASSWORD]: "(sensitive)" => "(sensitive)"');
    expect(JSON.stringify(answers[2]!.body)).toContain('postgres://app:(sensitive)@db:5432/app');
  });
});

describe('the data directory', () => {
  test('is readable by its owner only, and so is the database; a folder others could read is narrowed', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'deckhand-perm-')), 'data');
    const agent = await agentFor({ runId: newRunId(), dataDir });
    await api(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 1 })));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const file of ['deckhand.db', 'deckhand.db-wal']) expect([file, statSync(join(dataDir, file)).mode & 0o777]).toEqual([file, 0o600]);
    await agent.stop();

    spawnSync('chmod', ['-R', 'go+rX', dataDir]);
    const again = await agentFor({ runId: newRunId(), dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'deckhand.db')).mode & 0o777).toBe(0o600);
    expect(again.log()).toContain('readable by its owner only (0700)');
  });
});

describe('where the API listens', () => {
  test('an agent without a token refuses an address beyond loopback, and warns on loopback', async () => {
    await expect(startAgentProcess({ runId: newRunId(), extraArgs: ['--listen', '0.0.0.0:0'] })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0:0 without an API token: anyone who reaches that address could run containers on this machine\. Set --api-token-file, or listen on 127\.0\.0\.1/,
    );
    const agent = await agentFor({ runId: newRunId() });
    expect(agent.log()).toContain('the API has no token (--api-token-file)');
    const withToken = await agentFor({ runId: newRunId(), apiToken: 'a-token' });
    expect(withToken.log()).not.toContain('the API has no token');
  });
});
