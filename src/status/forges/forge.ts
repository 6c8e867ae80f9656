// What a forge is to deckhand: where it reports (commit statuses, a plan comment
// on every pull request), where it reads open pull requests, how its webhooks are
// verified and read, and the settings it takes. Each forge is a folder beside this
// file, listed once in index.ts: adding GitLab or Forgejo is a folder and a line.
import type { PullRequestSource, StatusReporter } from '../reporter.js';

/** A setting a forge brings, read like every agent setting (flag, DECKHAND_* variable, settings file). */
export interface ExtensionSetting {
  /** The flag's name without dashes, e.g. `github-repo`. */
  name: string;
  kind: 'string' | 'boolean';
  fallback: string | boolean | null;
  help: string;
}

export type ExtensionSettings = Readonly<Record<string, string | boolean | null>>;

/** A problem with the forge's settings, naming the setting. */
export interface ForgeSettingProblem {
  setting: string;
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
}

export interface ForgeConnection {
  reporter: StatusReporter;
  /** Open pull requests, for the polling fallback when webhooks do not arrive. */
  pullRequests: PullRequestSource;
}

/** What a verified webhook delivery asks of the agent. */
export type WebhookDelivery =
  | { kind: 'refused'; status: 400 | 401 | 415; code: string; message: string }
  | { kind: 'duplicate' }
  | { kind: 'push'; branch: string | null; cloneUrl: string; after: string; delivery: string | null }
  | { kind: 'pull-request'; action: string; number: number; headSha: string; headRef: string }
  | { kind: 'ignored'; what: string };

export interface WebhookReader {
  /** Verifies the delivery over its raw bytes, then reads it; never throws. */
  read(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Uint8Array): WebhookDelivery;
}

export interface Forge {
  /** Its name in settings and in the webhook route, `POST /v1/webhooks/<name>`. */
  name: string;
  settings: readonly ExtensionSetting[];
  /** The setting naming the file that holds its token. */
  tokenFileSetting: string;
  /** Whether the agent's settings ask for this forge. */
  wanted(settings: ExtensionSettings): boolean;
  /** Problems with its settings (a token over plain http://, say); `allowInsecureHttp` turns that one into a warning. */
  check(settings: ExtensionSettings, allowInsecureHttp: boolean): ForgeSettingProblem[];
  connect(options: { settings: ExtensionSettings; token: string; publicUrl: string | null; log: { warn(details: Record<string, unknown>, message: string): void } }): Promise<ForgeConnection>;
  /** A reader of its webhooks (one per agent: it remembers delivery ids). */
  webhooks(secret: string): WebhookReader;
}
