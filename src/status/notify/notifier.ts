// A notifier tells people what deckhand did (Slack, a generic webhook, mail):
// it takes the events it cares about from the bus and sends them on, never
// holding up what reported them. Each notifier is a folder beside this file,
// listed once in index.ts, with the settings it takes.
import type { DeckhandEvent } from '../../model/index.js';
import type { ExtensionSetting, ExtensionSettings } from '../forges/index.js';

export interface Notifier {
  /** Its name in settings and logs. */
  name: string;
  /** Its own settings, read like every agent setting. */
  settings: readonly ExtensionSetting[];
  /** Whether the agent's settings ask for it. */
  wanted(settings: ExtensionSettings): boolean;
  /** A subscriber for the bus; it queues what it sends and returns at once. */
  start(settings: ExtensionSettings, log: { warn(details: Record<string, unknown>, message: string): void }): { notify(event: DeckhandEvent): void; close(): Promise<void> };
}
