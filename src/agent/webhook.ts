// `POST /v1/webhooks/<forge>`: the forge verifies and reads the delivery (its
// signature over the raw body, its delivery id seen once); a push to the followed
// branch queues a sync, a pull request a plan. It answers at once (GitHub gives
// up after 10 s and never redelivers, which is why polling stays on as well).
import type { Logger } from 'pino';
import type { WebhookHandler } from '../api/index.js';
import type { WebhookReader } from '../status/forges/index.js';
import { sameRepository } from '../sync/index.js';

export interface WebhookTargets {
  reader: WebhookReader;
  repository: { url: string; branch: string };
  /** A push to the followed branch, with the commit it made the head. */
  onPush: (sha: string) => void;
  onPullRequest?: (pullRequest: { number: number; headSha: string; headRef: string }) => void;
  logger: Logger;
}

const plannedActions = new Set(['opened', 'synchronize', 'reopened']);

export function webhookHandler(targets: WebhookTargets): WebhookHandler {
  return ({ headers, rawBody }) => {
    const delivery = targets.reader.read(headers, rawBody);
    switch (delivery.kind) {
      case 'refused':
        targets.logger.warn(`webhook refused: ${delivery.message}`);
        return { status: delivery.status, body: { error: { code: delivery.code, message: delivery.message } } };
      case 'duplicate':
        return { status: 200, body: { ok: true, duplicate: true } };
      case 'push': {
        const ours = delivery.branch === targets.repository.branch && sameRepository(delivery.cloneUrl, targets.repository.url);
        if (!ours) return { status: 202, body: { ok: true, ignored: `not ${targets.repository.branch} of the followed repository` } };
        targets.logger.info({ delivery: delivery.delivery, after: delivery.after }, `webhook: push to ${delivery.branch} (${delivery.after.slice(0, 7)}); syncing`);
        targets.onPush(delivery.after);
        return { status: 202, body: { ok: true, queued: 'sync' } };
      }
      case 'pull-request':
        if (!targets.onPullRequest || !plannedActions.has(delivery.action)) return { status: 202, body: { ok: true, ignored: `pull_request ${delivery.action}` } };
        targets.onPullRequest({ number: delivery.number, headSha: delivery.headSha, headRef: delivery.headRef });
        return { status: 202, body: { ok: true, queued: 'plan' } };
      case 'ignored':
        return { status: 202, body: { ok: true, ignored: delivery.what } };
    }
  };
}
