// `POST /v1/webhooks/github`: checks the signature over the raw body, drops
// repeated deliveries, and queues a sync; it answers at once (GitHub gives up
// after 10 s and never redelivers, which is why polling stays on as well).
import type { Logger } from 'pino';
import type { WebhookHandler } from '../api/server.js';
import type { PullRequestEvent } from '../sync/webhook.js';
import { DeliveryDeduper, parseWebhook, pushConcerns, verifySignature, webhookContentTypes, webhookPayloadFormat } from '../sync/webhook.js';

export interface WebhookTargets {
  secret: string;
  repository: { url: string; branch: string };
  onPush: () => void;
  onPullRequest?: (event: PullRequestEvent) => void;
  logger: Logger;
}

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function githubWebhook(targets: WebhookTargets): WebhookHandler {
  const deliveries = new DeliveryDeduper();
  return ({ headers, rawBody }) => {
    const contentType = header(headers, 'content-type');
    if (webhookPayloadFormat(contentType) === null) {
      const message = `a webhook body of type ${contentType ? `"${contentType}"` : '(none)'} is not understood: set the webhook's content type to ${webhookContentTypes.join(' or ')}, the two GitHub offers`;
      targets.logger.warn(`webhook refused: ${message}`);
      return { status: 415, body: { error: { code: 'unsupported-media-type', message } } };
    }
    const signature = verifySignature(targets.secret, rawBody, headers['x-hub-signature-256']);
    if (!signature.ok) {
      targets.logger.warn({ reason: signature.reason }, `webhook refused: ${signature.message}`);
      return { status: 401, body: { error: { code: 'bad-signature', message: signature.message } } };
    }
    const delivery = header(headers, 'x-github-delivery');
    if (delivery && !deliveries.firstSeen(delivery)) return { status: 200, body: { ok: true, duplicate: true } };
    const parsed = parseWebhook(header(headers, 'x-github-event'), rawBody, header(headers, 'content-type'));
    if (!parsed.ok) return { status: 400, body: { error: { code: 'bad-payload', message: parsed.message } } };
    const event = parsed.event;
    if (event.kind === 'push') {
      if (!pushConcerns(event, targets.repository)) return { status: 202, body: { ok: true, ignored: `not ${targets.repository.branch} of the followed repository` } };
      targets.logger.info({ delivery, after: event.after }, `webhook: push to ${event.branch} (${event.after.slice(0, 7)}); syncing`);
      targets.onPush();
      return { status: 202, body: { ok: true, queued: 'sync' } };
    }
    if (event.kind === 'pull_request' && targets.onPullRequest && ['opened', 'synchronize', 'reopened'].includes(event.action)) {
      targets.onPullRequest(event);
      return { status: 202, body: { ok: true, queued: 'plan' } };
    }
    return { status: 202, body: { ok: true, ignored: event.kind === 'ignored' ? event.event : event.kind } };
  };
}
