// Compose secrets and configs: the top-level `secrets:` and `configs:` (a `file:`
// of the repository, relative to the compose file, or a config's inline `content:`)
// and a service's `secrets:` / `configs:` (short and long syntax), as files mounted
// read-only into its container: a secret at /run/secrets/<name>, a config at /<name>,
// or at the target given. A secret's content is sensitive: plans and the API show it
// as (sensitive). Sources deckhand cannot read (the environment of whoever renders,
// Swarm's external secrets, template drivers) and owners it cannot set are refused.
import type { TaskFile } from '../../model/index.js';
import { describeValue, isPlainMap } from '../yaml/values.js';
import { readRepositoryFile } from './paths.js';
import type { Path, Reporter } from './report.js';
import { record, taskPath } from './scope.js';
import type { DeclaredFiles, ServiceScope } from './scope.js';
import { readMap, readString, unreadable, refuseUnknownKeys } from './values.js';

export type FileKind = 'secrets' | 'configs';


const sourceKeys: Record<FileKind, ReadonlySet<string>> = {
  secrets: new Set(['file', 'environment', 'external', 'name', 'labels', 'driver', 'driver_opts', 'template_driver']),
  configs: new Set(['file', 'environment', 'content', 'external', 'name', 'labels', 'template_driver']),
};
const referenceKeys = new Set(['source', 'target', 'uid', 'gid', 'mode']);

/** A file larger than this is refused: the content travels in the job (its store, its containers' labels, plans). */
export const maxTaskFileBytes = 256 * 1024;

const what = (kind: FileKind) => (kind === 'secrets' ? 'secret' : 'config');

export function readDeclaredFiles(r: Reporter, root: Record<string, unknown>, dir: string, readFile: (path: string) => string | undefined, linkOutside?: (path: string) => string | undefined): DeclaredFiles {
  const declared: DeclaredFiles = { secrets: new Map(), configs: new Map() };
  for (const kind of ['secrets', 'configs'] as const) {
    const map = readMap(r, [kind], root[kind]);
    for (const [name, value] of Object.entries(map ?? {})) {
      let read: { content: string | undefined } | undefined;
      declared[kind].set(name, () => (read ??= { content: readSource(r, kind, name, value, dir, readFile, linkOutside) }).content);
    }
  }
  return declared;
}

function readSource(r: Reporter, kind: FileKind, name: string, value: unknown, dir: string, readFile: (path: string) => string | undefined, linkOutside?: (path: string) => string | undefined): string | undefined {
  const path: Path = [kind, name];
  const source = readMap(r, path, value);
  if (!source) return undefined;
  refuseUnknownKeys(r, path, source, sourceKeys[kind]);
  const refuse = (key: string, message: string, hint: string) => r.error([...path, key], message, { code: 'unsupported', part: 'key', hint });
  if (source.environment !== undefined) {
    refuse('environment', `a ${what(kind)} from "environment" is not supported: its value would depend on the environment of whoever renders the file (the agent, or your shell for a plan)`, 'put the value in a file of the repository and name it with "file:"');
    return undefined;
  }
  if (source.external !== undefined && source.external !== false) {
    refuse('external', `an external ${what(kind)} is not supported: deckhand has no ${what(kind)} store (Swarm's is external to the file)`, 'put the value in a file of the repository and name it with "file:"');
    return undefined;
  }
  for (const key of ['driver', 'driver_opts', 'template_driver']) {
    if (source[key] !== undefined) refuse(key, `"${key}" is not supported: deckhand mounts the file as it is`, `remove "${key}"`);
  }
  if (source.content !== undefined && source.file !== undefined) {
    r.error([...path, 'content'], `expected either "file" or "content", got both`);
    return undefined;
  }
  if (source.content !== undefined) {
    const content = readString(r, [...path, 'content'], source.content);
    return content === undefined ? undefined : withinLimit(r, [...path, 'content'], content);
  }
  if (source.file === undefined) {
    if (source.external === undefined) r.error(path, `expected a "file" for ${what(kind)} "${name}", got none`, { code: 'missing-field', hint: `file: ./${name}.txt, relative to the compose file` });
    return undefined;
  }
  const file = readString(r, [...path, 'file'], source.file);
  if (file === undefined) return undefined;
  const read = readRepositoryFile(r, [...path, 'file'], dir, file, { readFile, ...(linkOutside ? { linkOutside } : {}) }, `${what(kind)} file "${file}"`, 'deckhand reads files of the repository only');
  if (!read) return undefined;
  if (read.text === undefined) {
    r.error([...path, 'file'], `${what(kind)} file "${file}" not found, or not UTF-8 text (looked for ${read.path})`, { code: 'missing-file' });
    return undefined;
  }
  return withinLimit(r, [...path, 'file'], read.text);
}

