// Notifications end to end: a real agent process following a Git repository
// over smart HTTP, on the real Docker engine, configured from its settings file
// with four targets on 127.0.0.1 — a Slack receiver, a generic webhook receiver
// that checks the signature, one that never answers and one where nothing
// listens. A commit with a missing image fails and is rolled back: Slack and the
// webhook hear of it with the commit; the silent and absent receivers hold up
// neither the rollout nor the others, nor the agent's shutdown.
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { deployedFrom } from './gitops-support.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';
import { startReceiver, unusedPort } from '../status/notify/receiver.js';
import type { Receiver } from '../status/notify/receiver.js';

const hmacSecret = 'notify-hmac-secret-for-tests';

function job(image: string): string {
  return webJob({ image, count: 1, healthyDeadline: '5s', progressDeadline: '10s' });
}

let server: GitServer;
const runs: string[] = [];
const agents: AgentProcess[] = [];
const receivers: Receiver[] = [];

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await Promise.all(runs.map(removeRunContainers));
  await Promise.all(receivers.map((r) => r.close()));
  await server?.close();
});

interface Body {
  schemaVersion: number;
  event: string;
  job: string | null;
  jobVersion: number | null;
  deployment: { id: string; status: string; description: string } | null;
  commit: string | null;
  file: string | null;
  message: string;
  time: string;
}

/** Resolves with the first request whose body matches, waiting for more as they come. */
async function firstMatching<T>(receiver: Receiver, match: (body: T) => boolean): Promise<{ body: T; raw: string; headers: Record<string, unknown> }> {
  for (let n = 1; ; n++) {
    const request = await receiver.request(n, 60_000);
    const body = JSON.parse(request.body) as T;
    if (match(body)) return { body, raw: request.body, headers: request.headers };
  }
}

