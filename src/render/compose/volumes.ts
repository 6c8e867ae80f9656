// Compose volumes: the top-level `volumes:` (named volumes deckhand makes once and
// keeps, or `external` ones it mounts as found), a service's `volumes:` (short and
// long syntax) and `tmpfs:`. Data in a named volume outlives every container of the
// service: image updates, rollbacks, restarts. An absolute host path (a bind
// mount) is mapped, and the agent refuses it unless it lies under a directory its
// allow-host-path setting names (render/host-paths.ts): a repository must not be
// able to mount `/` or the Docker socket into a container. A relative host path
// (`./nginx.conf`) is read by Compose from the file's folder, which for deckhand is a
// checkout of one revision, not a place on the host that lasts: a file of the
// repository mounted read-only (`:ro`) is carried as the task's file, from the
// revision rendered, as a config is; mounted read-write (the container could write
// to it and expect it kept), or a folder, it is refused. An anonymous volume is
// refused too, since its data would be lost on the next update without a word.
import type { JobVolume, Mount, TaskFile } from '../../model/index.js';
import { describeValue } from '../yaml/values.js';
import type { Path, Reporter } from './report.js';
import { readRepositoryFile, resolveInTree } from './paths.js';
import { record, taskPath } from './scope.js';
import type { DeclaredVolumes, ServiceScope } from './scope.js';
import { withinLimit } from './secrets.js';
import { readBoolean, readMap, readString, unreadable, refuseUnknownKeys } from './values.js';

/** A file of the repository a service mounts read-only, carried as its task's file. */
export interface RepositoryFile {
  file: TaskFile;
  at: Path;
}


const volumeKeys = new Set(['driver', 'driver_opts', 'external', 'labels', 'name']);
const mountKeys = new Set(['type', 'source', 'target', 'read_only', 'volume', 'tmpfs', 'consistency', 'bind']);

export function readVolumes(r: Reporter, value: unknown): DeclaredVolumes {
  const declared: DeclaredVolumes = new Map();
  const map = readMap(r, ['volumes'], value);
  if (!map) return declared;
  for (const [name, settings] of Object.entries(map)) {
    const path = ['volumes', name];
    const volume: JobVolume = { name, dockerName: null, external: false, driverOpts: {} };
    declared.set(name, { volume, path });
    const read = readMap(r, path, settings);
    if (!read) continue;
    refuseUnknownKeys(r, path, read, volumeKeys);
    const driver = readString(r, [...path, 'driver'], read.driver);
    if (driver !== undefined && driver !== 'local') {
      r.error([...path, 'driver'], `volume driver "${driver}" is not supported: deckhand makes local volumes on its one Docker engine`, { code: 'unsupported', hint: 'remove the driver, or set it to "local" (driver_opts can mount a tmpfs or an NFS share)' });
    }
    const opts = readMap(r, [...path, 'driver_opts'], read.driver_opts);
    for (const [key, option] of Object.entries(opts ?? {})) {
      if (typeof option === 'string' || typeof option === 'number') volume.driverOpts[key] = String(option);
      else r.error([...path, 'driver_opts', key], `expected a string, got ${describeValue(option)}`);
    }
    const external = read.external;
    if (external === true || (typeof external === 'object' && external !== null)) {
      volume.external = true;
      const named = typeof external === 'object' ? readString(r, [...path, 'external', 'name'], (external as Record<string, unknown>).name) : undefined;
      volume.dockerName = readString(r, [...path, 'name'], read.name) ?? named ?? name;
    } else {
      if (external !== undefined) readBoolean(r, [...path, 'external'], external);
      volume.dockerName = readString(r, [...path, 'name'], read.name) ?? null;
    }
  }
  return declared;
}

/**
 * A service's `volumes:` and `tmpfs:` as mounts, each checked against the top-level
 * volumes; repository files mounted read-only go to `fromRepository`.
 */
