// Values deckhand never shows: environment variables and meta entries whose names
// say they hold a secret, passwords written into URLs, and whatever comes from a
// secret (a task's sensitive files, its `sensitiveEnv` variables). Whatever leaves the
// agent (API answers, plans, pull-request comments, logs) goes through here; the
// job itself keeps its values, so containers get them and spec hashes see them.
// Pure: names and values in, masked values out.
import type { ContainerSettings, Job, Task } from './job.js';

/** What a hidden value is shown as, everywhere (Terraform says "(sensitive value)"). */
export const sensitiveMask = '(sensitive)';

/**
 * Words that mark a name as secret. A name is cut into words at `_`, `-`, `.`
 * and lower→upper case changes, so `DB_PASSWORD`, `apiKey` and `aws.secret`
 * match while `AUTHOR`, `PASSENGER` or `MONKEY` do not.
 */
const secretWords = new Set([
  'password', 'passwd', 'pass', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'creds',
  'apikey', 'auth', 'authorization', 'cookie', 'session', 'signature', 'private', 'privatekey', 'salt', 'dsn', 'pem', 'jwt',
]);
/** `KEY` counts only after these words (`API_KEY`, `SECRET_KEY`, `ACCESS_KEY`), or alone (`KEY`, `SSH_KEY`...). */
const keyQualifiers = new Set(['api', 'access', 'secret', 'private', 'signing', 'encryption', 'master', 'ssh', 'license', 'client', 'app', 'account', 'service']);

export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

export function isSensitiveName(name: string): boolean {
  const words = nameWords(name);
  return words.some((word, i) => secretWords.has(word) || (word === 'key' && (words.length === 1 || keyQualifiers.has(words[i - 1] ?? ''))));
}

/** `scheme://user:password@host` anywhere in a text: the password part. */
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi;

/** A value with every URL password masked: `postgres://app:(sensitive)@db/app`. */
export function maskUrlPasswords(value: string): string {
  return value.replace(urlPassword, `$1${sensitiveMask}@`);
}

/** The value as deckhand shows it: masked whole when its name is secret, else with URL passwords masked. */
export function shownValue(name: string, value: string): string {
  if (value === '') return value;
  return isSensitiveName(name) ? sensitiveMask : maskUrlPasswords(value);
}

function shownMap(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map)) out[key] = shownValue(key, map[key]!);
  return out;
}

/** The environment as shown: values from a secret masked whatever their names, the others by name. */
function shownEnv(task: Task): Record<string, string> {
  const shown = shownMap(task.env);
  for (const name of task.sensitiveEnv ?? []) if (Object.hasOwn(shown, name) && shown[name] !== '') shown[name] = sensitiveMask;
  return shown;
}

function redactTask(task: Task): Task {
  return {
    ...task,
    env: shownEnv(task),
    ...(task.files ? { files: task.files.map((file) => (file.sensitive ? { ...file, content: sensitiveMask } : file)) } : {}),
    meta: shownMap(task.meta),
    args: task.args?.map(maskUrlPasswords) ?? null,
    command: task.command === null ? null : maskUrlPasswords(task.command),
    ...(task.registryAuth ? { registryAuth: { ...task.registryAuth, password: sensitiveMask } } : {}),
    ...(task.container ? { container: redactContainer(task.container) } : {}),
  };
}

/** Labels and logging options may carry a token (`splunk-token`) as much as env does. */
function redactContainer(container: ContainerSettings): ContainerSettings {
  return {
    ...container,
    ...(container.labels ? { labels: shownMap(container.labels) } : {}),
    ...(container.logging ? { logging: { ...container.logging, options: shownMap(container.logging.options) } } : {}),
  };
}

/** The job as deckhand shows it: secret values masked, everything else as it is. */
export function redactJob(job: Job): Job {
  return {
    ...job,
    meta: shownMap(job.meta),
    groups: job.groups.map((group) => ({ ...group, meta: shownMap(group.meta), tasks: group.tasks.map(redactTask) })),
  };
}

/**
 * A job file's text as deckhand shows it (plan comments, file diffs): the value
 * of every line that assigns a secret name is masked, in the shapes job files
 * use — `NAME = "v"` (HCL), `NAME: v` (YAML), `- NAME=v` (Compose lists, .env),
 * `"NAME": "v"` (JSON), and a Kubernetes `- name: NAME` followed by `value: v`.
 */
