// What a notification says, whatever it is sent to: the kind of event, the job,
// its version and deployment, the commit when one is known, a sentence for
// people. This is the generic webhook's body (schema version 1, docs/spec.md,
// "Notifications"); Slack's and Discord's formats are drawn from it. Pure.

/** The events a notification target can ask for, in the settings' words. */
export const notificationEvents = [
  'deployment-succeeded',
  'deployment-failed',
  'deployment-rolled-back',
  'render-error',
  'drift-healed',
  'sync-failing',
] as const;

export type NotificationEvent = (typeof notificationEvents)[number];

/** Bumped only when a field changes meaning or goes away; fields are added freely. */
export const notificationSchemaVersion = 1;

export interface Notification {
  schemaVersion: typeof notificationSchemaVersion;
  /** Unique per notification; the same on every retry, so a receiver can drop a repeat. */
  id: string;
  event: NotificationEvent;
  /** ISO 8601, when deckhand saw what happened. */
  time: string;
  /** null for what concerns no single job (the repository cannot be read). */
  job: string | null;
  jobVersion: number | null;
  deployment: { id: string; status: string; description: string } | null;
  /** The commit the job's version came from, when it came from Git. */
  commit: string | null;
  /** The job file, relative to the repository's root, when known. */
  file: string | null;
  /** One or a few sentences for people. */
  message: string;
  /** The agent's public address (`public-url`), when set. */
  agentUrl: string | null;
}

/** Whether an event is bad news: drawn red (or green) by the chat formats. */
export function isFailure(event: NotificationEvent): boolean {
  return event !== 'deployment-succeeded' && event !== 'drift-healed';
}

/** A short title, e.g. `web: deployment failed`. */
export function title(notification: Notification): string {
  const what: Record<NotificationEvent, string> = {
    'deployment-succeeded': 'deployment succeeded',
    'deployment-failed': 'deployment failed',
    'deployment-rolled-back': 'rolled back',
    'render-error': 'job file does not render',
    'drift-healed': 'drift healed',
    'sync-failing': 'repository sync failing',
  };
  return notification.job ? `${notification.job}: ${what[notification.event]}` : `deckhand: ${what[notification.event]}`;
}

/** Cuts text to at most `max` characters, marking the cut, for formats with limits. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
