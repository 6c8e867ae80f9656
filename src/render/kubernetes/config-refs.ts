// What a Deployment takes from Secrets and ConfigMaps, read where it is written: a
// variable's `valueFrom.secretKeyRef` / `configMapKeyRef`, a container's `envFrom`, and
// pod `volumes` of type `secret` / `configMap` mounted by a container's `volumeMounts`.
// The Secrets and ConfigMaps themselves may sit in any file of the tree, so the
// references are resolved once the whole tree is rendered (attach-configs.ts).
import type { ConfigRef, ConfigSource } from '../types.js';
import type { YamlPath } from '../yaml/document.js';
import type { ManifestReader } from './reader.js';

/** A pod volume of type `secret` or `configMap`, by the volume's name. */
export interface ConfigVolume {
  kind: ConfigSource['kind'];
  source: string;
  items: Array<{ key: string; path: string; mode: number | null }> | null;
  defaultMode: number;
  optional: boolean;
}

/** Kubernetes' default permissions of the files of a secret or configMap volume. */
const defaultVolumeMode = 0o644;

const fields = (...names: string[]): ReadonlySet<string> => new Set(names);
const keyRefFields = fields('name', 'key', 'optional');
const sourceRefFields = fields('name', 'optional');
const envFromFields = fields('configMapRef', 'secretRef', 'prefix');
const volumeMountFields = fields('name', 'mountPath', 'readOnly', 'recursiveReadOnly', 'subPath', 'subPathExpr', 'mountPropagation');
const itemFields = fields('key', 'path', 'mode');

const refKinds = [
  { field: 'secretKeyRef', kind: 'Secret' },
  { field: 'configMapKeyRef', kind: 'ConfigMap' },
] as const;

/** `valueFrom` of an env item: a reference, or undefined (reported) when it is something else. */
export function readValueFrom(reader: ManifestReader, item: YamlPath, task: number, env: string): Extract<ConfigRef, { use: 'env' }> | undefined {
  const path = [...item, 'valueFrom'];
  if (!reader.mapping(path)) return undefined;
  const given = refKinds.filter((k) => reader.has([...path, k.field]));
  const other = ['fieldRef', 'resourceFieldRef', 'fileKeyRef'].find((field) => reader.has([...path, field]));
  if (other !== undefined) {
    reader.error([...path, other], `valueFrom.${other} is not supported: deckhand has no downward API`, { code: 'unsupported', part: 'key', hint: 'give the value itself with value' });
    return undefined;
  }
  if (given.length !== 1) {
    reader.error(path, 'expected exactly one of secretKeyRef or configMapKeyRef', { part: 'key' });
    return undefined;
  }
  const { field, kind } = given[0]!;
  const ref = [...path, field];
  reader.checkKeys(ref, keyRefFields);
  const name = requiredString(reader, [...ref, 'name'], `the ${kind}'s name`);
  const key = requiredString(reader, [...ref, 'key'], `the key in the ${kind}`);
  const optional = reader.boolean([...ref, 'optional']) ?? false;
  if (name === undefined || key === undefined) return undefined;
  return { use: 'env', kind, name, key, env, task, optional, origin: reader.origin(ref, 'key') };
}

/** A container's `envFrom`: every key of a Secret or ConfigMap as a variable. */
export function readEnvFrom(reader: ManifestReader, container: YamlPath, task: number): ConfigRef[] {
  const path = [...container, 'envFrom'];
  const refs: ConfigRef[] = [];
  (reader.list(path) ?? []).forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) return;
    reader.checkKeys(item, envFromFields);
    const prefix = reader.string([...item, 'prefix']) ?? '';
    const given = (['secretRef', 'configMapRef'] as const).filter((field) => reader.has([...item, field]));
    if (given.length !== 1) {
      reader.error(item, 'expected exactly one of secretRef or configMapRef');
      return;
    }
    const field = given[0]!;
    const kind = field === 'secretRef' ? 'Secret' : 'ConfigMap';
    const ref = [...item, field];
    reader.checkKeys(ref, sourceRefFields);
    const name = requiredString(reader, [...ref, 'name'], `the ${kind}'s name`);
    const optional = reader.boolean([...ref, 'optional']) ?? false;
    if (name !== undefined) refs.push({ use: 'envFrom', kind, name, prefix, task, optional, origin: reader.origin(ref, 'key') });
  });
  return refs;
}

