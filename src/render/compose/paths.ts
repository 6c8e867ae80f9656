// Paths of files a compose file refers to, relative to the tree's root: the job
// sees only the tree (render is pure), so absolute paths and paths that leave it
// cannot be read.
import { posix } from 'node:path';
import { linkOutsideMessage } from '../links.js';
import type { Path, Reporter } from './report.js';

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

/** How a compose file's renderer reaches the other files of the tree. */
export interface TreeFiles {
  readFile(path: string): string | undefined;
  linkOutside?(path: string): string | undefined;
}

/**
 * A file of the repository a compose file names relative to its folder (an env
 * file, a secret's or config's file, a file mounted read-only). Undefined once an
 * error is reported (a path out of the repository, a link leading out of it);
 * `text` undefined when no such text file exists, which the caller reports in its own words.
 */
export function readRepositoryFile(r: Reporter, at: Path, dir: string, relative: string, files: TreeFiles, what: string, outsideHint?: string): { path: string; text: string | undefined } | undefined {
  const resolved = resolveInTree(dir, relative);
  if ('error' in resolved) {
    r.error(at, resolved.error, outsideHint ? { hint: outsideHint } : {});
    return undefined;
  }
  const text = files.readFile(resolved.path);
  const target = text === undefined ? files.linkOutside?.(resolved.path) : undefined;
  if (target !== undefined) {
    r.error(at, linkOutsideMessage(what, target), { code: 'link-outside', hint: "copy the file into the job's folder" });
    return undefined;
  }
  return { path: resolved.path, text };
}
