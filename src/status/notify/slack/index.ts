// Slack's incoming webhooks: `{"text", "blocks"}`. `text` is what notifications
// and clients without blocks show; the blocks lay out the title, the message
// and the facts (job, version, commit, deployment). Slack's mrkdwn treats
// `&`, `<` and `>` as markup, so text from job files and commits is escaped:
// a commit message cannot forge a link or ping a channel.
import type { Notification } from '../notification.js';
import { clip, isFailure, title } from '../notification.js';
import type { Notifier } from '../notifier.js';

/** A section block's text takes at most 3000 characters. */
const sectionLimit = 3000;

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const icons: Record<Notification['event'], string> = {
  'deployment-succeeded': ':white_check_mark:',
  'deployment-failed': ':x:',
  'deployment-rolled-back': ':leftwards_arrow_with_hook:',
  'render-error': ':warning:',
  'drift-healed': ':wrench:',
  'sync-failing': ':warning:',
};

export function slackBody(notification: Notification): { text: string; blocks: unknown[] } {
  const heading = `${icons[notification.event]} *${escapeSlack(title(notification))}*`;
  const facts = [
    notification.job !== null ? `job \`${escapeSlack(notification.job)}\`` : null,
    notification.jobVersion !== null ? `version ${notification.jobVersion}` : null,
    notification.commit !== null ? `commit \`${notification.commit.slice(0, 7)}\`` : null,
    notification.file !== null ? `file \`${escapeSlack(notification.file)}\`` : null,
    notification.deployment !== null ? `deployment \`${notification.deployment.id.slice(0, 8)}\` ${escapeSlack(notification.deployment.status)}` : null,
  ].filter((fact): fact is string => fact !== null);
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`${heading}\n${escapeSlack(notification.message)}`, sectionLimit) } },
  ];
  if (facts.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: facts.join(' · ') }] });
  return { text: clip(`${isFailure(notification.event) ? '[failure] ' : ''}${escapeSlack(title(notification))}: ${escapeSlack(notification.message)}`, sectionLimit), blocks };
}

export const slackNotifier: Notifier = {
  kind: 'slack',
  description: 'Slack incoming webhook',
  urlIsSecret: true,
  signs: false,
  request: (notification) => ({ body: JSON.stringify(slackBody(notification)), headers: { 'content-type': 'application/json' } }),
};