export function mapMounts(scope: ServiceScope, volumes: unknown, tmpfs: unknown, fromRepository: RepositoryFile[] = []): Mount[] {
  const mounts: Mount[] = [];
  const add = (mount: Mount, at: Path) => {
    const index = mounts.length;
    if (mounts.some((m) => m.target === mount.target)) {
      scope.r.error(at, `two mounts at ${mount.target}`, { code: 'duplicate' });
      return;
    }
    mounts.push(mount);
    record(scope, `${taskPath(scope)}.mounts.${index}`, at);
  };
  const path = [...scope.path, 'volumes'];
  if (Array.isArray(volumes)) {
    volumes.forEach((entry: unknown, i) => {
      const mount = typeof entry === 'string' ? shortMount(scope, [...path, i], entry) : longMount(scope, [...path, i], entry);
      if (mount && 'file' in mount) fromRepository.push(mount);
      else if (mount) add(mount, [...path, i]);
    });
  } else if (volumes !== undefined && volumes !== null && volumes !== unreadable) {
    scope.r.error(path, `expected a list of volumes, got ${describeValue(volumes)}`);
  }
  const tmpfsPath = [...scope.path, 'tmpfs'];
  const targets = typeof tmpfs === 'string' ? [tmpfs] : Array.isArray(tmpfs) ? tmpfs : tmpfs === undefined || tmpfs === null || tmpfs === unreadable ? [] : null;
  if (targets === null) scope.r.error(tmpfsPath, `expected a path or a list of paths, got ${describeValue(tmpfs)}`);
  (targets ?? []).forEach((target: unknown, i) => {
    const at = typeof tmpfs === 'string' ? tmpfsPath : [...tmpfsPath, i];
    // `/run:size=64k` holds tmpfs options after the path, which deckhand does not apply.
    if (typeof target !== 'string' || !target.startsWith('/') || target.includes(':')) {
      scope.r.error(at, `expected an absolute path inside the container, got ${describeValue(target)}`, { hint: 'tmpfs options are not applied; write the path alone' });
      return;
    }
    add({ type: 'tmpfs', source: '', target, readOnly: false }, at);
  });
  return mounts;
}

function shortMount(scope: ServiceScope, at: Path, entry: string): Mount | RepositoryFile | undefined {
  const parts = entry.split(':');
  if (parts.length === 1) return anonymous(scope, at, parts[0]!);
  if (parts.length > 3) {
    scope.r.error(at, `expected "volume:/path" or "volume:/path:ro", got ${describeValue(entry)}`);
    return undefined;
  }
  const [source, target, mode = 'rw'] = parts as [string, string, string?];
  const modes = mode.split(',');
  const unknown = modes.filter((m) => !['ro', 'rw', 'z', 'Z', 'nocopy'].includes(m));
  if (unknown.length > 0) {
    scope.r.error(at, `unknown volume mode "${unknown.join(',')}": expected ro or rw`);
    return undefined;
  }
  if (/^[/.~]/.test(source) && (modes.includes('z') || modes.includes('Z'))) {
    scope.r.error(at, `volume mode "${modes.filter((m) => m === 'z' || m === 'Z').join(',')}" is not supported: deckhand never relabels a host path for SELinux`, { code: 'unsupported', hint: 'remove the mode, and label the directory on the host' });
    return undefined;
  }
  return named(scope, at, source, target, modes.includes('ro'));
}

function longMount(scope: ServiceScope, at: Path, entry: unknown): Mount | RepositoryFile | undefined {
  const map = readMap(scope.r, at, entry);
  if (!map) return undefined;
  refuseUnknownKeys(scope.r, at, map, mountKeys);
  const type = readString(scope.r, [...at, 'type'], map.type) ?? 'volume';
  const target = readString(scope.r, [...at, 'target'], map.target);
  const readOnly = readBoolean(scope.r, [...at, 'read_only'], map.read_only) ?? false;
  if (target === undefined) {
    scope.r.error(at, 'expected a "target" (the path inside the container), got none');
    return undefined;
  }
  if (type === 'tmpfs') return { type: 'tmpfs', source: '', target, readOnly };
  if (type === 'bind') {
    const source = readString(scope.r, [...at, 'source'], map.source);
    if (source === undefined) {
      scope.r.error(at, 'expected a "source" (the host path), got none');
      return undefined;
    }
    if (!bindOptionsHonoured(scope, [...at, 'bind'], map.bind)) return undefined;
    return bind(scope, [...at, 'source'], source, target, readOnly);
  }
  if (type !== 'volume') {
    scope.r.error([...at, 'type'], `mount type "${type}" is not supported: expected volume or tmpfs`, { code: 'unsupported' });
    return undefined;
  }
  const source = readString(scope.r, [...at, 'source'], map.source);
  if (source === undefined) return anonymous(scope, at, target);
  return named(scope, at, source, target, readOnly);
}

