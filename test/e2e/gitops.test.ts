// The GitOps loop end to end: a bare repository served over smart HTTP (git
// http-backend), a real agent process following it, the real Docker engine.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signBody } from '../../src/status/forges/github/webhook.js';
import type { DeploymentView } from '../../src/api/views.js';
import type { GitServer, TestRepository } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { containersOf } from './support.js';
import { deployedFrom } from './gitops-support.js';
import type { VersionRow } from './gitops-support.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

const secret = 'webhook-secret-for-tests';

function job(image: string, count = 2): string {
  return webJob({ image, count, maxParallel: 2, healthyDeadline: '10s', progressDeadline: '15s' });
}

async function webhook(url: string, event: string, payload: unknown, signature: string | null, delivery: string): Promise<number> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return (await fetch(`${url}/v1/webhooks/github`, { method: 'POST', headers, body })).status;
}

const pushPayload = (repo: TestRepository, before: string, after: string) => ({
  ref: 'refs/heads/main',
  before,
  after,
  created: false,
  deleted: false,
  forced: false,
  repository: { clone_url: repo.url, full_name: `test/${repo.name}`, html_url: repo.url },
  pusher: { name: 'tester' },
  head_commit: { message: 'test' },
});

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

async function agentFor(repoArgs: string[], extra: string[] = []): Promise<{ agent: AgentProcess; runId: string }> {
  const runId = newRunId();
  runs.push(runId);
  const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-gitops-'));
  writeFileSync(join(dataDir, 'webhook-secret'), secret);
  const agent = await startAgentProcess({ runId, dataDir, extraArgs: [...repoArgs, '--webhook-secret-file', join(dataDir, 'webhook-secret'), ...extra] });
  agents.push(agent);
  return { agent, runId };
}

describe('git push to deploy, revert commit to roll back', () => {
  test('push, update, broken file, failing image with auto-revert, git revert, webhooks, fetch failure, removed file, force-push', async () => {
    const repo = await server.createRepository('jobs');
    const first = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v1') }, 'web v1');
    // Polling is slow here (1 minute): what happens next is driven by webhooks.
    const { agent, runId } = await agentFor(['--repo', repo.url, '--branch', 'main', '--interval', '1m']);

    // The first sync deploys v1.
    const v0 = await deployedFrom(agent.url, 'web', first);
    expect(v0.deployment).toMatchObject({ status: 'successful' });
    expect(v0.version).toMatchObject({ version: 0, stable: true, source: { kind: 'git', message: 'web v1' } });

    // Webhooks: a bad or missing signature changes nothing; a good one syncs at once.
    const second = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v2') }, 'web v2');
    expect(await webhook(agent.url, 'push', pushPayload(repo, first, second), 'sha256=' + '0'.repeat(64), 'd-1')).toBe(401);
    expect(await webhook(agent.url, 'push', pushPayload(repo, first, second), null, 'd-2')).toBe(401);
    expect((await api<VersionRow[]>(agent.url, 'GET', '/v1/job/web/versions')).body).toHaveLength(1);
    const payload = pushPayload(repo, first, second);
    expect(await webhook(agent.url, 'push', payload, signBody(secret, Buffer.from(JSON.stringify(payload))), 'd-3')).toBe(202);
    const v1 = await deployedFrom(agent.url, 'web', second);
    expect(v1.deployment.status).toBe('successful');
    expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v2', 'deckhand-demo:v2']);
    // The same delivery again is ignored.
    expect(await webhook(agent.url, 'push', payload, signBody(secret, Buffer.from(JSON.stringify(payload))), 'd-3')).toBe(200);

    const sync = () => api(agent.url, 'POST', '/v1/sync');
    const syncState = async () => (await api<{ sha: string; lastError: string | null; problems: string[] }>(agent.url, 'GET', '/v1/sync')).body;
    const settledOn = async (sha: string) => {
      // The sync endpoint answers at once; the state says when the commit was taken in.
      for (let i = 0; i < 200 && (await syncState()).sha !== sha; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      return syncState();
    };

    // A broken job file: nothing is touched and the error names the file and line.
    const broken = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v3').replace('count = 2', 'count = "two"') }, 'broken');
    await sync();
    const brokenState = await settledOn(broken);
    expect(brokenState.problems[0]).toMatch(/^web\.nomad:3:\d+: /);
    expect((await api<VersionRow[]>(agent.url, 'GET', '/v1/job/web/versions')).body).toHaveLength(2);
    const events = (await api<Array<{ type: string; message: string }>>(agent.url, 'GET', '/v1/job/web/events')).body;
    expect(events.some((e) => e.type === 'render-error' && e.message.includes('web.nomad:3:'))).toBe(true);

    // A failing image with auto_revert: the deployment fails and the last stable version comes back.
    const failing = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v10') }, 'web v10 (missing image)');
    await sync();
    const v2 = await deployedFrom(agent.url, 'web', failing);
    expect(v2.deployment).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations - rolling back to job version 1' });
    const afterRevert = (await api<VersionRow[]>(agent.url, 'GET', '/v1/job/web/versions')).body;
    expect(afterRevert[0]).toMatchObject({ version: 3, source: { kind: 'auto-revert', revertOf: 1 } });
    expect(await deploymentEnd(agent.url, (await api<DeploymentView[]>(agent.url, 'GET', '/v1/job/web/deployments')).body[0]!.id)).toMatchObject({ status: 'successful', jobVersion: 3 });

    // git revert of the bad commit: a new version equal to version 1, described as a rollback.
    await repo.git('revert', '--no-edit', 'HEAD');
    await repo.push();
    const reverted = await repo.git('rev-parse', 'HEAD');
    await sync();
    const settled = await settledOn(reverted);
    expect(settled.lastError).toBeNull();
    // Its spec equals version 3 (the auto-revert), which runs: nothing to deploy, no new version.
    expect((await api<VersionRow[]>(agent.url, 'GET', '/v1/job/web/versions')).body[0]!.version).toBe(3);
    // Then back to v1's image by reverting further: a revert commit to version 0.
    const back = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v1') }, 'Revert "web v2"');
    await sync();
    const v4 = await deployedFrom(agent.url, 'web', back);
    expect(v4.version).toMatchObject({ version: 4, source: { kind: 'git', revertOf: 0 } });
    expect(v4.version.source.message).toMatch(/^Rolling back to job version 0 \(commit [0-9a-f]{7}\)/);
    expect(v4.deployment.status).toBe('successful');

    // A fetch that fails keeps everything as it is and says why.
    const before = (await containersOf(runId, 'web')).map((c) => c.id).sort();
    server.failWith(500);
    await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v3') }, 'web v3 while the server is down');
    await sync();
    for (let i = 0; i < 100 && !(await syncState()).lastError; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await syncState()).lastError).toMatch(/500|server/i);
    expect((await containersOf(runId, 'web')).map((c) => c.id).sort()).toEqual(before);
    server.failWith(null);

    // A removed job file without --prune: the job keeps running and the agent says so.
    const removed = await repo.commitAndPush({ 'web.nomad': null, 'other.nomad': job('deckhand-demo:v1').replace('job "web"', 'job "other"').replace('count = 2', 'count = 1') }, 'move on');
    await sync();
    await deployedFrom(agent.url, 'other', removed);
    expect((await syncState()).problems.join('\n')).toMatch(/job "web": its file web\.nomad is no longer in the repository/);
    expect((await containersOf(runId, 'web')).length).toBe(2);

    // A force-push that rewrote history: refused, nothing touched.
    await repo.git('reset', '--hard', first);
    await repo.commit({ 'web.nomad': job('deckhand-demo:v3') }, 'rewritten');
    await repo.push({ force: true });
    await sync();
    for (let i = 0; i < 100 && !/rewritten/.test((await syncState()).lastError ?? ''); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await syncState()).lastError).toMatch(/history was rewritten/);
    expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v1', 'deckhand-demo:v1']);
  });
});

