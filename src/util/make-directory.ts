// `mkdir -p` that always ends. Node's own recursive mkdir loops forever at 100%
// CPU when a folder's parent exists but refuses new entries with ENOENT, as
// /proc and /sys do: it makes the parent (which exists), tries the folder again,
// gets ENOENT again, and so on. Here each level is made once.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
}

/** Makes `path` and its missing parents; throws a DirectoryError naming the folder and why. */
export function makeDirectory(path: string, mode?: number): void {
  const absolute = resolve(path);
  const missing: string[] = [];
  let current = absolute;
  // Up to the nearest folder that exists.
  for (;;) {
    const kind = kindOf(current);
    if (kind === 'directory') break;
    if (kind === 'other') throw new DirectoryError(`${absolute}: ${current} exists and is not a folder`);
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Made meanwhile by someone else: fine.
      if (code === 'EEXIST' && kindOf(folder) === 'directory') continue;
      const why = code === 'ENOENT' ? 'this file system does not allow new folders here' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
      throw new DirectoryError(`cannot create ${folder}${folder === absolute ? '' : ` (for ${absolute})`}: ${why}`, { cause: error });
    }
  }
}

function kindOf(path: string): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    // ENOTDIR: a parent is a file, reported when that parent is reached.
    if (code === 'ENOTDIR') return 'missing';
    throw new DirectoryError(`cannot look at ${path}: ${(error as Error).message}`, { cause: error });
  }
}
