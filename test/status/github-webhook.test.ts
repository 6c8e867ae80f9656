// Webhook verification and parsing, pure: signatures valid, invalid, missing and
// malformed; push and pull_request payloads; delivery-id dedupe.
import { createHmac } from 'node:crypto';
import { DeliveryDeduper, parseWebhook, pushConcerns, signBody, verifySignature, webhookPayloadFormat } from '../../src/status/forges/github/webhook.js';

const secret = "It's a Secret to Everybody";
const encode = (text: string) => new TextEncoder().encode(text);

const sha = (c: string) => c.repeat(40);
const pushPayload = {
  ref: 'refs/heads/main',
  before: sha('a'),
  after: sha('b'),
  created: false,
  deleted: false,
  forced: true,
  repository: { full_name: 'acme/jobs', clone_url: 'https://github.com/acme/jobs.git' },
  pusher: { name: 'octocat', email: 'octocat@example.com' },
  head_commit: { id: sha('b'), message: 'Scale web to 3' },
};
const pullRequestPayload = {
  action: 'synchronize',
  number: 42,
  pull_request: {
    title: 'Canary for api',
    merged: false,
    head: { sha: sha('c'), ref: 'canary-api', repo: { clone_url: 'https://github.com/fork/jobs.git' } },
    base: { ref: 'main', repo: { clone_url: 'https://github.com/acme/jobs.git' } },
  },
  repository: { full_name: 'acme/jobs', clone_url: 'https://github.com/acme/jobs.git' },
};

describe('verifySignature', () => {
  it("accepts GitHub's documented example", () => {
    // From GitHub's "Validating webhook deliveries" page.
    const check = verifySignature(secret, encode('Hello, World!'), 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(check).toEqual({ ok: true });
  });

  it('accepts a signature of the raw bytes, in either hex case', () => {
    const body = encode(JSON.stringify(pushPayload));
    const header = signBody(secret, body);
    expect(header).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    expect(verifySignature(secret, body, header).ok).toBe(true);
    expect(verifySignature(secret, body, header.toUpperCase().replace('SHA256=', 'sha256=')).ok).toBe(true);
  });

  it('refuses a wrong secret, a changed body, a missing or malformed header, and an empty secret', () => {
    const body = encode('{"ref":"refs/heads/main"}');
    const header = signBody(secret, body);
    expect(verifySignature('other', body, header)).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature(secret, encode('{"ref":"refs/heads/evil"}'), header)).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature(secret, body, undefined)).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifySignature(secret, body, '')).toMatchObject({ ok: false, reason: 'missing' });
    for (const malformed of ['sha1=abc', header.slice(0, -2), `${header}00`, 'sha256=' + 'z'.repeat(64), [header, header]]) {
      expect(verifySignature(secret, body, malformed)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    expect(verifySignature('', body, signBody('', body))).toMatchObject({ ok: false, reason: 'no-secret' });
  });
});