describe('notifications of a failed deployment', () => {
  test('Slack and a signed generic webhook hear of it with the commit; silent receivers delay nothing', async () => {
    const slack = await startReceiver();
    const hook = await startReceiver();
    const silent = await startReceiver({ hang: true });
    receivers.push(slack, hook, silent);
    const absentPort = await unusedPort();

    const runId = newRunId();
    runs.push(runId);
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-notify-'));
    // The Slack URL is its credential: in a file, never in the settings.
    const slackUrl = `${slack.url.replace(/\/hook$/, '')}/services/T000/B000/SLACKSECRETPATH`;
    writeFileSync(join(dataDir, 'slack-url'), `${slackUrl}\n`, { mode: 0o600 });
    const settings = [
      'notify:',
      '  - kind: slack',
      `    url-file: ${join(dataDir, 'slack-url')}`,
      '    events: [deployment-failed, deployment-rolled-back]',
      '  - kind: webhook',
      '    name: ops',
      `    url: ${hook.url}`,
      '    secret-env: TEST_NOTIFY_SECRET',
      '  - kind: webhook',
      '    name: silent',
      `    url: ${silent.url}`,
      '    secret-env: TEST_NOTIFY_SECRET',
      '  - kind: discord',
      `    url-env: TEST_DISCORD_URL`,
      '',
    ].join('\n');
    writeFileSync(join(dataDir, 'agent.yaml'), settings);

    const repo = await server.createRepository('notify');
    const first = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v1') }, 'web v1');
    const agent = await startAgentProcess({
      runId,
      dataDir,
      extraArgs: ['--config', join(dataDir, 'agent.yaml'), '--repo', repo.url, '--branch', 'main', '--interval', '1m'],
      env: { TEST_NOTIFY_SECRET: hmacSecret, TEST_DISCORD_URL: `http://127.0.0.1:${absentPort}/api/webhooks/1/DISCORDSECRET` },
    });
    agents.push(agent);

    const v0 = await deployedFrom(agent.url, 'web', first);
    expect(v0.deployment.status).toBe('successful');
    // The silent receiver got the success and holds it unanswered; the rollout went on regardless.
    const held = JSON.parse((await silent.request(1)).body) as Body;
    expect(held).toMatchObject({ event: 'deployment-succeeded', job: 'web', commit: first });
    expect(silent.open()).toBe(1);

    const failing = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v10') }, 'web v10 (missing image)');
    expect((await api(agent.url, 'POST', '/v1/sync')).status).toBeLessThan(300);
    const v1 = await deployedFrom(agent.url, 'web', failing);
    expect(v1.deployment).toMatchObject({ status: 'failed', description: 'Failed due to unhealthy allocations - rolling back to job version 0' });

    // The generic webhook: the documented shape, the commit, a valid signature over the raw body.
    const failed = await firstMatching<Body>(hook, (b) => b.event === 'deployment-failed');
    expect(failed.body).toMatchObject({
      schemaVersion: 1,
      job: 'web',
      jobVersion: 1,
      deployment: { id: v1.deployment.id, status: 'failed', description: 'Failed due to unhealthy allocations - rolling back to job version 0' },
      commit: failing,
      file: 'web.nomad',
      message: `job "web" version 1 (commit ${failing.slice(0, 7)}): deployment failed: Failed due to unhealthy allocations - rolling back to job version 0`,
    });
    expect(Date.parse(failed.body.time)).not.toBeNaN();
    expect(failed.headers['x-deckhand-event']).toBe('deployment-failed');
    expect(failed.headers['x-deckhand-signature-256']).toBe(`sha256=${createHmac('sha256', hmacSecret).update(failed.raw).digest('hex')}`);
    const rolledBack = await firstMatching<Body>(hook, (b) => b.event === 'deployment-rolled-back');
    expect(rolledBack.body).toMatchObject({ job: 'web', jobVersion: 2 });

    // Slack: its own format, only the events it asked for, at the secret URL's path.
    const slackFailed = await firstMatching<{ text: string; blocks: Array<{ type: string; text?: { text: string } }> }>(slack, (b) => b.text.includes('deployment failed'));
    expect(slackFailed.body.text).toBe(`[failure] web: deployment failed: ${failed.body.message}`);
    expect(slackFailed.body.blocks[0]!.text!.text).toBe(`:x: *web: deployment failed*\n${failed.body.message}`);
    expect(slackFailed.body.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `job \`web\` · version 1 · commit \`${failing.slice(0, 7)}\` · file \`web.nomad\` · deployment \`${v1.deployment.id.slice(0, 8)}\` failed` }] });
    expect(slackFailed.headers['x-deckhand-signature-256']).toBeUndefined();
    await slack.request(2, 60_000);
    expect(slack.received.map((r) => (JSON.parse(r.body) as { text: string }).text.replace(/:.*/, ''))).toEqual(['[failure] web', '[failure] web']);
    expect(slack.received.some((r) => r.body.includes('rolled back'))).toBe(true);

    // The agent logged the absent receiver's failures by name, never a URL or secret.
    expect(agent.log()).toMatch(/notification target discord-4: sending deployment-succeeded of job web failed \(ECONNREFUSED\); retrying in \d+ ms/);
    for (const secret of ['SLACKSECRETPATH', 'DISCORDSECRET', hmacSecret]) expect(agent.log()).not.toContain(secret);

    // The rollback's deployment succeeds, and the webhook hears of it too.
    const back = await firstMatching<Body>(hook, (b) => b.event === 'deployment-succeeded' && b.jobVersion === 2);
    expect(back.body.deployment?.status).toBe('successful');

    // A job file that does not render: the webhook hears where, Slack (which did not ask) does not.
    const broken = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v1').replace('count = 1', 'count = "one"') }, 'broken');
    expect((await api(agent.url, 'POST', '/v1/sync')).status).toBeLessThan(300);
    const renderError = await firstMatching<Body>(hook, (b) => b.event === 'render-error');
    expect(renderError.body).toMatchObject({ job: 'web', commit: broken, file: 'web.nomad' });
    expect(renderError.body.message).toMatch(new RegExp(`^commit ${broken.slice(0, 7)}: web\\.nomad:3:\\d+: `));
    expect(slack.received.map((r) => r.body).join('\n')).not.toContain('does not render');

    // The repository cannot be read: one sync-failing notification, for the repository (job null).
    server.failWith(500);
    expect((await api(agent.url, 'POST', '/v1/sync')).status).toBeLessThan(300);
    const syncFailing = await firstMatching<Body>(hook, (b) => b.event === 'sync-failing');
    server.failWith(null);
    expect(syncFailing.body).toMatchObject({ job: null, deployment: null });
    expect(syncFailing.body.message).toMatch(/500|server/i);
    expect(hook.received.filter((r) => r.body.includes('"sync-failing"'))).toHaveLength(1);

    // The silent receiver holds a request or its retry waits, the absent one's retry waits: shutdown waits for neither.
    const stopping = Date.now();
    expect(await agent.stop()).toBe(0);
    // Queued notifications get 2 s (as the forge's reports do), then are dropped.
    expect(Date.now() - stopping).toBeLessThan(4500);
  });
});
