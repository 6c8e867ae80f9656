// The job's named volumes: made by deckhand (labelled, named `deckhand-<job>-<name>`)
// the first time a container mounts them, and removed only on `stop --purge
// --volumes`: data outlives every container, version and agent. An external volume
// must exist. An allocation's own volumes (Kubernetes emptyDir) are made when it is
// placed, shared by its tasks, and removed with it.
import type Docker from 'dockerode';
import { dockerVolumeName } from '../../model/index.js';
import type { JobVolume, Mount, Task } from '../../model/index.js';
import { PlacementError } from '../driver.js';
import type { VolumePurge } from '../driver.js';
import { statusOf } from './engine-error.js';
import { scopeOf } from './labels.js';

export const volumeLabel = { volume: 'deckhand.volume', job: 'deckhand.job', scope: 'deckhand.scope', alloc: 'deckhand.alloc', allocVolume: 'deckhand.alloc-volume' } as const;

/** An allocation's own volume: `deckhand-alloc-<alloc id, 12>-<name>`, with the agent's suffix. */
export function allocVolumeName(allocId: string, name: string, suffix: string): string {
  return `deckhand-alloc-${allocId.slice(0, 12)}-${name}${suffix}`;
}


/** The job's volume a mount names; one the job does not declare (an older job) is deckhand's own. */
export function declaredVolume(volumes: JobVolume[], source: string): JobVolume {
  return volumes.find((v) => v.name === source) ?? { name: source, dockerName: null, external: false, driverOpts: {} };
}

/** The Docker volume a mount uses: an external one by its own name, one deckhand makes with the agent's suffix. */
export function volumeNameOf(jobId: string, volumes: JobVolume[], source: string, suffix: string): string {
  const declared = declaredVolume(volumes, source);
  return declared.external ? dockerVolumeName(jobId, declared) : `${dockerVolumeName(jobId, declared)}${suffix}`;
}

/** The task's mounts as Docker's HostConfig.Mounts. */
export function dockerMounts(jobId: string, volumes: JobVolume[], task: Task, suffix: string, allocId: string): Docker.MountSettings[] {
  return (task.mounts ?? []).map((mount: Mount): Docker.MountSettings => {
    switch (mount.type) {
      case 'tmpfs':
        return { Type: 'tmpfs', Source: '', Target: mount.target, ReadOnly: mount.readOnly };
      // The agent checked the path against its allow-host-path when the job was rendered.
      case 'bind':
        return { Type: 'bind', Source: mount.source, Target: mount.target, ReadOnly: mount.readOnly };
      case 'empty':
        return { Type: 'volume', Source: allocVolumeName(allocId, mount.source, suffix), Target: mount.target, ReadOnly: mount.readOnly };
      case 'volume':
        return { Type: 'volume', Source: volumeNameOf(jobId, volumes, mount.source, suffix), Target: mount.target, ReadOnly: mount.readOnly };
    }
  });
}

export class VolumeManager {
  constructor(
    private readonly docker: Docker,
    private readonly extraLabels: Record<string, string>,
    private readonly suffix: string,
  ) {}

  /** Makes the volumes the task mounts that do not exist yet; an external one missing is the placement's error. */
  async ensure(jobId: string, volumes: JobVolume[], task: Task, allocId: string): Promise<void> {
    for (const mount of task.mounts ?? []) {
      if (mount.type === 'empty') await this.ensureAllocVolume(jobId, allocId, mount.source);
      if (mount.type !== 'volume') continue;
      const declared = declaredVolume(volumes, mount.source);
      const name = volumeNameOf(jobId, volumes, mount.source, this.suffix);
      if (await this.exists(name)) continue;
      if (declared.external) {
        throw new PlacementError(`volume "${name}" is external (the job mounts it, never creates it) and does not exist; create it with: docker volume create ${name}`);
      }
      // Creating a volume that exists meanwhile returns it: two placements at once are fine.
      await this.docker.createVolume({
        Name: name,
        Driver: 'local',
        DriverOpts: declared.driverOpts,
        Labels: { ...this.extraLabels, [volumeLabel.volume]: mount.source, [volumeLabel.job]: jobId, [volumeLabel.scope]: scopeOf(this.extraLabels) },
      });
    }
  }

  private async ensureAllocVolume(jobId: string, allocId: string, name: string): Promise<void> {
    const volume = allocVolumeName(allocId, name, this.suffix);
    if (await this.exists(volume)) return;
    await this.docker.createVolume({
      Name: volume,
      Driver: 'local',
      Labels: { ...this.extraLabels, [volumeLabel.allocVolume]: name, [volumeLabel.alloc]: allocId, [volumeLabel.job]: jobId, [volumeLabel.scope]: scopeOf(this.extraLabels) },
    });
  }

  /** Removes an allocation's own volumes, once its containers are gone; one still in use (a container left) stays. */
  async releaseAllocation(allocId: string): Promise<void> {
    const filters = { label: [`${volumeLabel.alloc}=${allocId}`, `${volumeLabel.scope}=${scopeOf(this.extraLabels)}`] };
    const { Volumes: listed } = await this.docker.listVolumes({ filters });
    for (const volume of listed ?? []) {
      await this.docker.getVolume(volume.Name).remove().catch((error: unknown) => {
        if (![404, 409].includes(statusOf(error) ?? 0)) throw error;
      });
    }
  }

  /**
   * The volumes among `dockerNames` (model dockerVolumeName; the agent's suffix is
   * added) that deckhand made (labelled, in this agent's scope), removed when
   * `remove` is set. One a container still uses is kept, and those in `keep` (name →
   * why). Never one it did not make.
   */
  async purge(dockerNames: string[], remove: boolean, keep: Record<string, string> = {}): Promise<VolumePurge> {
    const result: VolumePurge = { removed: [], kept: [] };
    for (const unscoped of new Set(dockerNames)) {
      const name = `${unscoped}${this.suffix}`;
      let info: { Name?: string; Labels?: Record<string, string> | null };
      try {
        info = (await this.docker.getVolume(name).inspect()) as typeof info;
      } catch (error) {
        if (statusOf(error) === 404) continue;
        throw error;
      }
      if (info.Name !== name || info.Labels?.[volumeLabel.volume] === undefined || info.Labels[volumeLabel.scope] !== scopeOf(this.extraLabels)) continue;
      if (!remove || keep[unscoped] !== undefined) {
        result.kept.push({ name, why: keep[unscoped] ?? 'kept' });
        continue;
      }
      try {
        await this.docker.getVolume(name).remove();
        result.removed.push(name);
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) continue;
        if (status === 409) result.kept.push({ name, why: 'a container still uses it' });
        else throw error;
      }
    }
    return result;
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }
}