export function redactSourceText(text: string): string {
  const lines = text.split('\n');
  const masked = maskedBlocks(lines);
  /** Indentation of a Kubernetes env item whose name is secret, while its `value:` may follow. */
  let secretItemIndent: number | null = null;
  return lines
    .map((line, index) => {
      const whole = masked.get(index);
      if (whole !== undefined) return whole;
      const indent = line.length - line.trimStart().length;
      if (secretItemIndent !== null && line.trim() !== '' && indent <= secretItemIndent) secretItemIndent = null;
      const k8sName = /^\s*-?\s*name:\s*["']?([^"'\s#]+)["']?\s*(#.*)?$/.exec(line);
      if (k8sName) {
        secretItemIndent = isSensitiveName(k8sName[1]!) ? indent : null;
        return maskUrlPasswords(line);
      }
      if (secretItemIndent !== null) {
        const value = /^(\s*value:\s*)(\S.*)$/.exec(line);
        if (value) return `${value[1]}${sensitiveMask}`;
      }
      return maskUrlPasswords(maskFlowEntries(maskAssignment(line)));
    })
    .join('\n');
}

/** `NAME = v`, `NAME: v`, `NAME=v`, `"NAME": v`, with an optional list dash or quote before NAME. */
const assignment = /^(\s*(?:-\s*)?(["']?))([A-Za-z_][\w.-]*)(\2\s*(?:=|:)\s*)(.*)$/;
/** A quoted list item holding the whole assignment: `- "NAME=v"`. */
const quotedItem = /^(\s*-\s*(["']))([A-Za-z_][\w.-]*)(=)(.*)\2(\s*)$/;

function maskAssignment(line: string): string {
  const item = quotedItem.exec(line);
  if (item) return isSensitiveName(item[3]!) ? `${item[1]}${item[3]}=${sensitiveMask}${item[2]}${item[6]}` : line;
  const match = assignment.exec(line);
  if (!match || !isSensitiveName(match[3]!)) return line;
  let value = match[5]!.trimEnd();
  // A block opens (`secrets {`, `env:` with the values below): nothing to mask on this line.
  if (value === '' || value === '{' || value.startsWith('#') || value === '|' || value === '>' || value === '[') return line;
  const comma = value.endsWith(',') ? ',' : '';
  if (comma) value = value.slice(0, -1).trimEnd();
  const quote = value.length > 1 && /^["']/.test(value) && value.endsWith(value[0]!) ? value[0]! : '';
  return `${match[1]}${match[3]}${match[4]}${quote}${sensitiveMask}${quote}${comma}`;
}

/** Entries of a one-line map, `{ NAME: v, "OTHER": "w" }` (YAML flow style, JSON). */
const flowEntry = /([{,]\s*)(["']?)([A-Za-z_][\w.-]*)\2(\s*:\s*)("[^"]*"|'[^']*'|[^,}\s][^,}]*)/g;

function maskFlowEntries(line: string): string {
  if (!line.includes('{')) return line;
  return line.replace(flowEntry, (whole, before: string, quote: string, name: string, colon: string, value: string) => {
    if (!isSensitiveName(name)) return whole;
    const valueQuote = /^["']/.test(value) ? value[0]! : '';
    return `${before}${quote}${name}${quote}${colon}${valueQuote}${sensitiveMask}${valueQuote}`;
  });
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * Lines masked whole, whatever their names say: the values of a Kubernetes Secret's
 * `data` and `stringData`, and what a Nomad `template` block writes (`data = ...`,
 * a heredoc's lines), which may hold secrets under any name.
 */
function maskedBlocks(lines: string[]): Map<number, string> {
  const masked = new Map<number, string>();
  const documentStarts = [0, ...lines.flatMap((line, i) => (/^---\s*(#.*)?$/.test(line) ? [i + 1] : []))];
  documentStarts.forEach((start, d) => {
    const end = documentStarts[d + 1] === undefined ? lines.length : documentStarts[d + 1]! - 1;
    if (lines.slice(start, end).some((line) => /^kind:\s*["']?Secret["']?\s*(#.*)?$/.test(line))) maskSecretData(lines, start, end, masked);
  });
  maskNomadTemplates(lines, masked);
  return masked;
}

function maskSecretData(lines: string[], start: number, end: number, masked: Map<number, string>): void {
  let inData = false;
  let keyIndent: number | null = null;
  for (let i = start; i < end; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const indent = indentOf(line);
    if (indent === 0) {
      const top = /^(data|stringData):(\s*)(.*)$/.exec(line);
      inData = top !== null;
      keyIndent = null;
      // A flow map on the key's own line: `data: {password: aHVudGVy}`.
      if (top && top[3] !== '' && !top[3]!.startsWith('#')) masked.set(i, `${top[1]}:${top[2]}${sensitiveMask}`);
      continue;
    }
    if (!inData) continue;
    keyIndent ??= indent;
    const entry = indent === keyIndent ? /^(\s*["']?[^"':#]+["']?:\s*)(.*)$/.exec(line) : null;
    if (entry && /^[|>][-+0-9]*\s*$/.test(entry[2]!)) continue;
    masked.set(i, entry ? `${entry[1]}${entry[2] === '' ? '' : sensitiveMask}` : `${' '.repeat(indent)}${sensitiveMask}`);
  }
}

function maskNomadTemplates(lines: string[], masked: Map<number, string>): void {
  let templateIndent: number | null = null;
  let heredoc: string | null = null;
  lines.forEach((line, i) => {
    if (heredoc !== null) {
      if (line.trim() === heredoc) heredoc = null;
      else masked.set(i, `${' '.repeat(indentOf(line))}${sensitiveMask}`);
      return;
    }
    if (templateIndent === null) {
      if (/^\s*template\s*\{\s*(#.*)?$/.test(line)) templateIndent = indentOf(line);
      return;
    }
    if (line.trim().startsWith('}') && indentOf(line) <= templateIndent) {
      templateIndent = null;
      return;
    }
    const data = /^(\s*data\s*=\s*)(.*)$/.exec(line);
    if (!data) return;
    const opener = /^<<-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(data[2]!);
    if (opener) heredoc = opener[1]!;
    else masked.set(i, `${data[1]}"${sensitiveMask}"`);
  });
}
