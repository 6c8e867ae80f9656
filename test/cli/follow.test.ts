// Following deployments however they started: `deckhand deployment status ID --monitor`,
// `deckhand status JOB --monitor` and `deckhand events`, against a real agent process
// rolling out real containers on the Docker engine.
import { runCli } from '../../src/cli/program.js';
import { cli as runCliOnce } from '../helpers/cli.js';
import { api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { startGitServer } from '../support/git-server.js';
import { deployedFrom } from '../e2e/gitops-support.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

const runId = newRunId();
const agents: AgentProcess[] = [];
let agent: AgentProcess;
const cli = (args: string[], url = agent.url) => runCliOnce(args, { env: { DECKHAND_ADDR: url } });

beforeAll(async () => {
  await ensureDemoImages();
  agent = await startAgentProcess({ runId });
  agents.push(agent);
}, 120_000);
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await removeRunContainers(runId);
});

/** Submits a job through the API, as a push or another person would; answers with its deployment's id. */
async function submit(text: string, url = agent.url): Promise<string> {
  const answer = await api<{ jobs: Array<{ deploymentId: string | null }> }>(url, 'POST', '/v1/jobs', bundleOf(text, 'job.nomad'));
  expect(answer.status).toBe(200);
  const id = answer.body.jobs[0]!.deploymentId;
  expect(id).toMatch(/^[0-9a-f-]{8,}$/);
  return id!;
}

/** A job whose only health check is the image's HEALTHCHECK, which always fails: its deployment fails in seconds. */
const unhealthy = (id: string, autoRevert = true) => webJob({ id, count: 1, image: 'deckhand-demo:unhealthy', check: null, healthyDeadline: '3s', progressDeadline: '8s', autoRevert });

