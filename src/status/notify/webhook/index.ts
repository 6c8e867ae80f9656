// The generic webhook: the notification as it is (notification.ts, schema
// version 1), signed as GitHub signs its webhooks so a receiver can check it
// came from this agent: `X-Deckhand-Signature-256: sha256=<HMAC-SHA256 of the
// raw body, hex>`.
import { createHmac } from 'node:crypto';
import type { Notification } from '../notification.js';
import type { Notifier } from '../notifier.js';

export const signatureHeader = 'X-Deckhand-Signature-256';

/** `sha256=` and the HMAC-SHA256 of the exact bytes sent, in lowercase hex. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export const webhookNotifier: Notifier = {
  kind: 'webhook',
  description: 'generic webhook (the notification as JSON, signed with HMAC-SHA256)',
  urlIsSecret: false,
  signs: true,
  request(notification: Notification, secret: string | null) {
    const body = JSON.stringify(notification);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-deckhand-event': notification.event,
      'x-deckhand-delivery': notification.id,
    };
    if (secret !== null) headers[signatureHeader.toLowerCase()] = signBody(secret, body);
    return { body, headers };
  },
};
