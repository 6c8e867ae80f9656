// A pod's `volumes` and its containers' `volumeMounts` → the job's named volumes and
// each task's mounts:
// - persistentVolumeClaim: a named Docker volume per claim, `deckhand-k8s-<namespace>-<claim>`,
//   shared by the namespace's Deployments naming the claim, as a claim is; made on first
//   use and kept across updates, rollbacks and agent restarts;
// - emptyDir: a volume of the allocation's own, shared by its containers and gone
//   with it (`medium: Memory`: a tmpfs, which a container cannot share, so one
//   mounted by two containers is refused);
// - hostPath: a bind mount, which the agent allows only under its allow-host-path;
// - secret and configMap: files from the repository's manifests (config-refs.ts);
// - the other kinds are refused.
import type { JobVolume, Mount } from '../../model/index.js';
import type { YamlPath } from '../yaml/document.js';
import type { ManifestReader } from './reader.js';

const volumeKinds = ['persistentVolumeClaim', 'emptyDir', 'hostPath'] as const;
type VolumeKind = (typeof volumeKinds)[number];

interface PodVolume {
  kind: VolumeKind;
  /** The claim's name (persistentVolumeClaim), the host path (hostPath), '' (emptyDir). */
  source: string;
  memory: boolean;
  readOnly: boolean;
  /** The entry in the pod's `volumes`, and where its source is (a hostPath's path). */
  path: YamlPath;
  sourcePath: YamlPath;
}

/** The pod's volumes by name, and which container mounted each emptyDir first. */
export interface PodVolumes {
  byName: Map<string, PodVolume>;
  emptyDirOwners: Map<string, string>;
  namespace: string;
  /** The named volumes mounted so far: the job's `volumes`. */
  jobVolumes: JobVolume[];
  /** Volumes with an error of their own (a refused kind): their mounts say nothing more. */
  refused: Set<string>;
}

const hostPathTypes = new Set(['', 'Directory', 'File', 'Socket', 'CharDevice', 'BlockDevice']);

export function readPodVolumes(reader: ManifestReader, podSpec: YamlPath, namespace: string): PodVolumes {
  const volumes: PodVolumes = { byName: new Map(), emptyDirOwners: new Map(), namespace, jobVolumes: [], refused: new Set() };
  const path = [...podSpec, 'volumes'];
  (reader.list(path) ?? []).forEach((_, i) => {
    const item = [...path, i];
    const map = reader.mapping(item);
    if (!map) return;
    const name = reader.string([...item, 'name']);
    if (name === undefined) {
      if (!reader.has([...item, 'name'])) reader.missing([...item, 'name'], 'a volume needs a name, which volumeMounts use');
      return;
    }
    if (volumes.byName.has(name)) {
      reader.error([...item, 'name'], `volume "${name}" is defined twice`, { code: 'duplicate' });
      return;
    }
    const kinds = Object.keys(map).filter((key) => key !== 'name');
    // Secret and configMap volumes are files from the repository's manifests (config-refs.ts).
    if (kinds.length === 1 && (kinds[0] === 'secret' || kinds[0] === 'configMap')) return;
    const kind = kinds.find((k): k is VolumeKind => (volumeKinds as readonly string[]).includes(k));
    if (kind === undefined || kinds.length !== 1) {
      const other = kinds.find((k) => !(volumeKinds as readonly string[]).includes(k));
      reader.error(other ? [...item, other] : item, other ? `${other} volumes are not supported` : 'expected one volume source (persistentVolumeClaim, emptyDir, hostPath, secret or configMap)', {
        code: 'unsupported',
        part: other ? 'key' : 'value',
        hint: 'use a persistentVolumeClaim (a named volume), an emptyDir, a hostPath, or a secret or configMap of the repository',
      });
      volumes.refused.add(name);
      return;
    }
    const volume = readSource(reader, [...item, kind], kind);
    if (volume) volumes.byName.set(name, { ...volume, path: item });
    else volumes.refused.add(name);
  });
  return volumes;
}

