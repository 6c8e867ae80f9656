// What every part of a service's mapping needs: where to report, where to record
// the origin of each model field, and the file's surroundings.
import type { Endpoint, JobNetwork, JobVolume } from '../../model/index.js';
import type { FieldMap } from '../types.js';
import type { Lookup } from './interpolate.js';
import type { Path, Reporter } from './report.js';

/** A top-level network as read, before knowing whether any service joins it (networks.ts). */
export interface DeclaredNetwork {
  network: JobNetwork;
  path: Path;
}

/** Declared networks by their name in the file; `default` is there whether declared or not. */
export type DeclaredNetworks = Map<string, DeclaredNetwork>;

/** The file's top-level volumes by name, and where each was declared (volumes.ts). */
export type DeclaredVolumes = Map<string, { volume: JobVolume; path: Path }>;

/**
 * The top-level secrets and configs by name, each read when a service first mounts it
 * (an unused one whose file is missing is no error, as in Compose): its content, or
 * undefined when it has an error, reported where it is declared (secrets.ts).
 */
export type DeclaredFiles = Record<'secrets' | 'configs', Map<string, () => string | undefined>>;

export interface ServiceScope {
  r: Reporter;
  fields: FieldMap;
  /** The service's path in the file: `['services', 'web']`. */
  path: Path;
  name: string;
  /** The group's path in the model: `groups.0`. */
  group: string;
  /** The project environment: the process environment, then the `.env` file. */
  lookup: Lookup;
  /** Folder of the compose file, relative to the tree's root ('' at the root). */
  dir: string;
  readFile(path: string): string | undefined;
  /** Where a file not read leads, when it is a link out of the tree. */
  linkOutside?(path: string): string | undefined;
  /** The file's top-level networks, which services may join. */
  networks: DeclaredNetworks;
  /** The file's top-level volumes, which services may mount. */
  volumes: DeclaredVolumes;
  /** Every service of the file, which `depends_on` may name. */
  serviceNames: ReadonlySet<string>;
  /** The job's endpoints so far: each service adds those its published ports make. */
  endpoints: Endpoint[];
  /** The file's top-level secrets and configs, which services may mount. */
  files?: DeclaredFiles;
}

/** Records that a model path was set from a place in the file. */
export function record(scope: ServiceScope, modelPath: string, filePath: Path, part: 'key' | 'value' = 'value'): void {
  scope.fields.set(modelPath, scope.r.origin(filePath, part));
}

/** The task's model path: a compose service holds exactly one task. */
export function taskPath(scope: ServiceScope): string {
  return `${scope.group}.tasks.0`;
}
