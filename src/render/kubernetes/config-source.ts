// A v1 Secret or ConfigMap → the keys and contents Deployments of its namespace may
// take as variables or files (attach-configs.ts). A Secret's `data` is base64 and its
// `stringData` text (winning over `data`, as the API server merges them); a ConfigMap's
// `data` is text and its `binaryData` base64.
import type { ConfigSource } from '../types.js';
import { readNamespace } from './deployment.js';
import { objectMetaFields } from './api-fields.js';
import type { ManifestReader } from './reader.js';

const fields = (...names: string[]): ReadonlySet<string> => new Set(names);
const secretFields = fields('apiVersion', 'kind', 'metadata', 'data', 'stringData', 'type', 'immutable');
const configMapFields = fields('apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable');

/** Kubernetes' rule for the keys of a Secret or ConfigMap (they become file names). */
const configKey = /^[-._a-zA-Z0-9]{1,253}$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** What one Secret or ConfigMap may hold, as the API server allows. */
const maxTotalBytes = 1024 * 1024;

export function readConfigSource(reader: ManifestReader, file: string, kind: ConfigSource['kind']): ConfigSource | undefined {
  reader.checkKeys([], kind === 'Secret' ? secretFields : configMapFields);
  reader.mapping(['metadata']);
  reader.checkKeys(['metadata'], objectMetaFields);
  const name = reader.string(['metadata', 'name']);
  if (!reader.has(['metadata', 'name'])) reader.missing(['metadata', 'name'], `a ${kind} needs a name: Deployments use it by that name`);
  const namespace = readNamespace(reader);
  const data = new Map<string, { content: string; encoding?: 'base64' }>();
  const encoded = kind === 'Secret' ? 'data' : 'binaryData';
  const text = kind === 'Secret' ? 'stringData' : 'data';
  readEntries(reader, encoded, (key, value, path) => {
    const compact = value.replace(/\s+/g, '');
    if (!base64.test(compact)) {
      // Never the value itself: it may be a secret.
      reader.error(path, `expected base64 (Kubernetes keeps the bytes of ${kind === 'Secret' ? "a Secret's data" : "a ConfigMap's binaryData"} in base64)`, { hint: `put text under ${text} instead` });
      return;
    }
    const bytes = Buffer.from(compact, 'base64');
    const decoded = utf8(bytes);
    data.set(key, decoded === null ? { content: compact, encoding: 'base64' } : { content: decoded });
  });
  readEntries(reader, text, (key, value, path) => {
    if (kind === 'ConfigMap' && data.has(key)) reader.error(path, `key "${key}" is also in binaryData`, { code: 'duplicate' });
    data.set(key, { content: value });
  });
  const total = [...data.values()].reduce((sum, entry) => sum + Buffer.byteLength(entry.content), 0);
  if (total > maxTotalBytes) reader.error(['metadata', 'name'], `expected at most 1 MiB of data in a ${kind}, got ${Math.ceil(total / 1024)} KiB`);
  if (name === undefined) return undefined;
  return { kind, name, namespace, data, origin: { ...reader.origin(['metadata', 'name']), file }, broken: reader.hasErrors };
}

function readEntries(reader: ManifestReader, field: string, take: (key: string, value: string, path: (string | number)[]) => void): void {
  const map = reader.mapping([field]);
  for (const key of Object.keys(map ?? {})) {
    const path = [field, key];
    if (!configKey.test(key)) {
      reader.error(path, `expected a key of letters, digits, "-", "_" and ".", got ${JSON.stringify(key)}`, { part: 'key' });
      continue;
    }
    const value = reader.value(path);
    if (typeof value === 'string') take(key, value, path);
    else if (value === null) take(key, '', path);
    // Never the value itself in the message: it may be a secret.
    else reader.error(path, `expected a string, got ${Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : `a ${typeof value}`}`, { hint: 'quote it: Kubernetes keeps text here' });
  }
}

function utf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
