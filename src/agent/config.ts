// The agent's configuration: flags win over `DECKHAND_*` environment variables,
// which win over the config file (`--config F`, else `./deckhand.yaml` when it
// exists), which wins over the defaults. Pure: the texts come in as values.
import { isIP } from 'node:net';
import { posix } from 'node:path';
import type { Diagnostic, PullPolicy } from '../model/index.js';
import { diagnostic, pullPolicies } from '../model/index.js';
import { defaultJobLimits, loadYaml, unknownKeyHint } from '../render/index.js';
import { reservedLabelPrefix } from '../runtime/docker/index.js';
import { forges } from '../status/forges/index.js';
import { notifiers, parseTargets } from '../status/notify/index.js';
import type { NotificationTargetSetting } from '../status/notify/index.js';
import { cleartextCredentials, splitCredentials } from '../sync/index.js';
import { formatDuration, parseDuration } from '../util/index.js';

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
  /** Refuse manual run/stop/revert of jobs Git defines (unless forced), and put Git's version back over them at each sync. */
  selfHeal: boolean;
  webhookSecretFile: string | null;
  /** The forges' own settings (status/forges), by name: `github-repo`, ... */
  forgeSettings: Record<string, string | boolean | null>;
  apiTokenFile: string | null;
  gitTokenFile: string | null;
  publicUrl: string | null;
  logLevel: string;
  portRange: { from: number; to: number };
  /** The address allocations' ports and the endpoints are published on. */
  publishAddress: string;
  /** Added to every container this agent creates; it then sees only containers carrying them (two agents on one engine). */
  labels: Record<string, string>;
  /** Job files asking for more are refused, with the field's file:line:col. */
  maxCount: number;
  maxGroups: number;
  maxTasks: number;
  /** Send a Git or GitHub token over plain http:// to a host other than this one. */
  allowInsecureHttp: boolean;
  /** When images of tasks whose file sets no pull policy are pulled. */
  pullPolicy: PullPolicy;
  /** Host directories jobs may bind-mount (absolute, `..` resolved); empty: none. */
  allowHostPaths: string[];
  /** Where notifications go (status/notify): each target's kind, address, secret and events. */
  notify: NotificationTargetSetting[];
  /** What runs allocations: the local Docker engine, or a Docker Swarm through one of its managers (DOCKER_HOST or the local socket). */
  runtime: AgentRuntime;
}

export const agentRuntimes = ['docker', 'swarm'] as const;
export type AgentRuntime = (typeof agentRuntimes)[number];

type Kind = 'string' | 'boolean' | 'duration' | 'listen' | 'range' | 'labels' | 'count' | 'pull' | 'paths' | 'notify' | 'runtime';

interface Setting {
  key: keyof AgentConfig;
  /** A forge's setting: its value goes to `forgeSettings[name]`. */
  forge?: true;
  kind: Kind;
  fallback: unknown;
  /** For durations: the shortest and longest accepted, in ms. */
  range?: { min: number; max: number };
}

/**
 * The poll interval: under a second would hammer the Git server; over a day is
 * no polling at all (and Node's timers cannot wait past 24.8 days: a longer
 * delay fires after 1 ms, which made `720h` a busy loop of fetches).
 */
const intervalRange = { min: 1000, max: 24 * 3_600_000 };

