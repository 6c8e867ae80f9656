// The notifiers' bodies and the webhook's signature, from notifications drawn
// from bus events: pure, so every shape is checked exactly.
import { createHmac } from 'node:crypto';
import { discordBody } from '../../../src/status/notify/discord/index.js';
import { NotificationMaker, repeatWindowMs } from '../../../src/status/notify/from-events.js';
import type { Notification } from '../../../src/status/notify/notification.js';
import { escapeSlack, slackBody } from '../../../src/status/notify/slack/index.js';
import { signBody, webhookNotifier } from '../../../src/status/notify/webhook/index.js';
import type { Deployment, JobVersion } from '../../../src/model/state.js';

const sha = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const at = Date.UTC(2026, 11, 7, 19, 0, 0);

function gitVersion(jobId: string, version: number, kind: JobVersion['source']['kind'] = 'git', revertOf: number | null = null): JobVersion {
  return {
    jobId, version, specHash: 'h', modifyIndex: 1, sourceText: null, stable: false, submittedAt: at,
    job: {} as JobVersion['job'],
    source: { kind, commit: sha, file: 'jobs/web.nomad', author: 'A <a@example.test>', message: 'change the image', revertOf },
  };
}

function deployment(status: Deployment['status'], description: string, jobVersion = 3): Deployment {
  return { id: 'c5b34665aaaabbbbccccddddeeeeffff', jobId: 'web', jobVersion, status, description, groups: [], createdAt: at, updatedAt: at };
}

function maker(versions: JobVersion[] = [gitVersion('web', 3)], clock = { now: at }) {
  let n = 0;
  return new NotificationMaker({
    versionOf: (jobId, version) => versions.find((v) => v.jobId === jobId && v.version === version) ?? null,
    now: () => clock.now,
    newId: () => `id-${++n}`,
    agentUrl: 'https://deckhand.example.test',
  });
}

const failedDescription = 'Failed due to unhealthy allocations - rolling back to job version 2';

describe('notifications drawn from bus events', () => {
  test('a failed deployment of a Git version: the job, version, deployment and commit', () => {
    const made = maker().from({ type: 'deployment', jobId: 'web', deployment: deployment('failed', failedDescription), message: 'x' });
    expect(made).toEqual({
      schemaVersion: 1,
      id: 'id-1',
      event: 'deployment-failed',
      time: '2026-12-07T19:00:00.000Z',
      job: 'web',
      jobVersion: 3,
      deployment: { id: 'c5b34665aaaabbbbccccddddeeeeffff', status: 'failed', description: failedDescription },
      commit: sha,
      file: 'jobs/web.nomad',
      message: `job "web" version 3 (commit 1a2b3c4): deployment failed: ${failedDescription}`,
      agentUrl: 'https://deckhand.example.test',
    });
  });

  test('a successful deployment of a version from the CLI has no commit', () => {
    const made = maker([{ ...gitVersion('web', 3), source: { kind: 'cli', commit: null, file: null, author: null, message: null, revertOf: null } }]).from({
      type: 'deployment', jobId: 'web', deployment: deployment('successful', 'Deployment completed successfully'), message: 'x',
    });
    expect(made).toMatchObject({ event: 'deployment-succeeded', commit: null, file: null, message: 'job "web" version 3: deployment succeeded: Deployment completed successfully' });
  });

  test('running, paused and cancelled deployments say nothing; a repeat of a final state says nothing again', () => {
    const m = maker();
    for (const status of ['running', 'paused', 'cancelled'] as const) expect(m.from({ type: 'deployment', jobId: 'web', deployment: deployment(status, 'd'), message: 'x' })).toBeNull();
    const failed = { type: 'deployment' as const, jobId: 'web', deployment: deployment('failed', failedDescription), message: 'x' };
    expect(m.from(failed)).not.toBeNull();
    expect(m.from(failed)).toBeNull();
  });

  test('an auto-revert version is a rollback; other versions say nothing', () => {
    const m = maker();
    expect(m.from({ type: 'version', jobId: 'web', version: gitVersion('web', 4), message: 'x' })).toBeNull();
    expect(m.from({ type: 'version', jobId: 'web', version: gitVersion('web', 5, 'auto-revert', 2), message: 'x' })).toMatchObject({
      event: 'deployment-rolled-back', job: 'web', jobVersion: 5,
      message: 'job "web" was rolled back to version 2 after a failed deployment (auto-revert); version 5 repeats its spec',
    });
  });

  test('a render error is said once per commit and file, though published once per job of the file', () => {
    const m = maker();
    const diagnostics = [{ severity: 'error' as const, code: 'c', file: 'jobs/web.nomad', line: 3, col: 5, field: 'count', message: 'bad' }];
    const event = (jobId: string | null) => ({ type: 'render-error' as const, jobId, commit: sha, file: 'jobs/web.nomad', diagnostics, message: 'commit 1a2b3c4: jobs/web.nomad:3:5: count: bad' });
    expect(m.from(event('web'))).toMatchObject({ event: 'render-error', job: 'web', commit: sha, file: 'jobs/web.nomad', message: 'commit 1a2b3c4: jobs/web.nomad:3:5: count: bad' });
    expect(m.from(event('api'))).toBeNull();
  });

  test('a sync failure is said once for the repository, not once per job; drift is said as healed', () => {
    const m = maker();
    expect(m.from({ type: 'sync-error', jobId: 'web', message: 'fetch failed' })).toBeNull();
    expect(m.from({ type: 'sync-error', jobId: null, message: 'fetch failed' })).toMatchObject({ event: 'sync-failing', job: null, message: 'fetch failed' });
    expect(m.from({ type: 'drift', jobId: 'web', allocId: 'ab12', message: 'drift: allocation ab12 (web[0]) failed (its containers are gone): replaced' })).toMatchObject({
      event: 'drift-healed', job: 'web', message: 'job "web": drift: allocation ab12 (web[0]) failed (its containers are gone): replaced',
    });
  });

  test('drift healed in a job again (a crash loop) is said again only after five minutes', () => {
    const clock = { now: at };
    const m = maker([], clock);
    const drift = { type: 'drift' as const, jobId: 'web', allocId: 'ab12', message: 'drift: allocation ab12 (web[0]) exited' };
    expect(m.from(drift)).not.toBeNull();
    clock.now += repeatWindowMs - 1;
    expect(m.from(drift)).toBeNull();
    expect(m.from({ ...drift, allocId: 'cd34', message: 'drift: allocation cd34 (web[1]) exited' })).toBeNull();
    expect(m.from({ ...drift, jobId: 'api', allocId: 'ef56', message: 'drift: allocation ef56 (api[0]) exited' })).not.toBeNull();
    clock.now += 1;
    expect(m.from(drift)).toMatchObject({ event: 'drift-healed', time: new Date(at + repeatWindowMs).toISOString() });
  });

  test('allocation progress and plans say nothing', () => {
    expect(maker().from({ type: 'job', jobId: 'web', message: 'job stopped' })).toBeNull();
    expect(maker().from({ type: 'plan-started', jobId: null, pullRequest: 1, headSha: sha, message: 'x' })).toBeNull();
  });
});