describe('triggers and prune', () => {
  test('polling every second picks up a push; with --prune a removed file stops its job', async () => {
    const repo = await server.createRepository('polled');
    const first = await repo.commitAndPush({ 'a.nomad': job('deckhand-demo:v1', 1).replace('job "web"', 'job "a"'), 'b.nomad': job('deckhand-demo:v1', 1).replace('job "web"', 'job "b"') }, 'a and b');
    const { agent, runId } = await agentFor(['--repo', repo.url, '--interval', '1s', '--prune']);
    await deployedFrom(agent.url, 'a', first);
    await deployedFrom(agent.url, 'b', first);
    const second = await repo.commitAndPush({ 'b.nomad': null, 'a.nomad': job('deckhand-demo:v2', 1).replace('job "web"', 'job "a"') }, 'drop b');
    expect((await deployedFrom(agent.url, 'a', second)).deployment.status).toBe('successful');
    for (let i = 0; i < 100 && (await containersOf(runId, 'b')).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await containersOf(runId, 'b')).toEqual([]);
    expect((await api<{ status: string }>(agent.url, 'GET', '/v1/job/b')).body.status).toBe('dead');
  });

  test('a cron schedule syncs by itself', async () => {
    const repo = await server.createRepository('scheduled');
    const first = await repo.commitAndPush({ 'c.nomad': job('deckhand-demo:v1', 1).replace('job "web"', 'job "c"') }, 'c');
    const { agent } = await agentFor(['--repo', repo.url, '--schedule', '* * * * * *']);
    await deployedFrom(agent.url, 'c', first);
    const second = await repo.commitAndPush({ 'c.nomad': job('deckhand-demo:v2', 1).replace('job "web"', 'job "c"') }, 'c v2');
    expect((await deployedFrom(agent.url, 'c', second)).deployment.status).toBe('successful');
  });

  test('a local repository is watched: a commit deploys without a push', async () => {
    const repo = await server.createRepository('local');
    const first = await repo.commit({ 'd.nomad': job('deckhand-demo:v1', 1).replace('job "web"', 'job "d"') }, 'd');
    const { agent } = await agentFor(['--repo', repo.workDir, '--watch']);
    await deployedFrom(agent.url, 'd', first);
    const second = await repo.commit({ 'd.nomad': job('deckhand-demo:v2', 1).replace('job "web"', 'job "d"') }, 'd v2');
    expect((await deployedFrom(agent.url, 'd', second)).deployment.status).toBe('successful');
  });
});