/** A file's text when it is small enough to travel in the job (its store, its containers' labels, plans). */
export function withinLimit(r: Reporter, path: Path, content: string, hint = 'mount larger files from a named volume'): string | undefined {
  const bytes = Buffer.byteLength(content);
  if (bytes <= maxTaskFileBytes) return content;
  r.error(path, `expected at most ${maxTaskFileBytes / 1024} KiB, got ${Math.ceil(bytes / 1024)} KiB`, { hint });
  return undefined;
}

/** A service's `secrets:` and `configs:` as the task's files. */
export function mapServiceFiles(scope: ServiceScope, service: Record<string, unknown>, declared: DeclaredFiles): TaskFile[] {
  const files: TaskFile[] = [];
  for (const kind of ['secrets', 'configs'] as const) {
    const path = [...scope.path, kind];
    const list = service[kind];
    if (list === undefined || list === null || list === unreadable) continue;
    if (!Array.isArray(list)) {
      scope.r.error(path, `expected a list of ${kind}, got ${describeValue(list)}`);
      continue;
    }
    list.forEach((entry: unknown, i) => {
      const file = mapReference(scope, kind, [...path, i], entry, declared);
      if (!file) return;
      if (files.some((f) => f.target === file.target)) {
        scope.r.error([...path, i], `two files at ${file.target}`, { code: 'duplicate' });
        return;
      }
      record(scope, `${taskPath(scope)}.files.${files.length}`, [...path, i]);
      files.push(file);
    });
  }
  return files;
}

function mapReference(scope: ServiceScope, kind: FileKind, at: Path, entry: unknown, declared: DeclaredFiles): TaskFile | undefined {
  const { r } = scope;
  if (entry === unreadable) return undefined;
  let source: string | undefined;
  let target: string | undefined;
  let mode = 0o444;
  if (typeof entry === 'string') {
    source = entry;
  } else if (isPlainMap(entry)) {
    refuseUnknownKeys(r, at, entry, referenceKeys);
    source = readString(r, [...at, 'source'], entry.source);
    if (entry.source === undefined) r.error(at, 'expected a "source", got none', { code: 'missing-field' });
    target = readString(r, [...at, 'target'], entry.target);
    for (const owner of ['uid', 'gid']) {
      if (entry[owner] !== undefined) {
        r.error([...at, owner], `"${owner}" is not supported: the agent writes the file as its own user, and cannot give it away`, { code: 'unsupported', part: 'key', hint: 'remove it; "mode: 0444" (the default) lets every user of the container read the file' });
      }
    }
    if (entry.mode !== undefined) mode = readMode(r, [...at, 'mode'], entry.mode) ?? mode;
  } else {
    r.error(at, `expected a ${what(kind)} name or a map with "source", got ${describeValue(entry)}`);
    return undefined;
  }
  if (source === undefined) return undefined;
  const sourceAt = typeof entry === 'string' ? at : [...at, 'source'];
  if (!declared[kind].has(source)) {
    r.error(sourceAt, `${what(kind)} "${source}" is not declared under the top-level "${kind}:"`, { code: 'undeclared', hint: `add it: ${kind}: { ${source}: { file: ./${source}.txt } }` });
    return undefined;
  }
  const content = declared[kind].get(source)!();
  const resolved = targetPath(kind, source, target);
  if (resolved === undefined) {
    r.error([...at, 'target'], `expected a path inside the container, got ${describeValue(target)}`);
    return undefined;
  }
  if (content === undefined) return undefined;
  return { target: resolved, content, mode, sensitive: kind === 'secrets' };
}

/** A secret's target is a name under /run/secrets or an absolute path; a config's defaults to /<source>. */
function targetPath(kind: FileKind, source: string, target: string | undefined): string | undefined {
  const path = target ?? (kind === 'secrets' ? source : `/${source}`);
  if (path === '' || path.endsWith('/') || path.split('/').includes('..')) return undefined;
  if (path.startsWith('/')) return path;
  return kind === 'secrets' ? `/run/secrets/${path}` : `/${path}`;
}

/**
 * Permission bits, octal as Compose reads them: `0440` and `"0440"` (YAML 1.1's octal,
 * which compose-go keeps), `0o440`, and a plain decimal number.
 */
function readMode(r: Reporter, path: Path, value: unknown): number | undefined {
  const written = r.sourceText(path);
  let mode: number | undefined;
  if (typeof value === 'string' && /^0[0-7]{1,4}$|^0o[0-7]{1,4}$/.test(value)) mode = parseInt(value.replace(/^0o?/, ''), 8);
  else if (typeof value === 'number' && Number.isInteger(value)) mode = written !== undefined && /^0[0-7]+$/.test(written) ? parseInt(written, 8) : value;
  // No setuid, setgid or sticky bits: the file is the repository's content, written by the agent's user.
  if (mode !== undefined && mode >= 0 && mode <= 0o777) return mode;
  r.error(path, `expected permission bits from 0 to 0777 such as 0444 or 0400, got ${describeValue(value)}`);
  return undefined;
}
