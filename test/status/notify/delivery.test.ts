// Delivery to real HTTP receivers on 127.0.0.1: retries with backoff until the
// receiver takes it, a refusal given up at once, a bounded queue that drops the
// oldest, a receiver that never answers or is not there holding nothing up, and
// a close that cancels what waits.
import { createHmac } from 'node:crypto';
import type { DeckhandEvent } from '../../../src/model/events.js';
import type { Deployment } from '../../../src/model/state.js';
import { notificationEvents, notifiers, startNotifications } from '../../../src/status/notify/index.js';
import type { DeliveryOptions, NotificationTarget } from '../../../src/status/notify/index.js';
import { startReceiver, unusedPort } from './receiver.js';
import type { Receiver } from './receiver.js';

const notifier = (kind: string) => notifiers.find((n) => n.kind === kind)!;

function target(kind: string, url: string, secret: string | null = null): NotificationTarget {
  return { name: `${kind}-test`, notifier: notifier(kind), url, secret, events: notificationEvents };
}

let sequence = 0;
function failedDeployment(jobId = 'web'): DeckhandEvent {
  sequence += 1;
  const deployment: Deployment = { id: `d${sequence}`.padEnd(32, '0'), jobId, jobVersion: sequence, status: 'failed', description: 'Failed due to unhealthy allocations', groups: [], createdAt: 0, updatedAt: 0 };
  return { type: 'deployment', jobId, deployment, message: 'failed' };
}

function recordingLog() {
  const lines: Array<{ details: Record<string, unknown>; message: string }> = [];
  return { lines, warn: (details: Record<string, unknown>, message: string) => lines.push({ details, message }) };
}

const fast: Partial<DeliveryOptions> = { initialRetryDelayMs: 50, maxRetryDelayMs: 200, timeoutMs: 2000 };

