// Discord's webhooks: `{"content", "embeds"}`, with an embed that carries the
// title, the message, a colour (red for failures) and the facts as fields.
// `allowed_mentions` is empty: text from job files and commit messages cannot
// ping @everyone or anyone else.
import type { Notification } from '../notification.js';
import { clip, isFailure, title } from '../notification.js';
import type { Notifier } from '../notifier.js';

// Discord's limits: content 2000, embed title 256, description 4096, field value 1024.
const contentLimit = 2000;
const titleLimit = 256;
const descriptionLimit = 4096;
const fieldLimit = 1024;

const red = 0xd73a49;
const green = 0x28a745;

export function discordBody(notification: Notification): { content: string; embeds: unknown[]; allowed_mentions: { parse: never[] } } {
  const field = (name: string, value: string | null) => (value === null ? [] : [{ name, value: clip(value, fieldLimit), inline: true }]);
  const fields = [
    ...field('job', notification.job),
    ...field('version', notification.jobVersion === null ? null : String(notification.jobVersion)),
    ...field('commit', notification.commit === null ? null : notification.commit.slice(0, 7)),
    ...field('file', notification.file),
    ...field('deployment', notification.deployment === null ? null : `${notification.deployment.id.slice(0, 8)} ${notification.deployment.status}`),
  ];
  return {
    content: clip(`${title(notification)}: ${notification.message}`, contentLimit),
    embeds: [
      {
        title: clip(title(notification), titleLimit),
        description: clip(notification.message, descriptionLimit),
        color: isFailure(notification.event) ? red : green,
        fields,
        timestamp: notification.time,
        // Discord refuses the whole message over an embed URL that is not one.
        ...(notification.agentUrl && /^https?:\/\//.test(notification.agentUrl) && URL.canParse(notification.agentUrl) ? { url: notification.agentUrl } : {}),
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

export const discordNotifier: Notifier = {
  kind: 'discord',
  description: 'Discord webhook',
  urlIsSecret: true,
  signs: false,
  request: (notification) => ({ body: JSON.stringify(discordBody(notification)), headers: { 'content-type': 'application/json' } }),
};