function named(scope: ServiceScope, at: Path, source: string, target: string, readOnly: boolean): Mount | RepositoryFile | undefined {
  if (source.startsWith('/') || source.startsWith('.') || source.startsWith('~')) return bind(scope, at, source, target, readOnly);
  if (!target.startsWith('/')) {
    scope.r.error(at, `expected an absolute path inside the container, got ${describeValue(target)}`);
    return undefined;
  }
  if (!scope.volumes.has(source)) {
    scope.r.error(at, `service "${scope.name}" mounts volume "${source}", which is not declared in the top-level volumes`, {
      code: 'undefined-volume',
      hint: `add it: volumes: { ${source}: {} }`,
    });
    return undefined;
  }
  return { type: 'volume', source, target, readOnly };
}

/**
 * An absolute host path (whether the agent allows it is checked once the job is
 * rendered: host-paths.ts), or a file of the repository mounted read-only.
 */
function bind(scope: ServiceScope, at: Path, source: string, target: string, readOnly: boolean): Mount | RepositoryFile | undefined {
  if (!target.startsWith('/')) {
    scope.r.error(at, `expected an absolute path inside the container, got ${describeValue(target)}`);
    return undefined;
  }
  if (source.startsWith('/')) return { type: 'bind', source, target, readOnly };
  if (source.startsWith('~')) {
    scope.r.error(at, `a host path in a home folder (${source}) is refused: it would be the home of the agent's user, on the agent's host`, {
      code: 'unsupported',
      hint: 'use a named volume (top-level volumes) for data, or an absolute path under a directory the agent allows (allow-host-path)',
    });
    return undefined;
  }
  if (!readOnly) {
    const resolved = resolveInTree(scope.dir, source);
    const aFile = !('error' in resolved) && scope.readFile(resolved.path) !== undefined;
    scope.r.error(at, `a relative host path (${source}) mounted read-write is refused: Compose reads it from the file's folder, which for deckhand is a checkout of one revision, not a place on the host that lasts, so what the container writes there would be lost`, {
      code: 'unsupported',
      hint: aFile
        ? `to mount the repository's file as it is at the revision deployed, mount it read-only ("${source}:${target}:ro"); for data, use a named volume (top-level volumes)`
        : 'use a named volume (top-level volumes) for data; deckhand mounts single files of the repository read-only ("./file:/path:ro"), never a folder',
    });
    return undefined;
  }
  return repositoryFile(scope, at, source, target);
}

/** A file of the repository, mounted read-only: its content at the revision rendered, as a config's. */
function repositoryFile(scope: ServiceScope, at: Path, source: string, target: string): RepositoryFile | undefined {
  const read = readRepositoryFile(scope.r, at, scope.dir, source, scope, `the file "${source}"`, 'deckhand mounts files of the repository only');
  if (!read) return undefined;
  if (read.text === undefined) {
    scope.r.error(at, `"${source}" is not a file of the repository, or not UTF-8 text (looked for ${read.path}); deckhand mounts single files of the repository read-only, never a folder`, {
      code: 'missing-file',
      hint: 'add the file to the repository; for a folder, mount each of its files, or build them into the image',
    });
    return undefined;
  }
  const content = withinLimit(scope.r, at, read.text, 'build larger files into the image, or mount them from a named volume');
  if (content === undefined) return undefined;
  // The tree keeps no file modes: a script (`./entrypoint.sh:/entrypoint.sh:ro`) is known by its `#!` and stays executable.
  return { file: { target, content, mode: content.startsWith('#!') ? 0o555 : 0o444, sensitive: false }, at };
}

/**
 * The long syntax's `bind:` options: deckhand mounts the path as it is (private
 * propagation, no SELinux relabelling) and never creates it on the host.
 */
function bindOptionsHonoured(scope: ServiceScope, at: Path, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  const map = readMap(scope.r, at, value);
  if (!map) return false;
  let honoured = true;
  for (const [key, option] of Object.entries(map)) {
    const asIs = (key === 'create_host_path' && option === false) || (key === 'propagation' && (option === 'rprivate' || option === 'private'));
    if (asIs) continue;
    scope.r.error([...at, key], `bind option ${key}: ${describeValue(option)} is not supported: deckhand mounts the host path as it is, and never creates it`, { code: 'unsupported', hint: `remove ${key}` });
    honoured = false;
  }
  return honoured;
}

function anonymous(scope: ServiceScope, at: Path, target: string): undefined {
  scope.r.error(at, `an anonymous volume at ${target} would be a new, empty one for every container, its data lost on the next update`, {
    code: 'unsupported',
    hint: `name it: "data:${target}", with volumes: { data: {} } at the top level`,
  });
  return undefined;
}
