// `env_file` and `environment` as the task's env (environment wins, later env
// files win over earlier ones), and labels.
import { setPlainKey } from '../../util/index.js';
import { describeValue, isPlainMap } from '../yaml/values.js';
import { envFileKeys } from './keys.js';
import { parseEnvFile } from './env-file.js';
import type { EnvFileFormat } from './env-file.js';
import { readRepositoryFile } from './paths.js';
import type { Path } from './report.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readBoolean, readEnum, readScalarText, readString, unreadable, refuseUnknownKeys } from './values.js';

interface EnvFileRef {
  path: string;
  required: boolean;
  format: EnvFileFormat;
  at: Path;
}

export function mapEnvironment(scope: ServiceScope, envFile: unknown, environment: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  const model = `${taskPath(scope)}.env`;
  for (const ref of envFileRefs(scope, envFile)) {
    const values = readEnvFile(scope, ref);
    for (const [key, value] of Object.entries(values ?? {})) {
      setPlainKey(env, key, value);
      record(scope, `${model}.${key}`, ref.at);
    }
  }
  const path = [...scope.path, 'environment'];
  const entries = keyValueEntries(scope, path, environment, 'environment');
  if (environment !== undefined) record(scope, model, path);
  for (const { key, value, at } of entries) {
    // A key without a value takes it from the environment, and is left out when unset there.
    const resolved = value ?? scope.lookup(key);
    if (resolved === undefined) continue;
    setPlainKey(env, key, resolved);
    record(scope, `${model}.${key}`, at);
  }
  return env;
}

/**
 * A "list or dict" of labels (`labels:` on the container, `deploy.labels` on the
 * Swarm service) as a map, each recorded at `modelPath.<key>`.
 */
export function mapLabels(scope: ServiceScope, path: Path, labels: unknown, modelPath: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value, at } of keyValueEntries(scope, path, labels, 'labels')) {
    setPlainKey(out, key, value ?? '');
    record(scope, `${modelPath}.${key}`, at);
  }
  return out;
}

export interface KeyValue {
  key: string;
  /** Undefined: written without a value (`- KEY`, `KEY:`). */
  value: string | undefined;
  at: Path;
}

/** Compose's "list or dict": `[KEY=VALUE, KEY]` or `{KEY: VALUE}`. */
export function keyValueEntries(scope: ServiceScope, path: Path, value: unknown, what: string): KeyValue[] {
  if (value === undefined || value === null || value === unreadable) return [];
  const out: KeyValue[] = [];
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      const at = [...path, index];
      if (item === unreadable) return;
      if (typeof item !== 'string') {
        scope.r.error(at, `expected a "KEY=VALUE" string, got ${describeValue(item)}`);
        return;
      }
      const equals = item.indexOf('=');
      const key = equals < 0 ? item : item.slice(0, equals);
      if (key.trim() === '') {
        scope.r.error(at, `expected a "KEY=VALUE" string with a key, got ${describeValue(item)}`);
        return;
      }
      out.push({ key, value: equals < 0 ? undefined : item.slice(equals + 1), at });
    });
    return out;
  }
  if (!isPlainMap(value)) {
    scope.r.error(path, `expected a map or a list of "KEY=VALUE" strings for ${what}, got ${describeValue(value)}`);
    return [];
  }
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, key];
    if (item === null) {
      out.push({ key, value: undefined, at });
      continue;
    }
    const text = readScalarText(scope.r, at, item);
    if (text !== undefined) out.push({ key, value: text, at });
  }
  return out;
}

/** `env_file:` as a path, a list of paths, or a list of `{path, required, format}`. */
function envFileRefs(scope: ServiceScope, value: unknown): EnvFileRef[] {
  const path = [...scope.path, 'env_file'];
  if (value === undefined || value === null || value === unreadable) return [];
  const items: Array<[unknown, Path]> = Array.isArray(value) ? value.map((item: unknown, i) => [item, [...path, i]]) : [[value, path]];
  const refs: EnvFileRef[] = [];
  for (const [item, at] of items) {
    if (item === unreadable) continue;
    if (typeof item === 'string') {
      refs.push({ path: item, required: true, format: 'dotenv', at });
      continue;
    }
    if (!isPlainMap(item)) {
      scope.r.error(at, `expected a path or a map with "path", got ${describeValue(item)}`);
      continue;
    }
    const map = item;
    refuseUnknownKeys(scope.r, at, map, envFileKeys);
    const file = readString(scope.r, [...at, 'path'], map.path);
    if (map.path === undefined) scope.r.error(at, 'expected a "path", got none');
    const required = readBoolean(scope.r, [...at, 'required'], map.required) ?? true;
    const format = readEnum<EnvFileFormat>(scope.r, [...at, 'format'], map.format, ['dotenv', 'raw']) ?? 'dotenv';
    if (file !== undefined) refs.push({ path: file, required, format, at: [...at, 'path'] });
  }
  return refs;
}

function readEnvFile(scope: ServiceScope, ref: EnvFileRef): Record<string, string> | undefined {
  const resolved = readRepositoryFile(scope.r, ref.at, scope.dir, ref.path, scope, `env file "${ref.path}"`);
  if (!resolved) return undefined;
  const text = resolved.text;
  if (text === undefined) {
    if (ref.required) {
      scope.r.error(ref.at, `env file "${ref.path}" not found (looked for ${resolved.path})`, { code: 'missing-file', hint: 'add "required: false" if the file is optional' });
    }
    return undefined;
  }
  const parsed = parseEnvFile(text, scope.lookup, ref.format);
  for (const problem of parsed.problems) {
    scope.r.inOtherFile(resolved.path, problem, problem.severity === 'error' ? 'env-file' : 'unset-variable');
  }
  return parsed.values;
}
