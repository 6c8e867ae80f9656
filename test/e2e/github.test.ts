// GitHub reporting end to end: a real agent following a repository over smart
// HTTP, deploying on the real Docker engine, and reporting to a GitHub stand-in
// that checks every request against GitHub's OpenAPI description.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitServer, TestRepository } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { GitHubStandIn } from '../support/github-stand-in.js';
import { api, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';
import { signBody } from '../../src/status/forges/github/webhook.js';
import { cli } from '../helpers/cli.js';

const token = 'ghp_E2eStandInToken0123456789abcdefghijkl';
const secret = 'pull-request-webhook-secret';

async function pullRequestWebhook(url: string, action: string, pr: { number: number; headSha: string; headRef: string }, repoUrl: string, delivery: string, sign = true): Promise<number> {
  const body = JSON.stringify({
    action,
    number: pr.number,
    pull_request: { number: pr.number, title: 'change', merged: false, head: { sha: pr.headSha, ref: pr.headRef, repo: { clone_url: repoUrl } }, base: { ref: 'main' } },
    repository: { clone_url: repoUrl, full_name: 'deckhand/jobs' },
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': delivery };
  if (sign) headers['x-hub-signature-256'] = signBody(secret, Buffer.from(body));
  return (await fetch(`${url}/v1/webhooks/github`, { method: 'POST', headers, body })).status;
}

function job(id: string, image: string): string {
  return webJob({ id, image, count: 1, healthyDeadline: '10s', progressDeadline: '15s', check: null });
}

/** The job with Nomad's deprecated `stagger` (line 11): it renders, with a warning. */
function withDeprecatedStagger(text: string): string {
  return text.replace('      auto_revert', '      stagger           = "10s"\n      auto_revert');
}

let server: GitServer;
let standIn: GitHubStandIn;
let agent: AgentProcess;
let repository: TestRepository;
const runId = newRunId();

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
  standIn = await GitHubStandIn.start({ token });
});
afterAll(async () => {
  await agent?.stop();
  await removeRunContainers(runId);
  await server?.close();
  await standIn?.close();
});

/** Resolves when the stand-in holds a status for (sha, context) in `state`; each request it receives wakes the check. */
async function statusReaches(sha: string, context: string, state: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const latest = standIn.latestStatuses(sha)[context];
    if (latest?.state === state) return latest;
    if (Date.now() > deadline) throw new Error(`${context} on ${sha.slice(0, 7)} is ${latest?.state ?? 'not set'}, not ${state}: ${latest?.description}\n${agent.log().split('\n').slice(-15).join('\n')}`);
    await Promise.race([standIn.receivedRequests(standIn.exchanges.length + 1), new Promise((resolve) => setTimeout(resolve, 500))]);
  }
}

/** Resolves once `check` holds; each request the stand-in receives wakes it. */
async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await Promise.race([standIn.receivedRequests(standIn.exchanges.length + 1), new Promise((resolve) => setTimeout(resolve, 500))]);
  }
}

