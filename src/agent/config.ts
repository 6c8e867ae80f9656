// The agent's configuration: flags win over `DECKHAND_*` environment variables,
// which win over the config file (`--config F`, else `./deckhand.yaml` when it
// exists), which wins over the defaults. Pure: the texts come in as values.
import type { Diagnostic } from '../model/diagnostic.js';
import { diagnostic } from '../model/diagnostic.js';
import { unknownKeyHint } from '../render/suggest.js';
import { loadYaml } from '../render/yaml/document.js';
import { parseDuration } from '../util/duration.js';

export interface AgentConfig {
  /** A Git URL, or a local repository's path; null: the API only. */
  repo: string | null;
  /** null: `main` for a remote repository, the checked-out branch of a local one. */
  branch: string | null;
  /** The job folder inside the repository. */
  path: string;
  intervalMs: number;
  schedule: string | null;
  watch: boolean;
  listen: { host: string; port: number };
  dataDir: string;
  prune: boolean;
  allowEmpty: boolean;
  allowForcePush: boolean;
  webhookSecretFile: string | null;
  githubTokenFile: string | null;
  githubApiUrl: string;
  githubRepo: string | null;
  /** octokit's throttling and retry plugins (off only for a test stand-in: a 502 costs 14 s of retries). */
  githubThrottle: boolean;
  apiTokenFile: string | null;
  gitTokenFile: string | null;
  publicUrl: string | null;
  logLevel: string;
  portRange: { from: number; to: number };
  /** Added to every container this agent creates; it then sees only containers carrying them (two agents on one engine). */
  labels: Record<string, string>;
}

type Kind = 'string' | 'boolean' | 'duration' | 'listen' | 'range' | 'labels';

/** Every setting: its key in the file (also the flag's name), its kind, its default. */
const settings: Record<string, { key: keyof AgentConfig; kind: Kind; fallback: unknown }> = {
  repo: { key: 'repo', kind: 'string', fallback: null },
  branch: { key: 'branch', kind: 'string', fallback: null },
  path: { key: 'path', kind: 'string', fallback: '.' },
  interval: { key: 'intervalMs', kind: 'duration', fallback: 30_000 },
  schedule: { key: 'schedule', kind: 'string', fallback: null },
  watch: { key: 'watch', kind: 'boolean', fallback: false },
  listen: { key: 'listen', kind: 'listen', fallback: { host: '127.0.0.1', port: 4646 } },
  'data-dir': { key: 'dataDir', kind: 'string', fallback: '.deckhand' },
  prune: { key: 'prune', kind: 'boolean', fallback: false },
  'allow-empty': { key: 'allowEmpty', kind: 'boolean', fallback: false },
  'allow-force-push': { key: 'allowForcePush', kind: 'boolean', fallback: false },
  'webhook-secret-file': { key: 'webhookSecretFile', kind: 'string', fallback: null },
  'github-token-file': { key: 'githubTokenFile', kind: 'string', fallback: null },
  'github-api-url': { key: 'githubApiUrl', kind: 'string', fallback: 'https://api.github.com' },
  'github-repo': { key: 'githubRepo', kind: 'string', fallback: null },
  'github-throttle': { key: 'githubThrottle', kind: 'boolean', fallback: true },
  'api-token-file': { key: 'apiTokenFile', kind: 'string', fallback: null },
  'git-token-file': { key: 'gitTokenFile', kind: 'string', fallback: null },
  'public-url': { key: 'publicUrl', kind: 'string', fallback: null },
  'log-level': { key: 'logLevel', kind: 'string', fallback: 'info' },
  'port-range': { key: 'portRange', kind: 'range', fallback: { from: 20000, to: 32000 } },
  labels: { key: 'labels', kind: 'labels', fallback: {} },
};

/** Keys of the repository's own deckhand.yaml, allowed in the agent's file too. */
const repositoryKeys = new Set(['include', 'exclude']);
const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface ConfigSources {
  /** Flags as commander gives them, by setting name (`data-dir`), only those set. */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  file: { path: string; text: string } | null;
  /** The data directory when no setting names one: defaultDataDir() for the user the agent runs as. */
  defaultDataDir?: string;
}

export interface ConfigResult {
  config: AgentConfig;
  diagnostics: Diagnostic[];
}

/**
 * A fixed place, whatever folder the agent was started from: a data directory
 * relative to the working directory is found empty by the next start elsewhere.
 * As root `/var/lib/deckhand` (as Docker's `/var/lib/docker`), otherwise the XDG
 * state directory (`~/.local/state/deckhand`).
 */
export function defaultDataDir(user: { root: boolean; home: string }, env: Record<string, string | undefined>): string {
  if (user.root) return '/var/lib/deckhand';
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : `${user.home}/.local/state`;
  return `${state}/deckhand`;
}