const failed: Notification = maker().from({ type: 'deployment', jobId: 'web', deployment: deployment('failed', failedDescription), message: 'x' })!;

describe('the generic webhook', () => {
  test('the body is the notification; the signature is HMAC-SHA256 of the exact bytes, as GitHub signs', () => {
    const { body, headers } = webhookNotifier.request(failed, 'It’s a Secret to Everybody');
    expect(JSON.parse(body)).toEqual(failed);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-deckhand-event']).toBe('deployment-failed');
    expect(headers['x-deckhand-delivery']).toBe(failed.id);
    expect(headers['x-deckhand-signature-256']).toBe(`sha256=${createHmac('sha256', 'It’s a Secret to Everybody').update(body).digest('hex')}`);
  });

  test('the signature matches GitHub\'s published example', () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expect(signBody('It\'s a Secret to Everybody', 'Hello, World!')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  test('without a secret there is no signature header', () => {
    expect(Object.keys(webhookNotifier.request(failed, null).headers)).not.toContain('x-deckhand-signature-256');
  });
});

describe('Slack', () => {
  test('text and blocks: the title, the message, the facts', () => {
    expect(slackBody(failed)).toEqual({
      text: `[failure] web: deployment failed: ${failed.message}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `:x: *web: deployment failed*\n${failed.message}` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'job `web` · version 3 · commit `1a2b3c4` · file `jobs/web.nomad` · deployment `c5b34665` failed' }] },
      ],
    });
  });

  test('markup from job files and commits is escaped: no forged links or channel pings', () => {
    expect(escapeSlack('<!channel> & <https://evil.test|click>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil.test|click&gt;');
    const hostile = { ...failed, message: '<!here> deploy' };
    expect(JSON.stringify(slackBody(hostile))).not.toContain('<!here>');
  });

  test('a long message is cut to the section limit', () => {
    const body = slackBody({ ...failed, message: 'x'.repeat(5000) });
    expect((body.blocks[0] as { text: { text: string } }).text.text).toHaveLength(3000);
    expect(body.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('Discord', () => {
  test('content and an embed: red for a failure, the facts as fields, no mentions', () => {
    expect(discordBody(failed)).toEqual({
      content: `web: deployment failed: ${failed.message}`,
      embeds: [
        {
          title: 'web: deployment failed',
          description: failed.message,
          color: 0xd73a49,
          fields: [
            { name: 'job', value: 'web', inline: true },
            { name: 'version', value: '3', inline: true },
            { name: 'commit', value: '1a2b3c4', inline: true },
            { name: 'file', value: 'jobs/web.nomad', inline: true },
            { name: 'deployment', value: 'c5b34665 failed', inline: true },
          ],
          timestamp: '2026-12-07T19:00:00.000Z',
          url: 'https://deckhand.example.test',
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  test('an agent address that is not a URL is left out of the embed rather than have Discord refuse it', () => {
    expect(discordBody({ ...failed, agentUrl: 'deckhand.internal' }).embeds[0]).not.toHaveProperty('url');
  });

  test('a success is green; a long message fits Discord\'s limits', () => {
    const body = discordBody({ ...failed, event: 'deployment-succeeded', message: 'y'.repeat(5000) });
    const embed = body.embeds[0] as { color: number; description: string };
    expect(embed.color).toBe(0x28a745);
    expect(embed.description).toHaveLength(4096);
    expect(body.content).toHaveLength(2000);
  });
});