/** A command that runs until stopped (`events`), in-process: what it printed so far, waiting for a line, stopping it. */
function startLongCli(args: string[], url: string) {
  const controller = new AbortController();
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const wrote = (stream: 'stdout' | 'stderr') => (text: string) => {
    out[stream] += text;
    for (const wake of waiters.splice(0)) wake();
  };
  const done = runCli(args, { stdout: wrote('stdout'), stderr: wrote('stderr'), cwd: process.cwd(), env: { DECKHAND_ADDR: url }, isTTY: false, signal: controller.signal });
  return {
    out,
    done,
    stop: () => controller.abort(),
    /** Resolves once what the command printed on `stream` matches. */
    async waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<void> {
      while (!pattern.test(out[stream])) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

describe('deckhand deployment status', () => {
  it('follows a deployment started elsewhere, by a prefix of its id and with -monitor, to "successful" (exit 0); without it, shows it', async () => {
    const id = await submit(webJob({ id: 'follow-ok', count: 2 }));
    const prefix = id.slice(0, 6);
    const run = await cli(['deployment', 'status', prefix, '-monitor']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^==> Monitoring deployment "${id.slice(0, 8)}" of job "follow-ok" \\(version 0\\)\n`));
    expect(run.stdout).toContain(`overall progress: 2 out of 2 allocations healthy (deployment ${id.slice(0, 8)}, version 0)`);
    expect(run.stdout).toMatch(new RegExp(`==> Deployment "${id.slice(0, 8)}" successful: .*\n$`));

    const shown = await cli(['deployment', 'status', prefix]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^ID          = ${id}\nJob ID      = follow-ok\nJob Version = 0\nStatus      = successful\n`));
    expect(shown.stdout).toMatch(/\nDeployed\nTask Group {2}Desired {2}Placed {2}Healthy {2}Unhealthy\nweb {9}2 {8}2 {7}2 {8}0\n$/);
    const json = JSON.parse((await cli(['deployment', 'status', id, '--json'])).stdout);
    expect(json).toMatchObject({ id, jobId: 'follow-ok', jobVersion: 0, status: 'successful' });
    // Following one that already ended answers at once, with its verdict.
    expect(await cli(['deployment', 'status', id, '--monitor'])).toMatchObject({ code: 0, stdout: expect.stringContaining(`==> Deployment "${id.slice(0, 8)}" successful`) });
    expect((await cli(['deployment', 'list', 'follow-ok'])).stdout).toContain(`${id.slice(0, 8)}  0            successful`);
  }, 90_000);

  it('follows a failing deployment into its auto-revert and exits 2', async () => {
    await deploymentEnd(agent.url, await submit(webJob({ id: 'follow-revert', count: 1 })));
    const id = await submit(unhealthy('follow-revert'));
    const run = await cli(['deployment', 'status', id.slice(0, 8), '--monitor']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`==> Deployment "${id.slice(0, 8)}" failed: `);
    expect(run.stdout).toMatch(/==> Rolling back: monitoring deployment "[0-9a-f]{8}" of version 2\n/);
    expect(run.stdout).toMatch(/==> Deployment "[0-9a-f]{8}" successful: .*\n$/);
  }, 90_000);

  it('ends with exit 1 and how to go on when the agent goes away mid-follow', async () => {
    const lone = await startAgentProcess({ runId });
    agents.push(lone);
    // Long enough to be running when the agent is killed: each allocation waits 30s to count as healthy.
    const id = await submit(webJob({ id: 'follow-lost', count: 1, minHealthy: '30s', healthyDeadline: '60s', progressDeadline: '90s' }), lone.url);
    const monitor = startLongCli(['deployment', 'status', id, '--monitor'], lone.url);
    await monitor.waitFor('stdout', /overall progress: /);
    await lone.stop('SIGKILL');
    expect(await monitor.done).toBe(1);
    expect(monitor.out.stderr).toMatch(new RegExp(`^Error: the agent's event stream ended while following deployment "${id.slice(0, 8)}" \\(.+\\); follow it again with: deckhand deployment status ${id.slice(0, 8)} --monitor\n$`));
  }, 60_000);

  it('refuses an unknown id, and -monitor with -o json, with exit 1', async () => {
    expect(await cli(['deployment', 'status', 'zzzz'])).toMatchObject({ code: 1, stderr: 'Error: no deployment has the id or prefix "zzzz" (deckhand deployments JOB lists a job\'s deployments)\n' });
    expect(await cli(['deployment', 'status', 'zzzz', '-monitor', '-o', 'json'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--monitor follows a deployment as text; it takes no -o json') });
  });
});

describe('a deployment started by a git push', () => {
  it('is seen by events and followed by deployment status --monitor', async () => {
    const server = await startGitServer();
    try {
      const repo = await server.createRepository('follow-jobs');
      const first = await repo.commitAndPush({ 'pushed.nomad': webJob({ id: 'pushed', count: 1 }) }, 'pushed v1');
      const gitAgent = await startAgentProcess({ runId, extraArgs: ['--repo', repo.url, '--interval', '1s'] });
      agents.push(gitAgent);
      await deployedFrom(gitAgent.url, 'pushed', first);

      const events = startLongCli(['events', '--job', 'pushed', '-o', 'json'], gitAgent.url);
      await events.waitFor('stderr', /Following the agent's events/);
      await repo.commitAndPush({ 'pushed.nomad': webJob({ id: 'pushed', count: 1, image: 'deckhand-demo:v2' }) }, 'pushed v2');
      await events.waitFor('stdout', /"type":"deployment"/);
      const started = events.out.stdout.split('\n').map((line) => JSON.parse(line || 'null')).find((e) => e?.type === 'deployment');
      const run = await cli(['deployment', 'status', started.deploymentId.slice(0, 5), '-monitor'], gitAgent.url);
      events.stop();
      expect(await events.done).toBe(0);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^==> Monitoring deployment "${started.deploymentId.slice(0, 8)}" of job "pushed" \\(version 1\\)\n`));
      expect(run.stdout).toMatch(/==> Deployment "[0-9a-f]{8}" successful: .*\n$/);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('deckhand status JOB -monitor', () => {
  it("follows the job's running deployment to its end, and says when none runs (exit 0)", async () => {
    const id = await submit(webJob({ id: 'follow-status', count: 2 }));
    const run = await cli(['status', 'follow-status', '-monitor']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^==> Monitoring deployment "${id.slice(0, 8)}" of job "follow-status" \\(version 0\\)\n`));
    expect(run.stdout).toMatch(new RegExp(`==> Deployment "${id.slice(0, 8)}" successful: .*\n$`));

    const idle = await cli(['status', 'follow-status', '--monitor']);
    expect(idle).toMatchObject({ code: 0, stdout: `==> Job "follow-status" has no deployment running (its latest deployment, "${id.slice(0, 8)}" of version 0, is successful)\n` });
  }, 90_000);

  it('exits 2 when the deployment it follows fails', async () => {
    const id = await submit(unhealthy('follow-status-bad', false));
    const run = await cli(['status', 'follow-status-bad', '-monitor']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`==> Deployment "${id.slice(0, 8)}" failed: `);
  }, 90_000);
});

describe('deckhand events', () => {
  it("prints a deployment's events as JSON lines, only the job's, until stopped (exit 0)", async () => {
    const events = startLongCli(['events', '--job', 'follow-events', '-o', 'json'], agent.url);
    await events.waitFor('stderr', /^==> Following the agent's events of job "follow-events" \(Ctrl-C ends\)\n$/);
    await submit(webJob({ id: 'follow-other', count: 1 }));
    const id = await submit(webJob({ id: 'follow-events', count: 1 }));
    await events.waitFor('stdout', /"status":"successful"/);
    events.stop();
    expect(await events.done).toBe(0);
    const lines = events.out.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.every((e) => e.jobId === 'follow-events')).toBe(true);
    expect(lines.filter((e) => e.type === 'allocation').map((e) => e.deploymentId)).toContain(id);
    expect(lines.at(-1)).toMatchObject({ type: 'deployment', deploymentId: id, deployment: { status: 'successful' } });
    await deploymentEnd(agent.url, (await api<{ latestDeployment: { id: string } }>(agent.url, 'GET', '/v1/job/follow-other')).body.latestDeployment.id);
  }, 90_000);

  it('connects again after the agent restarts, and says so', async () => {
    const first = await startAgentProcess({ runId });
    agents.push(first);
    const port = new URL(first.url).port;
    const events = startLongCli(['events'], first.url);
    await events.waitFor('stderr', /Following the agent's events \(Ctrl-C ends\)/);
    expect(await first.stop()).toBe(0);
    await events.waitFor('stderr', /==> The agent's event stream ended \(.+\); connecting again in 1s\n/);
    const second = await startAgentProcess({ runId, dataDir: first.dataDir, extraArgs: ['--listen', `127.0.0.1:${port}`] });
    agents.push(second);
    await events.waitFor('stderr', /==> Connected to the agent's event stream again/);
    await submit(webJob({ id: 'follow-again', count: 1 }), second.url);
    await events.waitFor('stdout', / {2}follow-again {2}deployment {2}/);
    events.stop();
    expect(await events.done).toBe(0);
    expect(events.out.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}follow-again {2}\w+ {2}\S/m);
  }, 90_000);

  it('fails at once when no agent answers at first (exit 1)', async () => {
    const run = await runCliOnce(['events'], { env: { DECKHAND_ADDR: 'http://127.0.0.1:9' } });
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('no deckhand agent answers at http://127.0.0.1:9') });
  });
});