/** The pod's volumes of type `secret` and `configMap`; other volumes are not this file's concern. */
export function readConfigVolumes(reader: ManifestReader, podSpec: YamlPath): Map<string, ConfigVolume> {
  const volumes = new Map<string, ConfigVolume>();
  const path = [...podSpec, 'volumes'];
  (reader.list(path) ?? []).forEach((_, i) => {
    const volume = [...path, i];
    const name = reader.string([...volume, 'name']);
    for (const [field, kind, nameField] of [['secret', 'Secret', 'secretName'], ['configMap', 'ConfigMap', 'name']] as const) {
      const at = [...volume, field];
      if (name === undefined || !reader.mapping(at)) continue;
      reader.checkKeys(at, fields(nameField, 'items', 'defaultMode', 'optional'));
      const source = requiredString(reader, [...at, nameField], `the ${kind}'s name`);
      const defaultMode = reader.fileMode([...at, 'defaultMode']) ?? defaultVolumeMode;
      const optional = reader.boolean([...at, 'optional']) ?? false;
      const items = readItems(reader, [...at, 'items']);
      if (source !== undefined) volumes.set(name, { kind, source, items, defaultMode, optional });
    }
  });
  return volumes;
}

function readItems(reader: ManifestReader, path: YamlPath): ConfigVolume['items'] {
  const list = reader.list(path);
  if (!list) return null;
  const items: NonNullable<ConfigVolume['items']> = [];
  list.forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) return;
    reader.checkKeys(item, itemFields);
    const key = requiredString(reader, [...item, 'key'], 'the key to take');
    const file = requiredString(reader, [...item, 'path'], 'the file name to give it');
    if (file !== undefined && !isRelativePath(file)) reader.expected([...item, 'path'], 'a relative path without ".." inside the volume');
    const mode = reader.fileMode([...item, 'mode']) ?? null;
    if (key !== undefined && file !== undefined && isRelativePath(file)) items.push({ key, path: file, mode });
  });
  return items;
}

/**
 * A container's `volumeMounts` of the pod's secret and configMap volumes as references;
 * `others` says whether it mounts other volumes too.
 */
export function readConfigMounts(reader: ManifestReader, container: YamlPath, task: number, volumes: Map<string, ConfigVolume>): { refs: ConfigRef[]; others: boolean } {
  const path = [...container, 'volumeMounts'];
  const refs: ConfigRef[] = [];
  let others = false;
  (reader.list(path) ?? []).forEach((_, i) => {
    const mount = [...path, i];
    const name = reader.string([...mount, 'name']);
    const volume = name === undefined ? undefined : volumes.get(name);
    if (!volume) {
      others = true;
      return;
    }
    reader.checkKeys(mount, volumeMountFields);
    const mountPath = requiredString(reader, [...mount, 'mountPath'], 'where the files appear in the container');
    if (mountPath !== undefined && !mountPath.startsWith('/')) reader.expected([...mount, 'mountPath'], 'an absolute path inside the container');
    if (reader.has([...mount, 'subPathExpr'])) {
      reader.error([...mount, 'subPathExpr'], 'subPathExpr is not supported: deckhand has no downward API to expand it', { code: 'unsupported', part: 'key', hint: 'use subPath' });
      return;
    }
    if (reader.boolean([...mount, 'readOnly']) === false) {
      reader.warning([...mount, 'readOnly'], `a ${volume.kind} volume is always mounted read-only`, { code: 'ignored-field' });
    }
    const subPath = reader.string([...mount, 'subPath']) ?? null;
    if (subPath !== null && !isRelativePath(subPath)) reader.expected([...mount, 'subPath'], 'a relative path without ".." inside the volume');
    if (mountPath === undefined || !mountPath.startsWith('/') || (subPath !== null && !isRelativePath(subPath))) return;
    refs.push({ use: 'files', kind: volume.kind, name: volume.source, task, optional: volume.optional, mountPath, subPath, items: volume.items, defaultMode: volume.defaultMode, origin: reader.origin(mount) });
  });
  return { refs, others };
}

function requiredString(reader: ManifestReader, path: YamlPath, what: string): string | undefined {
  const value = reader.string(path);
  if (!reader.has(path)) reader.missing(path, `expected ${what}, got nothing`);
  else if (value === '') reader.expected(path, what);
  return value === '' ? undefined : value;
}

function isRelativePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !path.split('/').includes('..');
}