describe('parseWebhook', () => {
  it('reads a push: ref, branch, after sha, clone URL', () => {
    const parsed = parseWebhook('push', encode(JSON.stringify(pushPayload)));
    expect(parsed).toEqual({
      ok: true,
      event: {
        kind: 'push',
        ref: 'refs/heads/main',
        branch: 'main',
        before: sha('a'),
        after: sha('b'),
        deleted: false,
        forced: true,
        cloneUrl: 'https://github.com/acme/jobs.git',
        repositoryFullName: 'acme/jobs',
        pusher: 'octocat',
        headCommitMessage: 'Scale web to 3',
      },
    });
  });

  it('reads a pull_request: action, number, head sha and ref', () => {
    const parsed = parseWebhook('pull_request', encode(JSON.stringify(pullRequestPayload)));
    expect(parsed).toEqual({
      ok: true,
      event: {
        kind: 'pull_request',
        action: 'synchronize',
        number: 42,
        headSha: sha('c'),
        headRef: 'canary-api',
        headCloneUrl: 'https://github.com/fork/jobs.git',
        baseRef: 'main',
        cloneUrl: 'https://github.com/acme/jobs.git',
        repositoryFullName: 'acme/jobs',
        title: 'Canary for api',
        merged: false,
      },
    });
  });

  it('reads a form-encoded payload, a ping, and ignores other events', () => {
    const form = encode(`payload=${encodeURIComponent(JSON.stringify(pushPayload))}`);
    const parsed = parseWebhook('push', form, 'application/x-www-form-urlencoded');
    expect(parsed.ok && parsed.event.kind === 'push' && parsed.event.after).toBe(sha('b'));
    expect(parseWebhook('ping', encode('{"zen":"Keep it simple.","hook_id":7}'))).toEqual({ ok: true, event: { kind: 'ping', hookId: 7 } });
    expect(parseWebhook('issues', encode('not even json'))).toEqual({ ok: true, event: { kind: 'ignored', event: 'issues' } });
  });

  it('knows the two content types GitHub sends, parameters and case aside', () => {
    expect(webhookPayloadFormat('application/json')).toBe('json');
    expect(webhookPayloadFormat('Application/JSON; charset=utf-8')).toBe('json');
    expect(webhookPayloadFormat('application/x-www-form-urlencoded')).toBe('form');
    expect(webhookPayloadFormat('text/plain')).toBeNull();
    expect(webhookPayloadFormat(undefined)).toBeNull();
  });

  it('says which field is wrong, and refuses bodies that are not JSON', () => {
    expect(parseWebhook('push', encode(JSON.stringify({ ...pushPayload, after: 'HEAD' })))).toEqual({ ok: false, message: "push payload: 'after' must be a 40-digit hex sha" });
    expect(parseWebhook('pull_request', encode(JSON.stringify({ ...pullRequestPayload, number: '42' })))).toEqual({ ok: false, message: "pull_request payload: 'number' must be an integer" });
    expect(parseWebhook('push', encode(JSON.stringify({ ...pushPayload, repository: {} })))).toMatchObject({ ok: false, message: expect.stringContaining("'repository.clone_url'") });
    expect(parseWebhook('push', encode('{'))).toMatchObject({ ok: false, message: expect.stringContaining('not JSON') });
    expect(parseWebhook(undefined, encode('{}'))).toEqual({ ok: false, message: 'the X-GitHub-Event header is missing' });
  });

  it('matches a push to the configured repository and branch', () => {
    const parsed = parseWebhook('push', encode(JSON.stringify(pushPayload)));
    if (!parsed.ok || parsed.event.kind !== 'push') throw new Error('expected a push');
    expect(pushConcerns(parsed.event, { url: 'https://token@GitHub.com/acme/jobs', branch: 'main' })).toBe(true);
    expect(pushConcerns(parsed.event, { url: 'https://github.com/acme/jobs.git', branch: 'staging' })).toBe(false);
    expect(pushConcerns(parsed.event, { url: 'https://github.com/acme/other.git', branch: 'main' })).toBe(false);
  });
});

describe('DeliveryDeduper', () => {
  it('handles a delivery id once, and forgets the oldest beyond its capacity', () => {
    const dedupe = new DeliveryDeduper(3);
    expect(dedupe.firstSeen('a')).toBe(true);
    expect(dedupe.firstSeen('a')).toBe(false);
    expect(dedupe.firstSeen('b')).toBe(true);
    expect(dedupe.firstSeen('c')).toBe(true);
    // 'a' was refreshed by its repeat, so 'b' is the oldest now.
    expect(dedupe.firstSeen('a')).toBe(false);
    expect(dedupe.firstSeen('d')).toBe(true);
    expect(dedupe.size).toBe(3);
    expect(dedupe.firstSeen('b')).toBe(true);
    dedupe.forget('d');
    expect(dedupe.firstSeen('d')).toBe(true);
  });
});
