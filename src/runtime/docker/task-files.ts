// A task's files (Compose secrets and configs, Kubernetes Secret and ConfigMap
// volumes, Nomad templates) on their way into its container: written under the
// agent's data directory, `<files>/<alloc id>/<task>/<n>`, in folders only the agent
// can enter (0700), each file with the task's mode, and bind-mounted read-only at its
// target. Removed with the allocation's containers.
//
// Why bind mounts rather than copying the files into the created container
// (putArchive): a copy lands in the container's writable layer, where the task may
// change it and `docker diff`, `export` and `commit` carry it, and it cannot be made
// at all into a read-only root filesystem. A bind mount is what Compose does for
// file secrets, stays read-only, and survives restarts of the container and of the
// engine. Its cost: the engine must see the agent's data directory at the same path
// (the local engine, which deckhand is made for).
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Job, Task } from '../../model/index.js';
import { PlacementError } from '../driver.js';

/** Allocation ids are UUIDs; anything else must never become a path. */
const safeId = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export class TaskFiles {
  /** `root`: where the files live (`<data dir>/files`); null: an agent without one, which refuses tasks with files. */
  constructor(private readonly root: string | null) {}

  /** Writes the task's files for the allocation (anew, when it is placed again) and returns their mounts. */
  write(allocId: string, taskIndex: number, task: Task): Docker.MountSettings[] {
    const files = task.files ?? [];
    if (files.length === 0) return [];
    if (this.root === null) throw new PlacementError(`task "${task.name}" has files to mount, and this driver has no data directory to write them in`);
    const dir = join(this.allocationDir(allocId), String(taskIndex));
    rmSync(dir, { recursive: true, force: true });
    for (const folder of [this.root, this.allocationDir(allocId), dir]) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      chmodSync(folder, 0o700);
    }
    return files.map((file, n) => {
      const path = join(dir, String(n));
      writeFileSync(path, file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : file.content, { mode: 0o600 });
      // After writing (the umask may have narrowed the mode given to open).
      chmodSync(path, file.mode & 0o777);
      return { Type: 'bind', Source: path, Target: file.target, ReadOnly: true };
    });
  }

  /**
   * Writes again the files of running allocations whose folder is gone (a lost or
   * replaced data directory), from the job their containers carry: a container the
   * engine restarts would otherwise fail on its missing bind source.
   */
  restore(allocations: ReadonlyArray<{ allocId: string; group: string; spec: string | null; inScope: boolean }>): void {
    if (this.root === null) return;
    const present = new Set(this.allocations());
    for (const allocation of allocations) {
      // Most jobs have no files: their spec is not even parsed.
      if (!allocation.inScope || present.has(allocation.allocId) || !allocation.spec?.includes('"files"')) continue;
      let job: Job;
      try {
        job = JSON.parse(allocation.spec) as Job;
      } catch {
        continue;
      }
      const group = job.groups?.find((g) => g.name === allocation.group);
      try {
        group?.tasks.forEach((task, index) => this.write(allocation.allocId, index, task));
      } catch {
        // A full disk or a bad spec: the next observation tries again; what runs keeps running.
        this.remove(allocation.allocId);
      }
    }
  }

  /** Removes the allocation's files; nothing there is fine. */
  remove(allocId: string): void {
    if (this.root === null || !safeId.test(allocId)) return;
    rmSync(this.allocationDir(allocId), { recursive: true, force: true });
  }

  /** Allocation ids that have files on disk. */
  allocations(): string[] {
    if (this.root === null) return [];
    try {
      return readdirSync(this.root).filter((name) => safeId.test(name));
    } catch {
      return [];
    }
  }

  private allocationDir(allocId: string): string {
    if (!safeId.test(allocId)) throw new PlacementError(`allocation id ${JSON.stringify(allocId)} cannot name a folder`);
    return join(this.root!, allocId);
  }
}
