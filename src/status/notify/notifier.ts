// A notifier tells people what deckhand did, in the format a receiver takes (a
// generic signed webhook, Slack, Discord). Each notifier is a folder beside this
// file, listed once in index.ts: adding Teams or Mattermost is a folder and a
// line. It only draws the request; choosing the events, queueing, retrying and
// sending are shared (delivery.ts, notifications.ts), so a new format never
// holds up a rollout by mistake.
import type { Notification } from './notification.js';

export interface NotificationRequest {
  /** The JSON body, as sent (and signed) byte for byte. */
  body: string;
  headers: Record<string, string>;
}

export interface Notifier {
  /** Its `kind` in a notification target's settings, and in logs. */
  kind: string;
  /** What it is, for errors, after "a": e.g. `Slack incoming webhook`. */
  description: string;
  /**
   * Whether the receiver's address is itself the credential (Slack's and
   * Discord's webhook URLs are): it is then never logged, and best read from a
   * file or an environment variable.
   */
  urlIsSecret: boolean;
  /** Whether it signs its bodies with a target's `secret` (HMAC); false: a secret is refused as meaningless. */
  signs: boolean;
  request(notification: Notification, secret: string | null): NotificationRequest;
}
