// Paths of files a compose file refers to, relative to the tree's root: the job
// sees only the tree (render is pure), so absolute paths and paths that leave it
// cannot be read.
import { posix } from 'node:path';

/** The folder holding a file: `apps/web/docker-compose.yml` → `apps/web`; '' at the root. */
export function folderOf(file: string): string {
  const cut = file.lastIndexOf('/');
  return cut < 0 ? '' : file.slice(0, cut);
}

/** A path relative to `dir`, resolved against the tree's root; an error text when it cannot be read. */
export function resolveInTree(dir: string, relative: string): { path: string } | { error: string } {
  if (relative.startsWith('/') || relative.startsWith('~') || /^[A-Za-z]:[\\/]/.test(relative)) {
    return { error: `expected a path relative to the compose file's folder, got the absolute path ${JSON.stringify(relative)}` };
  }
  const path = posix.normalize(posix.join(dir || '.', relative));
  if (path === '..' || path.startsWith('../')) {
    return { error: `expected a path inside the repository, got ${JSON.stringify(relative)}, which leads out of it` };
  }
  return { path };
}