const receivers: Receiver[] = [];
async function receiver(options: Parameters<typeof startReceiver>[0] = {}) {
  const started = await startReceiver(options);
  receivers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('delivering notifications', () => {
  test('a receiver that answers 500 twice then 200 gets the notification on the third try, the same bytes each time, signed', async () => {
    const hook = await receiver({ statuses: [500, 500] });
    const log = recordingLog();
    const notifications = startNotifications([target('webhook', hook.url, 'shh')], { log, versionOf: () => null, agentUrl: null, delivery: fast });
    notifications.notify(failedDeployment());
    await notifications.idle();
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    const third = hook.received[2]!;
    expect(third.headers['x-deckhand-signature-256']).toBe(`sha256=${createHmac('sha256', 'shh').update(third.body).digest('hex')}`);
    expect(JSON.parse(third.body)).toMatchObject({ schemaVersion: 1, event: 'deployment-failed', job: 'web' });
    // Backoff: the second wait is about twice the first.
    const gaps = [hook.received[1]!.at - hook.received[0]!.at, hook.received[2]!.at - hook.received[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(log.lines.map((l) => l.message)).toEqual([
      'notification target webhook-test: sending deployment-failed of job web failed (HTTP 500); retrying in 50 ms',
      'notification target webhook-test: sending deployment-failed of job web failed (HTTP 500); retrying in 100 ms',
    ]);
    await notifications.close();
  });

  test('429 with Retry-After waits as the receiver asks, capped', async () => {
    const limited = await receiver({ statuses: [{ status: 429, headers: { 'retry-after': '0.3' } }, { status: 429, headers: { 'retry-after': '3600' } }] });
    const log = recordingLog();
    const notifications = startNotifications([target('discord', limited.url)], { log, versionOf: () => null, agentUrl: null, delivery: { ...fast, maxRetryDelayMs: 500 } });
    notifications.notify(failedDeployment());
    await notifications.idle();
    expect(limited.received).toHaveLength(3);
    expect(log.lines.map((l) => l.details.retryInMs)).toEqual([300, 500]);
    expect(limited.received[1]!.at - limited.received[0]!.at).toBeGreaterThanOrEqual(290);
    await notifications.close();
  });

  test('a store that cannot be read costs the commit, not the notification', async () => {
    const hook = await receiver();
    const notifications = startNotifications([target('webhook', hook.url)], {
      log: recordingLog(), agentUrl: null, delivery: fast,
      versionOf: () => {
        throw new Error('SQLITE_IOERR');
      },
    });
    notifications.notify(failedDeployment());
    await notifications.idle();
    expect(JSON.parse(hook.received[0]!.body)).toMatchObject({ event: 'deployment-failed', commit: null });
    await notifications.close();
  });

  test('a refusal (400) is not retried; attempts stop at the cap', async () => {
    const refusing = await receiver({ statuses: [400] });
    const failing = await receiver({ statuses: [503, 503, 503, 503] });
    const log = recordingLog();
    const notifications = startNotifications([target('slack', refusing.url), target('discord', failing.url)], { log, versionOf: () => null, agentUrl: null, delivery: { ...fast, maxAttempts: 3 } });
    notifications.notify(failedDeployment());
    await notifications.idle();
    expect(refusing.received).toHaveLength(1);
    expect(failing.received).toHaveLength(3);
    expect(log.lines.map((l) => l.message)).toEqual(expect.arrayContaining([
      'notification target slack-test: gave up sending deployment-failed of job web (the receiver refused it; retrying cannot help): HTTP 400',
      'notification target discord-test: gave up sending deployment-failed of job web (after 3 attempts): HTTP 503',
    ]));
    await notifications.close();
  });

  test('nothing logged holds the URL, which is the credential of Slack and Discord', async () => {
    const port = await unusedPort();
    const secretUrl = `http://127.0.0.1:${port}/services/T000/B000/XXXXSECRET`;
    const log = recordingLog();
    const notifications = startNotifications([target('slack', secretUrl)], { log, versionOf: () => null, agentUrl: null, delivery: { ...fast, maxAttempts: 2 } });
    notifications.notify(failedDeployment());
    await notifications.idle();
    expect(log.lines.map((l) => l.message)).toEqual([
      'notification target slack-test: sending deployment-failed of job web failed (ECONNREFUSED); retrying in 50 ms',
      'notification target slack-test: gave up sending deployment-failed of job web (after 2 attempts): ECONNREFUSED',
    ]);
    expect(JSON.stringify(log.lines)).not.toContain('XXXXSECRET');
    await notifications.close();
  });

  test('a receiver that never answers holds nothing up; the queue is bounded and drops the oldest, with a log line', async () => {
    const silent = await receiver({ hang: true });
    const log = recordingLog();
    const notifications = startNotifications([target('webhook', silent.url, 's')], { log, versionOf: () => null, agentUrl: null, delivery: { ...fast, maxQueued: 2, timeoutMs: 30_000 } });
    const started = performance.now();
    for (const job of ['a', 'b', 'c', 'd', 'e']) notifications.notify(failedDeployment(job));
    // Five notifications queued without waiting for the receiver.
    expect(performance.now() - started).toBeLessThan(200);
    await silent.request(1);
    expect(silent.open()).toBe(1);
    // `a` is in flight; of b, c, d, e only the newest two wait.
    expect(log.lines.map((l) => l.details.dropped)).toEqual(['deployment-failed of job b', 'deployment-failed of job c']);
    expect(log.lines[0]!.message).toBe('notification target webhook-test: 2 notifications wait already; dropped the oldest (deployment-failed of job b)');
    // Closing cancels the request under way and drops what waits, at once.
    const closing = performance.now();
    await notifications.close();
    expect(performance.now() - closing).toBeLessThan(1000);
    expect(silent.received).toHaveLength(1);
  });

  test('a receiver that does not answer in time is retried like one that fails', async () => {
    const slow = await receiver({ hang: true });
    const log = recordingLog();
    const notifications = startNotifications([target('webhook', slow.url)], { log, versionOf: () => null, agentUrl: null, delivery: { ...fast, timeoutMs: 100, maxAttempts: 2 } });
    notifications.notify(failedDeployment());
    await notifications.idle();
    expect(slow.received).toHaveLength(2);
    expect(log.lines.at(-1)!.message).toBe('notification target webhook-test: gave up sending deployment-failed of job web (after 2 attempts): no answer in time');
    await notifications.close();
  });

  test('each target gets only the events it asks for', async () => {
    const all = await receiver();
    const renderOnly = await receiver();
    const notifications = startNotifications([target('webhook', all.url), { ...target('webhook', renderOnly.url), name: 'render-only', events: ['render-error'] }], {
      log: recordingLog(), versionOf: () => null, agentUrl: null, delivery: fast,
    });
    notifications.notify(failedDeployment());
    notifications.notify({ type: 'render-error', jobId: 'web', commit: 'abc1234', file: 'web.nomad', diagnostics: [], message: 'web.nomad:1:1: x: bad' });
    await notifications.idle();
    expect(all.received.map((r) => JSON.parse(r.body).event)).toEqual(['deployment-failed', 'render-error']);
    expect(renderOnly.received.map((r) => JSON.parse(r.body).event)).toEqual(['render-error']);
    await notifications.close();
  });
});
