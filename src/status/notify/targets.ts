// Notification targets as the agent's settings give them: in the settings file a
// list under `notify:`, on the command line `--notify` (repeatable) and in
// DECKHAND_NOTIFY (targets separated by `;`) as `KIND key=value ...`. Secrets
// (the HMAC secret; the URL itself for Slack and Discord) are named by a file or
// an environment variable here and read when the agent starts. Pure.
import type { NotificationEvent } from './notification.js';
import { notificationEvents } from './notification.js';
import type { Notifier } from './notifier.js';

export interface NotificationTargetSetting {
  /** For logs and errors: given, or `<kind>-<n>`. Never the URL. */
  name: string;
  kind: string;
  /** Exactly one of `url`, `urlFile`, `urlEnv` is set. */
  url: string | null;
  urlFile: string | null;
  urlEnv: string | null;
  secretFile: string | null;
  secretEnv: string | null;
  events: NotificationEvent[];
}

export interface TargetProblem {
  severity: 'error' | 'warning';
  /** Where in the setting, e.g. `[1, 'events']` for `notify[1].events`. */
  path: (string | number)[];
  message: string;
  hint?: string;
}

const keys = ['name', 'kind', 'url', 'url-file', 'url-env', 'secret-file', 'secret-env', 'events'] as const;
type Key = (typeof keys)[number];

/** Reads the setting's value (a list of maps, or the command line's text form); problems name where. */
export function parseTargets(raw: unknown, notifiers: readonly Notifier[]): { targets: NotificationTargetSetting[]; problems: TargetProblem[] } {
  const problems: TargetProblem[] = [];
  const items = Array.isArray(raw) ? raw.flatMap((item) => (typeof item === 'string' ? splitText(item) : [item])) : typeof raw === 'string' ? splitText(raw) : null;
  if (items === null) {
    problems.push({ severity: 'error', path: [], message: `expected a list of notification targets, got ${JSON.stringify(raw)}`, hint: 'e.g. [{kind: slack, url-file: /etc/deckhand/slack-url}], or "slack url-file=/etc/deckhand/slack-url"' });
    return { targets: [], problems };
  }
  const targets = items.flatMap((item, index) => {
    const target = parseTarget(item, index, notifiers, problems);
    return target ? [target] : [];
  });
  const names = new Set<string>();
  targets.forEach((target, index) => {
    if (names.has(target.name)) problems.push({ severity: 'error', path: [index, 'name'], message: `two notification targets are named "${target.name}"`, hint: 'give each its own name' });
    names.add(target.name);
  });
  return { targets, problems };
}

/** `slack url-file=/x events=deployment-failed,render-error; webhook url=https://...` */
function splitText(text: string): Record<string, unknown>[] {
  return text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [kind, ...pairs] = part.split(/\s+/);
      const item: Record<string, unknown> = { kind };
      for (const pair of pairs) {
        const at = pair.indexOf('=');
        if (at <= 0) item[pair] = undefined;
        else item[pair.slice(0, at)] = pair.slice(at + 1);
      }
      return item;
    });
}

function parseTarget(item: unknown, index: number, notifiers: readonly Notifier[], problems: TargetProblem[]): NotificationTargetSetting | null {
  const problem = (path: (string | number)[], message: string, hint?: string, severity: 'error' | 'warning' = 'error') => problems.push({ severity, path: [index, ...path], message, ...(hint ? { hint } : {}) });
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    problem([], `expected a map such as {kind: webhook, url: https://...}, got ${JSON.stringify(item)}`);
    return null;
  }
  const before = problems.length;
  const fields = item as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(keys as readonly string[]).includes(key)) problem([key], `unknown key "${key}" in a notification target`, `the keys are ${keys.join(', ')}`);
  }
  const text = (key: Key): string | null => {
    const value = fields[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.trim() === '') {
      problem([key], `expected text, got ${JSON.stringify(value)}`);
      return null;
    }
    return value.trim();
  };
  const kind = text('kind');
  const notifier = notifiers.find((n) => n.kind === kind);
  if (kind === null) problem(['kind'], 'a notification target needs a kind', `one of ${notifiers.map((n) => n.kind).join(', ')}`);
  else if (!notifier) problem(['kind'], `unknown notification kind "${kind}"`, `one of ${notifiers.map((n) => n.kind).join(', ')}`);

  const url = text('url');
  const urlFile = text('url-file');
  const urlEnv = text('url-env');
  const given = [url, urlFile, urlEnv].filter((v) => v !== null).length;
  if (given !== 1) problem(['url'], given === 0 ? 'a notification target needs its address: url, url-file or url-env' : 'give only one of url, url-file and url-env');
  if (url !== null) {
    const wrong = urlProblem(url);
    if (wrong) problem(['url'], wrong);
    else if (notifier?.urlIsSecret) {
      problem(['url'], `a ${notifier.description}'s URL is its credential: written here it is readable wherever the settings are`, 'name a file holding it with url-file, or an environment variable with url-env', 'warning');
    }
  }

  const secretFile = text('secret-file');
  const secretEnv = text('secret-env');
  if (fields.secret !== undefined) problem(['secret'], 'the secret is not written in the settings', 'name a file holding it with secret-file, or an environment variable with secret-env');
  if (secretFile !== null && secretEnv !== null) problem(['secret-file'], 'give only one of secret-file and secret-env');
  if (notifier && !notifier.signs && (secretFile !== null || secretEnv !== null)) {
    problem([secretFile !== null ? 'secret-file' : 'secret-env'], `a ${notifier.description} is not signed: a secret would not be used`, 'remove it; the URL is the credential');
  }
  if (notifier?.signs && secretFile === null && secretEnv === null) {
    problem(['secret-file'], 'without a secret the notifications are not signed: a receiver cannot tell them from anyone else\'s', 'set secret-file or secret-env', 'warning');
  }

  const events = parseEvents(fields.events, (message, hint) => problem(['events'], message, hint));
  if (problems.slice(before).some((p) => p.severity === 'error')) return null;
  return { name: text('name') ?? `${kind}-${index + 1}`, kind: kind!, url, urlFile, urlEnv, secretFile, secretEnv, events: events! };
}

/** `all` (the default), a list, or comma-separated text. */
function parseEvents(raw: unknown, problem: (message: string, hint?: string) => void): NotificationEvent[] | null {
  if (raw === undefined || raw === null || raw === 'all') return [...notificationEvents];
  const names = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : null;
  if (names === null || names.length === 0 || names.some((name) => typeof name !== 'string')) {
    problem(`expected a list of events or "all", got ${JSON.stringify(raw)}`, `events are ${notificationEvents.join(', ')}`);
    return null;
  }
  const unknown = names.find((name) => !(notificationEvents as readonly string[]).includes(name as string));
  if (unknown !== undefined) {
    problem(`unknown event "${unknown}"`, `events are ${notificationEvents.join(', ')}, or all`);
    return null;
  }
  return [...new Set(names as NotificationEvent[])];
}

/** Why a receiver's address cannot be used, without quoting it (it may be a credential); null when it can. */
export function urlProblem(url: string): string | null {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return 'expected an http:// or https:// URL';
  if (parsed.username || parsed.password) return 'a user name or password in the URL is not supported: requests are not sent with them';
  return null;
}
