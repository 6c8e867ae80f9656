// GitHub webhooks, pure: verify the signature over the raw body, parse the events
// the agent acts on, and remember delivery ids so a delivery is handled once.
// The HTTP route (answer fast, then `SyncLoop.trigger`) lives with the agent.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sameRepository } from '../../../sync/index.js';

export type SignatureCheck = { ok: true } | { ok: false; reason: 'no-secret' | 'missing' | 'malformed' | 'mismatch'; message: string };

const signaturePattern = /^sha256=([0-9a-f]{64})$/i;

/**
 * `X-Hub-Signature-256` must be `sha256=` + the hex HMAC-SHA256 of the raw body
 * (the bytes as received: re-serialized JSON would not match), compared in
 * constant time so the answer's timing tells nothing about the expected value.
 */
export function verifySignature(secret: string | Uint8Array, rawBody: Uint8Array, header: string | string[] | undefined): SignatureCheck {
  // With an empty key anyone can compute the HMAC: refuse rather than accept everything.
  if (secret.length === 0) return { ok: false, reason: 'no-secret', message: 'no webhook secret is configured' };
  if (header === undefined || header === '') return { ok: false, reason: 'missing', message: 'the X-Hub-Signature-256 header is missing' };
  const match = typeof header === 'string' ? signaturePattern.exec(header.trim()) : null;
  if (!match) return { ok: false, reason: 'malformed', message: "X-Hub-Signature-256 must be 'sha256=' followed by 64 hex digits" };
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch', message: 'X-Hub-Signature-256 does not match the body (wrong secret, or the body was changed)' };
  return { ok: true };
}