function readSource(reader: ManifestReader, at: YamlPath, kind: VolumeKind): Omit<PodVolume, 'path'> | undefined {
  if (reader.has(at) && !reader.mapping(at)) return undefined;
  switch (kind) {
    case 'persistentVolumeClaim': {
      const claim = reader.string([...at, 'claimName']);
      if (claim === undefined) {
        if (!reader.has([...at, 'claimName'])) reader.missing([...at, 'claimName'], 'a persistentVolumeClaim volume needs a claimName');
        return undefined;
      }
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(claim)) {
        reader.expected([...at, 'claimName'], 'a claim name of lowercase letters, digits, "-" and "."');
        return undefined;
      }
      return { kind, source: claim, memory: false, readOnly: reader.boolean([...at, 'readOnly']) ?? false, sourcePath: [...at, 'claimName'] };
    }
    case 'emptyDir': {
      const medium = reader.string([...at, 'medium']) ?? '';
      if (medium !== '' && medium !== 'Memory') {
        reader.expected([...at, 'medium'], '"" (the disk) or "Memory"');
        return undefined;
      }
      if (reader.has([...at, 'sizeLimit'])) {
        reader.error([...at, 'sizeLimit'], 'sizeLimit is not supported: deckhand does not limit a volume\'s size', { code: 'unsupported', part: 'key', hint: 'remove sizeLimit' });
        return undefined;
      }
      return { kind, source: '', memory: medium === 'Memory', readOnly: false, sourcePath: at };
    }
    case 'hostPath': {
      const hostPath = reader.string([...at, 'path']);
      if (hostPath === undefined) {
        if (!reader.has([...at, 'path'])) reader.missing([...at, 'path'], 'a hostPath volume needs a path');
        return undefined;
      }
      const type = reader.string([...at, 'type']) ?? '';
      if (!hostPathTypes.has(type)) {
        reader.error([...at, 'type'], `hostPath type "${type}" is not supported: deckhand never creates host paths`, { code: 'unsupported', hint: 'create the path on the host, and use type "Directory" or "File"' });
        return undefined;
      }
      if (!hostPath.startsWith('/')) {
        reader.expected([...at, 'path'], 'an absolute host path');
        return undefined;
      }
      return { kind, source: hostPath, memory: false, readOnly: false, sourcePath: [...at, 'path'] };
    }
  }
}

/** A container's `volumeMounts`, each naming a pod volume; `task` is its model path. */
/** `fileVolumes`: the pod's secret and configMap volumes, whose mounts config-refs.ts reads. */
export function mapVolumeMounts(reader: ManifestReader, container: YamlPath, containerName: string | undefined, task: string, volumes: PodVolumes, fileVolumes: ReadonlySet<string>): Mount[] {
  const path = [...container, 'volumeMounts'];
  const mounts: Mount[] = [];
  (reader.list(path) ?? []).forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) return;
    const name = reader.string([...item, 'name']);
    if (name !== undefined && fileVolumes.has(name)) return;
    const target = reader.string([...item, 'mountPath']);
    if (!reader.has([...item, 'name'])) reader.missing([...item, 'name'], 'a volumeMount names a volume of the pod');
    if (!reader.has([...item, 'mountPath'])) reader.missing([...item, 'mountPath'], 'a volumeMount needs a mountPath');
    for (const option of ['subPath', 'subPathExpr']) {
      if (reader.has([...item, option])) reader.error([...item, option], `${option} is not supported: the whole volume is mounted`, { code: 'unsupported', part: 'key', hint: `remove ${option}, or mount the volume at a path of its own` });
    }
    const propagation = reader.string([...item, 'mountPropagation']);
    if (propagation !== undefined && propagation !== 'None') {
      reader.error([...item, 'mountPropagation'], `mountPropagation "${propagation}" is not supported: volumes are mounted private`, { code: 'unsupported', hint: 'remove mountPropagation' });
    }
    if (name === undefined || target === undefined) return;
    if (!target.startsWith('/')) {
      reader.expected([...item, 'mountPath'], 'an absolute path inside the container');
      return;
    }
    const volume = volumes.byName.get(name);
    if (!volume && volumes.refused.has(name)) return;
    if (!volume) {
      reader.error([...item, 'name'], `volume "${name}" is not defined in the pod's volumes`, { code: 'undefined-volume' });
      return;
    }
    if (mounts.some((m) => m.target === target)) {
      reader.error([...item, 'mountPath'], `two mounts at ${target}`, { code: 'duplicate' });
      return;
    }
    const readOnly = (reader.boolean([...item, 'readOnly']) ?? false) || volume.readOnly;
    const mount = mountOf(reader, volume, name, containerName, target, readOnly, [...item, 'name'], volumes);
    if (!mount) return;
    // A host path is judged where the pod names it.
    reader.record(`${task}.mounts.${mounts.length}`, mount.type === 'bind' ? volume.sourcePath : item);
    mounts.push(mount);
  });
  return mounts;
}

function mountOf(reader: ManifestReader, volume: PodVolume, name: string, containerName: string | undefined, target: string, readOnly: boolean, at: YamlPath, volumes: PodVolumes): Mount | undefined {
  switch (volume.kind) {
    case 'persistentVolumeClaim': {
      if (!volumes.jobVolumes.some((v) => v.name === volume.source)) {
        volumes.jobVolumes.push({ name: volume.source, dockerName: `deckhand-k8s-${volumes.namespace}-${volume.source}`, external: false, driverOpts: {} });
      }
      return { type: 'volume', source: volume.source, target, readOnly };
    }
    case 'hostPath':
      return { type: 'bind', source: volume.source, target, readOnly };
    case 'emptyDir': {
      if (!volume.memory) return { type: 'empty', source: name, target, readOnly };
      const owner = volumes.emptyDirOwners.get(name);
      if (owner !== undefined) {
        reader.error(at, `emptyDir "${name}" (medium: Memory) is already mounted by container "${owner}": each mount would be a tmpfs of its own`, {
          code: 'unsupported',
          hint: 'drop medium: Memory to share it (a volume of the allocation), or give each container its own emptyDir',
        });
        return undefined;
      }
      volumes.emptyDirOwners.set(name, containerName ?? '');
      return { type: 'tmpfs', source: '', target, readOnly };
    }
  }
}
