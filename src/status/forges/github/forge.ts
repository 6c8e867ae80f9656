// GitHub (and GitHub Enterprise, and Gitea, which speak the same API for these
// calls) as a forge: its settings, its reporter, its webhooks.
import { cleartextCredentials } from '../../../sync/index.js';
import type { Forge, ExtensionSettings, WebhookDelivery, WebhookReader } from '../forge.js';
import { DeliveryDeduper, parseWebhook, verifySignature, webhookContentTypes, webhookPayloadFormat } from './webhook.js';

const text = (settings: ExtensionSettings, name: string): string | null => (typeof settings[name] === 'string' ? (settings[name] as string) : null);

export const githubForge: Forge = {
  name: 'github',
  settings: [
    { name: 'github-token-file', kind: 'string', fallback: null, help: 'a GitHub token for commit statuses and pull-request comments' },
    { name: 'github-repo', kind: 'string', fallback: null, help: 'the GitHub repository to report to, owner/name' },
    { name: 'github-api-url', kind: 'string', fallback: 'https://api.github.com', help: 'the GitHub API (GitHub Enterprise, Gitea); default https://api.github.com' },
    { name: 'github-throttle', kind: 'boolean', fallback: true, help: 'octokit\'s throttling and retries (default true; false only for a test stand-in)' },
  ],
  tokenFileSetting: 'github-token-file',
  wanted: (settings) => text(settings, 'github-token-file') !== null && text(settings, 'github-repo') !== null,
  check(settings, allowInsecureHttp) {
    if (!githubForge.wanted(settings)) return [];
    const risk = cleartextCredentials(text(settings, 'github-api-url') ?? '', true);
    if (!risk) return [];
    return [
      {
        setting: 'github-api-url',
        severity: allowInsecureHttp ? 'warning' : 'error',
        message: `the GitHub token would be sent in cleartext over http:// to ${risk.host}, readable by anyone on the network path`,
        hint: allowInsecureHttp ? 'allowed by allow-insecure-http' : 'use https://, or set allow-insecure-http to accept the risk',
      },
    ];
  },
  async connect({ settings, token, publicUrl, log }) {
    // Loaded only when a forge is configured: an agent without one stays smaller.
    const { GitHubReporter } = await import('./github-reporter.js');
    const reporter = new GitHubReporter({
      repository: text(settings, 'github-repo')!,
      token,
      apiUrl: text(settings, 'github-api-url') ?? undefined,
      publicUrl,
      throttleAndRetry: settings['github-throttle'] !== false,
      log,
    });
    return { reporter, pullRequests: reporter };
  },
  webhooks: (secret) => new GitHubWebhooks(secret),
};

const header = (headers: Readonly<Record<string, string | string[] | undefined>>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** `X-Hub-Signature-256` over the raw body, `X-GitHub-Delivery` seen once, then the event by `X-GitHub-Event`. */
class GitHubWebhooks implements WebhookReader {
  private readonly deliveries = new DeliveryDeduper();

  constructor(private readonly secret: string) {}

  read(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Uint8Array): WebhookDelivery {
    const contentType = header(headers, 'content-type');
    if (webhookPayloadFormat(contentType) === null) {
      const message = `a webhook body of type ${contentType ? `"${contentType}"` : '(none)'} is not understood: set the webhook's content type to ${webhookContentTypes.join(' or ')}, the two GitHub offers`;
      return { kind: 'refused', status: 415, code: 'unsupported-media-type', message };
    }
    const signature = verifySignature(this.secret, rawBody, headers['x-hub-signature-256']);
    if (!signature.ok) return { kind: 'refused', status: 401, code: 'bad-signature', message: signature.message };
    const delivery = header(headers, 'x-github-delivery') ?? null;
    if (delivery && !this.deliveries.firstSeen(delivery)) return { kind: 'duplicate' };
    const parsed = parseWebhook(header(headers, 'x-github-event'), rawBody, contentType);
    if (!parsed.ok) return { kind: 'refused', status: 400, code: 'bad-payload', message: parsed.message };
    const event = parsed.event;
    switch (event.kind) {
      case 'push':
        return { kind: 'push', branch: event.branch, cloneUrl: event.cloneUrl, after: event.after, delivery };
      case 'pull_request':
        return { kind: 'pull-request', action: event.action, number: event.number, headSha: event.headSha, headRef: event.headRef };
      case 'ignored':
        return { kind: 'ignored', what: event.event };
      default:
        return { kind: 'ignored', what: event.kind };
    }
  }
}