export function envName(setting: string): string {
  return `DECKHAND_${setting.toUpperCase().replace(/-/g, '_')}`;
}

export function resolveAgentConfig(sources: ConfigSources): ConfigResult {
  const diagnostics: Diagnostic[] = [];
  const config = Object.fromEntries(Object.values(settings).map((s) => [s.key, s.fallback])) as unknown as AgentConfig;
  if (sources.defaultDataDir) config.dataDir = sources.defaultDataDir;
  const set = (name: string, raw: unknown, where: { file: string; line: number; col: number; field: string }) => {
    const setting = settings[name]!;
    const value = convert(setting.kind, raw);
    if ('problem' in value) {
      diagnostics.push(diagnostic('error', 'invalid-config', where.file, where, where.field, value.problem));
      return;
    }
    (config as unknown as Record<string, unknown>)[setting.key] = value.value;
  };

  if (sources.file) readFile(sources.file, set, diagnostics);
  for (const name of Object.keys(settings)) {
    const value = sources.env[envName(name)];
    if (value !== undefined && value !== '') set(name, value, { file: 'environment', line: 0, col: 0, field: envName(name) });
  }
  for (const [name, value] of Object.entries(sources.flags)) {
    if (settings[name] && value !== undefined) set(name, value, { file: 'command line', line: 0, col: 0, field: `--${name}` });
  }
  if (!logLevels.includes(config.logLevel)) {
    diagnostics.push(diagnostic('error', 'invalid-config', 'configuration', { line: 0, col: 0 }, 'log-level', `log level "${config.logLevel}" is not one of ${logLevels.join(', ')}`));
  }
  if (config.schedule !== null && config.watch) {
    diagnostics.push(diagnostic('error', 'invalid-config', 'configuration', { line: 0, col: 0 }, 'schedule', 'choose one trigger: --schedule or --watch'));
  }
  return { config, diagnostics };
}

function readFile(file: { path: string; text: string }, set: (name: string, raw: unknown, where: { file: string; line: number; col: number; field: string }) => void, diagnostics: Diagnostic[]): void {
  const { documents, diagnostics: yamlProblems } = loadYaml(file);
  diagnostics.push(...yamlProblems);
  const doc = documents[0];
  if (!doc || doc.value === null || doc.value === undefined) return;
  if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    diagnostics.push(diagnostic('error', 'invalid-config', file.path, doc.locate([]), '', 'expected a map of settings, such as "repo: https://..."'));
    return;
  }
  for (const [name, value] of Object.entries(doc.value as Record<string, unknown>)) {
    const pos = doc.locate([name], 'key');
    if (repositoryKeys.has(name)) continue;
    if (!settings[name]) {
      diagnostics.push(diagnostic('error', 'unknown-setting', file.path, pos, name, `unknown setting "${name}"`, unknownKeyHint(name, [...Object.keys(settings), ...repositoryKeys])));
      continue;
    }
    set(name, value, { file: file.path, ...doc.locate([name], 'value'), field: name });
  }
}

function convert(kind: Kind, raw: unknown): { value: unknown } | { problem: string } {
  switch (kind) {
    case 'string':
      return typeof raw === 'string' || typeof raw === 'number' ? { value: String(raw) } : { problem: `expected text, got ${JSON.stringify(raw)}` };
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return { problem: `expected true or false, got ${JSON.stringify(raw)}` };
    case 'duration': {
      const ms = typeof raw === 'string' ? parseDuration(raw) : null;
      return ms !== null && ms > 0 ? { value: ms } : { problem: `expected a duration such as "30s" or "1m", got ${JSON.stringify(raw)}` };
    }
    case 'listen': {
      const match = /^(.*):(\d{1,5})$/.exec(String(raw));
      const port = match ? Number(match[2]) : NaN;
      if (!match || port > 65535) return { problem: `expected host:port such as "127.0.0.1:4646", got ${JSON.stringify(raw)}` };
      return { value: { host: match[1]!.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port } };
    }
    case 'labels': {
      if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
        const entries = Object.entries(raw as Record<string, unknown>);
        if (entries.every(([, v]) => typeof v === 'string')) return { value: Object.fromEntries(entries) };
      }
      const pairs = typeof raw === 'string' ? raw.split(',').map((p) => p.trim()).filter(Boolean) : null;
      if (!pairs || pairs.some((p) => !/^[\w.-]+=[^,]*$/.test(p))) return { problem: `expected labels such as "team=web,env=prod", got ${JSON.stringify(raw)}` };
      return { value: Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])) };
    }
    case 'range': {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(String(raw));
      const [from, to] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
      if (!match || from < 1024 || to > 65535 || from >= to) return { problem: `expected a port range such as "20000-32000", got ${JSON.stringify(raw)}` };
      return { value: { from, to } };
    }
  }
}