describe('commit statuses per job', () => {
  test('push → pending then success; a broken file → error at file:line; a failing deployment → failure naming the rollback; GitHub down → statuses catch up', async () => {
    const repo = (repository = await server.createRepository('reported'));
    const first = await repo.commitAndPush({ 'web.nomad': job('web', 'deckhand-demo:v1'), 'api.nomad': job('api', 'deckhand-demo:v1') }, 'web and api');
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-github-'));
    writeFileSync(join(dataDir, 'github-token'), token);
    writeFileSync(join(dataDir, 'webhook-secret'), secret);
    agent = await startAgentProcess({
      runId,
      dataDir,
      extraArgs: ['--repo', repo.url, '--interval', '1m', '--github-token-file', join(dataDir, 'github-token'), '--github-repo', `${standIn.owner}/${standIn.repo}`, '--github-api-url', standIn.apiUrl, '--github-throttle', 'false', '--public-url', 'https://deckhand.example.test', '--webhook-secret-file', join(dataDir, 'webhook-secret')],
    });
    const sync = () => api(agent.url, 'POST', '/v1/sync');

    // Each job gets its own status: pending first, then success.
    for (const jobId of ['web', 'api']) {
      const success = await statusReaches(first, `deckhand/${jobId}`, 'success');
      expect(success.description).toBe('Deployment completed successfully');
      expect(success.targetUrl).toMatch(/^https:\/\/deckhand\.example\.test\/ui\/deployments\/[0-9a-f-]+$/);
      expect(standIn.statuses(first, `deckhand/${jobId}`)[0]!.state).toBe('pending');
    }

    // A file that does not render: an error status pointing at it; nothing else is touched.
    const broken = await repo.commitAndPush({ 'web.nomad': job('web', 'deckhand-demo:v2').replace('count = 1', 'count = "one"') }, 'broken web');
    await sync();
    const error = await statusReaches(broken, 'deckhand/web', 'error');
    expect(error.description).toMatch(/^web\.nomad:3:\d+: /);

    // A failing deployment rolled back: failure, naming the rollback.
    const failing = await repo.commitAndPush({ 'web.nomad': job('web', 'deckhand-demo:v10') }, 'web v10');
    await sync();
    const failure = await statusReaches(failing, 'deckhand/web', 'failure');
    expect(failure.description).toBe('Failed due to unhealthy allocations - rolling back to job version 0');

    // GitHub answers 500 for a while: the deployment still happens and the status catches up.
    standIn.failNext(3, 500);
    const third = await repo.commitAndPush({ 'api.nomad': job('api', 'deckhand-demo:v2') }, 'api v2');
    await sync();
    await statusReaches(third, 'deckhand/api', 'success');
    const versions = (await api<Array<{ commit: string; stable: boolean }>>(agent.url, 'GET', '/v1/job/api/versions')).body;
    expect(versions[0]).toMatchObject({ commit: third, stable: true });

    // A file that renders with a warning deploys, and its warning travels where errors do.
    const warned = await repo.commitAndPush({ 'web.nomad': withDeprecatedStagger(job('web', 'deckhand-demo:v2')) }, 'web v2, with a deprecated stagger');
    await sync();
    const line = 'web.nomad:11:7: warning: update.stagger: stagger is deprecated: Nomad paces updates by min_healthy_time, as deckhand does; it is ignored';
    const warnedSuccess = await statusReaches(warned, 'deckhand/web', 'success');
    expect(warnedSuccess.description).toMatch(/^Deployment completed successfully \(1 warning: web\.nomad:11:7: warning: update\.stagger: /);
    expect(standIn.statuses(warned, 'deckhand/web')[0]!.description).toMatch(/\(1 warning: web\.nomad:11:7: /);
    const syncState = (await api<{ sha: string; problems: string[]; warnings: string[] }>(agent.url, 'GET', '/v1/sync')).body;
    expect(syncState).toMatchObject({ sha: warned, problems: [], warnings: [line] });
    const events = (await api<Array<{ type: string; message: string }>>(agent.url, 'GET', '/v1/job/web/events')).body;
    expect(events).toContainEqual(expect.objectContaining({ type: 'render-warning', message: `commit ${warned.slice(0, 7)}: ${line}` }));
    expect(agent.log()).toContain(line);
    const status = await cli(['status', 'web'], { env: { DECKHAND_ADDR: agent.url } });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Job File Diagnostics (commit ${warned.slice(0, 7)})\n${line}\n`);

  }, 120_000);

  test('a pull request gets one plan comment, edited in place when the branch moves; nothing of it is deployed', async () => {
    const repo = repository;
    await repo.git('checkout', '-q', '-b', 'bigger-web');
    const prHead = await repo.commit({ 'web.nomad': withDeprecatedStagger(job('web', 'deckhand-demo:v3').replace('count = 1', 'count = 2')) }, 'web v3, two allocations');
    await repo.push({ branch: 'bigger-web' });
    standIn.addPullRequest({ number: 7, headSha: prHead, headRef: 'bigger-web' });
    expect(await pullRequestWebhook(agent.url, 'opened', { number: 7, headSha: prHead, headRef: 'bigger-web' }, repo.url, 'pr-1', false)).toBe(401);
    expect(await pullRequestWebhook(agent.url, 'opened', { number: 7, headSha: prHead, headRef: 'bigger-web' }, repo.url, 'pr-2')).toBe(202);
    const planned = await statusReaches(prHead, 'deckhand/plan', 'success');
    expect(planned.description).toBe('1 job changes when merged; 1 warning, see the plan comment');
    await until(() => standIn.comments(7).length === 1, 'the plan comment');
    const [comment] = standIn.comments(7);
    expect(comment!.body).toMatch(/^<!-- deckhand:plan -->/);
    expect(comment!.body).toContain('`web` (`web.nomad`)');
    expect(comment!.body).toContain('+/- image: "deckhand-demo:v2" => "deckhand-demo:v3"');
    expect(comment!.body).toContain(':warning: **`web.nomad`** renders with a warning.\n\n```\nweb.nomad:11:7: warning: update.stagger: stagger is deprecated');

    const prHead2 = await repo.commit({ 'web.nomad': job('web', 'deckhand-demo:v1').replace('count = 1', 'count = 2') }, 'web v1 after all');
    await repo.push({ branch: 'bigger-web' });
    standIn.moveHead(7, prHead2);
    expect(await pullRequestWebhook(agent.url, 'synchronize', { number: 7, headSha: prHead2, headRef: 'bigger-web' }, repo.url, 'pr-3')).toBe(202);
    await statusReaches(prHead2, 'deckhand/plan', 'success');
    await until(() => standIn.comments(7)[0]?.edits === 1, 'the edited plan comment');
    const comments = standIn.comments(7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(comment!.id);
    expect(comments[0]!.edits).toBe(1);
    expect(comments[0]!.body).toContain('+/- image: "deckhand-demo:v2" => "deckhand-demo:v1"');
    // The head without the deprecated field: the warning is gone from the comment.
    expect(comments[0]!.body).not.toContain(':warning:');
    // Nothing from the pull request runs.
    expect((await api<Array<{ version: number }>>(agent.url, 'GET', '/v1/job/web/versions')).body.every((v) => v.version <= 3)).toBe(true);
    // The agent shows the same plan it posted: the API and the dashboard's page.
    const plans = await api<Array<{ number: number; headSha: string; markdown: string; changedJobs: number }>>(agent.url, 'GET', '/v1/pull-requests');
    expect(plans.body).toEqual([expect.objectContaining({ number: 7, headSha: prHead2, changedJobs: 1, markdown: expect.stringContaining('+/- image: "deckhand-demo:v2" => "deckhand-demo:v1"') })]);
    const page = await fetch(`${agent.url}/ui/pull-requests`);
    expect(page.status).toBe(200);
    const pageText = await page.text();
    expect(pageText).toContain('#7 at <code>');
    expect(pageText).toContain('+/- image: &quot;deckhand-demo:v2&quot; =&gt; &quot;deckhand-demo:v1&quot;');

    // Everything the stand-in received, GitHub would have accepted; the token never shows in a status.
    expect(standIn.violations.filter((v) => v.kind !== 'stand-in-response')).toEqual([]);
    expect(JSON.stringify(standIn.exchanges)).not.toContain(token.slice(4));
    expect(agent.log()).not.toContain(token);
  }, 90_000);
});