/** The header value GitHub would send for this body: for tests and stand-ins. */
export function signBody(secret: string | Uint8Array, rawBody: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export interface PushEvent {
  kind: 'push';
  /** Full ref, e.g. `refs/heads/main`. */
  ref: string;
  /** The branch name when the ref is a branch, else null (a tag). */
  branch: string | null;
  before: string;
  /** Head sha after the push (all zeros when the branch was deleted). */
  after: string;
  deleted: boolean;
  forced: boolean;
  cloneUrl: string;
  repositoryFullName: string;
  pusher: string | null;
  headCommitMessage: string | null;
}

export interface PullRequestEvent {
  kind: 'pull_request';
  /** `opened`, `synchronize`, `reopened`, `closed`, … */
  action: string;
  number: number;
  headSha: string;
  headRef: string;
  /** Differs from the base repository's for a pull request from a fork. */
  headCloneUrl: string | null;
  baseRef: string;
  cloneUrl: string;
  repositoryFullName: string;
  title: string;
  merged: boolean;
}

export type WebhookEvent = PushEvent | PullRequestEvent | { kind: 'ping'; hookId: number | null } | { kind: 'ignored'; event: string };

export type WebhookParseResult = { ok: true; event: WebhookEvent } | { ok: false; message: string };

/** The two content types a GitHub webhook can be set to. */
export const webhookContentTypes = ['application/json', 'application/x-www-form-urlencoded'] as const;

/** How a delivery's body is encoded, by its Content-Type; null for a type GitHub does not send. */
export function webhookPayloadFormat(contentType: string | undefined): 'json' | 'form' | null {
  const type = contentType?.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return null;
}

/**
 * Parses a delivery by its `X-GitHub-Event` name. Bodies may be JSON or, when the
 * hook is set to `application/x-www-form-urlencoded`, a `payload=` form field.
 */
export function parseWebhook(eventName: string | undefined, rawBody: Uint8Array, contentType?: string): WebhookParseResult {
  if (!eventName) return { ok: false, message: 'the X-GitHub-Event header is missing' };
  if (eventName !== 'push' && eventName !== 'pull_request' && eventName !== 'ping') return { ok: true, event: { kind: 'ignored', event: eventName } };
  const payload = decodePayload(rawBody, contentType);
  if (!payload.ok) return payload;
  const body = new Reader(payload.value, eventName);
  try {
    if (eventName === 'ping') return { ok: true, event: { kind: 'ping', hookId: body.optionalNumber('hook_id') } };
    if (eventName === 'push') return { ok: true, event: readPush(body) };
    return { ok: true, event: readPullRequest(body) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Whether a push moved the configured branch of the configured repository. */
export function pushConcerns(event: PushEvent, source: { url: string; branch: string }): boolean {
  return event.branch === source.branch && sameRepository(event.cloneUrl, source.url);
}

function readPush(body: Reader): PushEvent {
  const ref = body.string('ref');
  return {
    kind: 'push',
    ref,
    branch: ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null,
    before: body.sha('before'),
    after: body.sha('after'),
    deleted: body.optionalBoolean('deleted') ?? false,
    forced: body.optionalBoolean('forced') ?? false,
    cloneUrl: body.string('repository.clone_url'),
    repositoryFullName: body.string('repository.full_name'),
    pusher: body.optionalString('pusher.name'),
    headCommitMessage: body.optionalString('head_commit.message'),
  };
}

function readPullRequest(body: Reader): PullRequestEvent {
  return {
    kind: 'pull_request',
    action: body.string('action'),
    number: body.number('number'),
    headSha: body.sha('pull_request.head.sha'),
    headRef: body.string('pull_request.head.ref'),
    headCloneUrl: body.optionalString('pull_request.head.repo.clone_url'),
    baseRef: body.string('pull_request.base.ref'),
    cloneUrl: body.string('repository.clone_url'),
    repositoryFullName: body.string('repository.full_name'),
    title: body.optionalString('pull_request.title') ?? '',
    merged: body.optionalBoolean('pull_request.merged') ?? false,
  };
}

function decodePayload(rawBody: Uint8Array, contentType: string | undefined): { ok: true; value: unknown } | { ok: false; message: string } {
  let text = new TextDecoder().decode(rawBody);
  if (webhookPayloadFormat(contentType) === 'form') {
    const field = new URLSearchParams(text).get('payload');
    if (field === null) return { ok: false, message: "the form body has no 'payload' field" };
    text = field;
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `the body is not JSON: ${(error as Error).message}` };
  }
}

/** Reads dotted paths from an untrusted payload; a missing or mistyped field throws a message naming it. */
class Reader {
  constructor(
    private readonly root: unknown,
    private readonly eventName: string,
  ) {}

  string(path: string): string {
    const value = this.at(path);
    if (typeof value !== 'string' || value === '') throw this.fieldError(path, 'a non-empty string');
    return value;
  }

  sha(path: string): string {
    const value = this.string(path);
    if (!/^[0-9a-f]{40}$/.test(value)) throw this.fieldError(path, 'a 40-digit hex sha');
    return value;
  }

  number(path: string): number {
    const value = this.at(path);
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.fieldError(path, 'an integer');
    return value;
  }

  optionalString(path: string): string | null {
    const value = this.at(path);
    return typeof value === 'string' ? value : null;
  }

  optionalNumber(path: string): number | null {
    const value = this.at(path);
    return typeof value === 'number' ? value : null;
  }

  optionalBoolean(path: string): boolean | null {
    const value = this.at(path);
    return typeof value === 'boolean' ? value : null;
  }

  private at(path: string): unknown {
    let current: unknown = this.root;
    for (const key of path.split('.')) {
      if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  }

  private fieldError(path: string, expected: string): Error {
    return new Error(`${this.eventName} payload: '${path}' must be ${expected}`);
  }
}

/**
 * Delivery ids (`X-GitHub-Delivery`) seen lately, oldest forgotten first: GitHub
 * may deliver one event twice, and a redelivery from the UI repeats the id.
 */
export class DeliveryDeduper {
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 1000) {}

  /** True the first time an id is seen (and remembers it); false for a repeat. */
  firstSeen(deliveryId: string): boolean {
    if (this.seen.has(deliveryId)) {
      // Refresh: an id that keeps coming back stays remembered.
      this.seen.delete(deliveryId);
      this.seen.set(deliveryId, true);
      return false;
    }
    this.seen.set(deliveryId, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  /** Lets a delivery be handled again (e.g. when handling it failed). */
  forget(deliveryId: string): void {
    this.seen.delete(deliveryId);
  }

  get size(): number {
    return this.seen.size;
  }
}