/** Every setting: its key in the file (also the flag's name), its kind, its default. */
const settings: Record<string, Setting> = {
  repo: { key: 'repo', kind: 'string', fallback: null },
  branch: { key: 'branch', kind: 'string', fallback: null },
  path: { key: 'path', kind: 'string', fallback: '.' },
  interval: { key: 'intervalMs', kind: 'duration', fallback: 30_000, range: intervalRange },
  schedule: { key: 'schedule', kind: 'string', fallback: null },
  watch: { key: 'watch', kind: 'boolean', fallback: false },
  listen: { key: 'listen', kind: 'listen', fallback: { host: '127.0.0.1', port: 4646 } },
  'data-dir': { key: 'dataDir', kind: 'string', fallback: '.deckhand' },
  prune: { key: 'prune', kind: 'boolean', fallback: false },
  'allow-empty': { key: 'allowEmpty', kind: 'boolean', fallback: false },
  'allow-force-push': { key: 'allowForcePush', kind: 'boolean', fallback: false },
  'self-heal': { key: 'selfHeal', kind: 'boolean', fallback: true },
  'webhook-secret-file': { key: 'webhookSecretFile', kind: 'string', fallback: null },
  'api-token-file': { key: 'apiTokenFile', kind: 'string', fallback: null },
  'git-token-file': { key: 'gitTokenFile', kind: 'string', fallback: null },
  'public-url': { key: 'publicUrl', kind: 'string', fallback: null },
  'log-level': { key: 'logLevel', kind: 'string', fallback: 'info' },
  'port-range': { key: 'portRange', kind: 'range', fallback: { from: 20000, to: 32000 } },
  'publish-address': { key: 'publishAddress', kind: 'string', fallback: '127.0.0.1' },
  labels: { key: 'labels', kind: 'labels', fallback: {} },
  'max-count': { key: 'maxCount', kind: 'count', fallback: defaultJobLimits.maxCount },
  'max-groups': { key: 'maxGroups', kind: 'count', fallback: defaultJobLimits.maxGroups },
  'max-tasks': { key: 'maxTasks', kind: 'count', fallback: defaultJobLimits.maxTasks },
  'allow-insecure-http': { key: 'allowInsecureHttp', kind: 'boolean', fallback: false },
  pull: { key: 'pullPolicy', kind: 'pull', fallback: 'missing' },
  'allow-host-path': { key: 'allowHostPaths', kind: 'paths', fallback: [] },
  notify: { key: 'notify', kind: 'notify', fallback: [] },
  runtime: { key: 'runtime', kind: 'runtime', fallback: 'docker' },
  // Each forge brings its own.
  ...Object.fromEntries(forges.flatMap((extension) => extension.settings.map((s) => [s.name, { key: 'forgeSettings', forge: true, kind: s.kind, fallback: s.fallback } satisfies Setting]))),
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

interface Where {
  file: string;
  line: number;
  col: number;
  field: string;
  /** In the settings file: where a path inside the setting's value is (a notification target's key). */
  locate?: (path: (string | number)[]) => { line: number; col: number };
}

export function resolveAgentConfig(sources: ConfigSources): ConfigResult {
  const diagnostics: Diagnostic[] = [];
  const config = Object.fromEntries(Object.values(settings).filter((s) => !s.forge).map((s) => [s.key, s.fallback])) as unknown as AgentConfig;
  config.forgeSettings = Object.fromEntries(Object.entries(settings).flatMap(([name, s]) => (s.forge ? [[name, s.fallback as string | boolean | null]] : [])));
  if (sources.defaultDataDir) config.dataDir = sources.defaultDataDir;
  /** Where each setting's value came from, for problems found across settings. */
  const origins = new Map<string, Where>();
  const set = (name: string, raw: unknown, where: Where) => {
    const setting = settings[name]!;
    if (setting.kind === 'notify') return setTargets(raw, where);
    const value = convert(setting, raw);
    if ('problem' in value) {
      diagnostics.push(diagnostic('error', 'invalid-config', where.file, where, where.field, value.problem));
      return;
    }
    if (setting.forge) config.forgeSettings[name] = value.value as string | boolean | null;
    else (config as unknown as Record<string, unknown>)[setting.key] = value.value;
    origins.set(name, where);
  };
  /** Each problem points at the target and key it concerns: `notify[1].events`. */
  const setTargets = (raw: unknown, where: Where) => {
    const { targets, problems } = parseTargets(raw, notifiers);
    for (const problem of problems) {
      const field = `${where.field}${problem.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('')}`;
      const pos = where.locate ? where.locate(problem.path) : where;
      diagnostics.push(diagnostic(problem.severity, 'invalid-config', where.file, pos, field, problem.message, problem.hint));
    }
    if (!problems.some((p) => p.severity === 'error')) config.notify = targets;
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
  const at = (name: string): Where => origins.get(name) ?? { file: 'configuration', line: 0, col: 0, field: name };
  diagnostics.push(...credentialProblems(config, at));
  return { config, diagnostics };
}

/**
 * Tokens never travel in cleartext unless the operator says so, as Flux's
 * `--allow-insecure-http` and Git Credential Manager's `allowUnsafeRemotes` do:
 * Basic auth over http:// hands the token to anyone on the network path.
 * Loopback is exempt (it leaves no machine).
 */
function credentialProblems(config: AgentConfig, at: (name: string) => Where): Diagnostic[] {
  const out: Diagnostic[] = [];
  const problem = (severity: 'error' | 'warning', name: string, message: string, hint?: string) => {
    const where = at(name);
    out.push(diagnostic(severity, 'invalid-config', where.file, where, where.field, message, hint));
  };
  if (config.repo !== null) {
    const { url, password } = splitCredentials(config.repo);
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(config.repo)?.[1]?.toLowerCase();
    if (scheme && scheme !== 'http' && scheme !== 'https') {
      problem('error', 'repo', `${scheme}:// repositories are not supported, got ${url}`, 'use an https:// URL with --git-token-file, or a local repository\'s path');
    } else if (/^[\w.-]+@[\w.-]+:/.test(config.repo)) {
      problem('error', 'repo', `SSH addresses such as "${config.repo.replace(/:.*/, ':...')}" are not supported`, 'use an https:// URL with --git-token-file, or a local repository\'s path');
    }
    if (password !== null) {
      problem('warning', 'repo', `the repository URL holds a password, readable wherever the URL is written (the process list, the environment, the settings file); deckhand never logs or shows it`, 'put the token in a file named by --git-token-file instead');
    }
    const risk = cleartextCredentials(config.repo, config.gitTokenFile !== null);
    if (risk) problem(config.allowInsecureHttp ? 'warning' : 'error', 'repo', `${risk.what === 'the token' ? 'the Git token' : risk.what} would be sent in cleartext over http:// to ${risk.host}, readable by anyone on the network path`, config.allowInsecureHttp ? 'allowed by allow-insecure-http' : 'use https://, or set allow-insecure-http to accept the risk');
  }
  if (isIP(config.publishAddress) === 0) {
    problem('error', 'publish-address', `expected an IP address such as 127.0.0.1 or 0.0.0.0, got "${config.publishAddress}"`, 'ports are published on an address of this machine');
  }
  for (const forge of forges) {
    for (const found of forge.check(config.forgeSettings, config.allowInsecureHttp)) problem(found.severity, found.setting, found.message, found.hint);
  }
  return out;
}

function readFile(file: { path: string; text: string }, set: (name: string, raw: unknown, where: Where) => void, diagnostics: Diagnostic[]): void {
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
    set(name, value, { file: file.path, ...doc.locate([name], 'value'), field: name, locate: (path) => doc.locate([name, ...path], 'value') });
  }
}

function convert(setting: Setting, raw: unknown): { value: unknown } | { problem: string } {
  switch (setting.kind) {
    case 'string':
      return typeof raw === 'string' || typeof raw === 'number' ? { value: String(raw) } : { problem: `expected text, got ${JSON.stringify(raw)}` };
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return { problem: `expected true or false, got ${JSON.stringify(raw)}` };
    case 'duration': {
      const ms = typeof raw === 'string' ? parseDuration(raw) : null;
      if (ms === null || ms <= 0) return { problem: `expected a duration such as "30s" or "1m", got ${JSON.stringify(raw)}` };
      const { min, max } = setting.range ?? { min: 1, max: Number.MAX_SAFE_INTEGER };
      if (ms < min || ms > max) return { problem: `expected a duration between ${formatDuration(min)} and ${formatDuration(max)}, got ${JSON.stringify(raw)}` };
      return { value: ms };
    }
    case 'count': {
      const count = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      return Number.isSafeInteger(count) && count >= 1 ? { value: count } : { problem: `expected a whole number of at least 1, got ${JSON.stringify(raw)}` };
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
        if (entries.every(([, v]) => typeof v === 'string')) return checkLabelKeys(Object.fromEntries(entries) as Record<string, string>);
      }
      const pairs = typeof raw === 'string' ? raw.split(',').map((p) => p.trim()).filter(Boolean) : null;
      if (!pairs || pairs.some((p) => !/^[\w.-]+=[^,]*$/.test(p))) return { problem: `expected labels such as "team=web,env=prod", got ${JSON.stringify(raw)}` };
      return checkLabelKeys(Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])));
    }
    case 'pull':
      return typeof raw === 'string' && (pullPolicies as readonly string[]).includes(raw) ? { value: raw } : { problem: `expected ${pullPolicies.join(', ')}, got ${JSON.stringify(raw)}` };
    case 'runtime':
      return typeof raw === 'string' && (agentRuntimes as readonly string[]).includes(raw) ? { value: raw } : { problem: `expected ${agentRuntimes.join(' or ')}, got ${JSON.stringify(raw)}` };
    case 'paths':
      return hostPaths(raw);
    case 'notify':
      return { problem: 'read by setTargets' };
    case 'range': {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(String(raw));
      const [from, to] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
      if (!match || from < 1024 || to > 65535 || from >= to) return { problem: `expected a port range such as "20000-32000", got ${JSON.stringify(raw)}` };
      return { value: { from, to } };
    }
  }
}

