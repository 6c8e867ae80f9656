// The agent's notifications: the targets its settings name, their secrets read
// at start (a missing file stops the start, as every secret file does), one
// delivery queue each, fed from the bus. `notify` returns at once whatever the
// receivers do; `close` drops what still waits and cancels what is under way.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DeckhandEvent, JobVersion } from '../../model/index.js';
import { defaultDeliveryOptions, TargetDelivery } from './delivery.js';
import type { DeliveryLog, DeliveryOptions } from './delivery.js';
import { NotificationMaker } from './from-events.js';
import type { NotificationEvent } from './notification.js';
import type { Notifier } from './notifier.js';
import { urlProblem } from './targets.js';
import type { NotificationTargetSetting } from './targets.js';

export interface NotificationTarget {
  name: string;
  notifier: Notifier;
  url: string;
  secret: string | null;
  events: readonly NotificationEvent[];
}

/** Reads each target's URL and secret from where the settings say; errors name the target and the setting, never the value. */
export function resolveTargets(settings: readonly NotificationTargetSetting[], notifiers: readonly Notifier[], env: Record<string, string | undefined>): NotificationTarget[] {
  return settings.map((setting, index) => {
    const where = `notify[${index}] (${setting.name})`;
    const read = (file: string | null, variable: string | null, what: string): string | null => {
      if (file !== null) return readSecretFile(file, `${where}.${what}-file`);
      if (variable === null) return null;
      const value = env[variable]?.trim();
      if (!value) throw new Error(`${where}.${what}-env: the environment variable ${variable} is not set or empty`);
      return value;
    };
    const url = setting.url ?? read(setting.urlFile, setting.urlEnv, 'url')!;
    const wrong = urlProblem(url);
    if (wrong) throw new Error(`${where}: the URL${setting.url === null ? ` read from ${setting.urlFile ?? `$${setting.urlEnv}`}` : ''}: ${wrong}`);
    return { name: setting.name, notifier: notifiers.find((n) => n.kind === setting.kind)!, url, secret: read(setting.secretFile, setting.secretEnv, 'secret'), events: setting.events };
  });
}

function readSecretFile(path: string, setting: string): string {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!text) throw new Error('the file is empty');
    return text;
  } catch (error) {
    throw new Error(`${setting} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
  }
}

export interface NotificationsOptions {
  log: DeliveryLog;
  versionOf(jobId: string, version: number): JobVersion | null;
  agentUrl: string | null;
  delivery?: Partial<DeliveryOptions>;
  now?: () => number;
}

export interface Notifications {
  /** A subscriber for the bus: queues what the event gives and returns. */
  notify(event: DeckhandEvent): void;
  /** Resolves once every target has sent (or given up on) what it was given. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function startNotifications(targets: readonly NotificationTarget[], options: NotificationsOptions): Notifications {
  // A store that cannot be read (a failing disk) costs the notification its commit, not the notification.
  const versionOf = (jobId: string, version: number) => {
    try {
      return options.versionOf(jobId, version);
    } catch {
      return null;
    }
  };
  const maker = new NotificationMaker({ versionOf, now: options.now ?? Date.now, newId: randomUUID, agentUrl: options.agentUrl });
  const deliveryOptions = { ...defaultDeliveryOptions, ...options.delivery };
  const queues = targets.map((target) => ({ target, delivery: new TargetDelivery(target, deliveryOptions, options.log) }));
  return {
    notify(event) {
      if (queues.length === 0) return;
      const notification = maker.from(event);
      if (!notification) return;
      const label = `${notification.event}${notification.job ? ` of job ${notification.job}` : ''}`;
      for (const { target, delivery } of queues) {
        if (target.events.includes(notification.event)) delivery.offer({ label, request: target.notifier.request(notification, target.secret) });
      }
    },
    async idle() {
      await Promise.all(queues.map((q) => q.delivery.idle()));
    },
    async close() {
      await Promise.all(queues.map((q) => q.delivery.close()));
    },
  };
}
