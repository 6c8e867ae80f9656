// The agent's allow-list of host paths (allow-host-path), as render checks bind
// mounts against it: the allowed directories with their links resolved once at
// start, and a view of the host that follows a mount's links at each check.
import { realpathSync } from 'node:fs';
import type { HostPathPolicy } from '../render/index.js';

/** Throws when an allowed directory does not exist: the operator named it, so a typo must not pass unseen. */
export function hostPathPolicy(allowed: readonly string[]): HostPathPolicy {
  const resolved = allowed.map((dir) => {
    try {
      return realpathSync(dir);
    } catch (error) {
      throw new Error(`allow-host-path ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`, { cause: error });
    }
  });
  if (resolved.includes('/')) throw new Error(`allow-host-path ${allowed[resolved.indexOf('/')]}: it leads to "/", which would let any job file mount every file of the host`);
  return { allowed: [...new Set(resolved)], realpath };
}

function realpath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