/**
 * The agent finds its containers by the `deckhand.` labels it writes itself; a
 * label of its own with that prefix would overwrite one of them (`deckhand.job=x`
 * on every container), and it would lose sight of what it started.
 */
function checkLabelKeys(labels: Record<string, string>): { value: Record<string, string> } | { problem: string } {
  const reserved = Object.keys(labels).find((key) => key.toLowerCase().startsWith(reservedLabelPrefix));
  if (reserved === undefined) return { value: labels };
  return { problem: `label key "${reserved}" is reserved: keys starting with "${reservedLabelPrefix}" are the ones deckhand writes to find its containers; choose another, such as "team"` };
}

/**
 * Directories jobs may bind-mount: a list (flags repeat, the file's YAML list) or
 * text separated by commas (the environment variable). `/` is refused: it would
 * let any job file mount every file of the host, the Docker socket included.
 */
function hostPaths(raw: unknown): { value: string[] } | { problem: string } {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((p) => p.trim()).filter(Boolean) : null;
  if (!list || !list.every((p): p is string => typeof p === 'string')) return { problem: `expected a directory or a list of directories such as "/srv/data", got ${JSON.stringify(raw)}` };
  const out: string[] = [];
  for (const path of list) {
    if (!path.startsWith('/')) return { problem: `expected an absolute path, got ${JSON.stringify(path)}` };
    const normal = posix.normalize(path).replace(/(.)\/$/, '$1');
    if (normal === '/') return { problem: 'allowing "/" would let any job file mount every file of the host, the Docker socket included; name the directories jobs may use' };
    if (!out.includes(normal)) out.push(normal);
  }
  return { value: out };
}
