// The notifiers deckhand can send to, one line each: a notifier is a folder
// beside this file implementing notifier.ts (the format of its requests).
import { discordNotifier } from './discord/index.js';
import type { Notifier } from './notifier.js';
import { slackNotifier } from './slack/index.js';
import { webhookNotifier } from './webhook/index.js';

export const notifiers: readonly Notifier[] = [webhookNotifier, slackNotifier, discordNotifier];

export type { Notifier, NotificationRequest } from './notifier.js';
export type { Notification, NotificationEvent } from './notification.js';
export { notificationEvents, notificationSchemaVersion } from './notification.js';
export { parseTargets } from './targets.js';
export type { NotificationTargetSetting, TargetProblem } from './targets.js';
export { resolveTargets, startNotifications } from './notifications.js';
export type { NotificationTarget, Notifications, NotificationsOptions } from './notifications.js';
export type { DeliveryOptions } from './delivery.js';
export { signatureHeader, signBody } from './webhook/index.js';
