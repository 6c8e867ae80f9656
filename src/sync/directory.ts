// Reads a folder on disk into a SourceTree for render: the edge where files become values.
// A link counts as the file it leads to, but only inside the folder, as the agent's
// Git sync reads a repository: a link to /etc/passwd is never read, and the tree
// says where it leads so that render can refuse it by name.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { SourceTree } from '../model/index.js';
import { maxJobFileBytes as maxFileBytes } from '../model/index.js';
import { isFileKept, isSkippedFolder, keptBytes } from './file-limits.js';

export async function readDirectoryTree(root: string): Promise<SourceTree> {
  const absolute = resolve(root);
  const files = new Map<string, Uint8Array>();
  const refused = new Map<string, string>();
  await walk(absolute, await realpath(absolute), files, refused);
  return { rootName: basename(absolute), files, ...(refused.size ? { refused: sortedMap(refused) } : {}) };
}

/** Whether a resolved path is a resolved folder or lies inside it. */
function isInside(realRoot: string, realPath: string): boolean {
  const rel = relative(realRoot, realPath);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function sortedMap<V>(map: Map<string, V>): Map<string, V> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The tree around one file, for rendering that file alone: its folder is the root,
 * and other files (`.env`, an `env_file`) are read only when the renderer asks,
 * rather than walking a folder that may be large.
 */
export function treeAroundFile(file: string): { tree: SourceTree; path: string } {
  const absolute = resolve(file);
  const root = dirname(absolute);
  const files = new LazyFiles(root);
  const path = basename(absolute);
  files.get(path);
  // `refused` fills as files are asked for: it is complete for whatever render read.
  return { tree: { rootName: basename(root), files, refused: files.refused }, path };
}

class LazyFiles extends Map<string, Uint8Array> {
  /** Links asked for that lead outside the root, with where they lead. */
  readonly refused = new Map<string, string>();
  private realRoot: string | null = null;

  constructor(private readonly root: string) {
    super();
  }

  override get(path: string): Uint8Array | undefined {
    if (!super.has(path)) {
      const absolute = join(this.root, path);
      // Only files inside the root, as in a checkout.
      if (relative(this.root, absolute).startsWith('..') || !existsSync(absolute)) return undefined;
      const real = realpathSync(absolute);
      this.realRoot ??= realpathSync(this.root);
      if (!isInside(this.realRoot, real)) {
        this.refused.set(path, real);
        return undefined;
      }
      if (!statSync(real).isFile()) return undefined;
      const bytes = readFileSync(real);
      super.set(path, bytes.subarray(0, maxFileBytes + 1));
    }
    return super.get(path);
  }

  override has(path: string): boolean {
    return this.get(path) !== undefined;
  }
}

/** Files read at once: enough to keep libuv's thread pool busy, few enough to stay far below open-file limits. */
const concurrentReads = 32;

async function walk(root: string, realRoot: string, files: Map<string, Uint8Array>, refused: Map<string, string>): Promise<void> {
  const candidates: Candidate[] = [];
  await listFiles(root, root, candidates);
  // One open, fstat and read per file, many at a time: a folder of 1,000 small files
  // costs a few milliseconds rather than four thread-pool round trips per file in turn.
  const read = new Array<Uint8Array | null>(candidates.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const index = next++;
      read[index] = await readKept(candidates[index]!, realRoot, refused);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrentReads, candidates.length) }, worker));
  // In walking order, whichever read finished first.
  candidates.forEach(({ rel }, index) => {
    const bytes = read[index];
    if (bytes) files.set(rel, bytes);
  });
}

interface Candidate {
  path: string;
  rel: string;
  link: boolean;
}

async function listFiles(root: string, dir: string, found: Candidate[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!isSkippedFolder(entry.name)) await listFiles(root, path, found);
      continue;
    }
    // A symbolic link to a file counts as the file; links to folders are not followed (no loops).
    if (entry.isFile() || entry.isSymbolicLink()) found.push({ path, rel: relative(root, path).split(sep).join('/'), link: entry.isSymbolicLink() });
  }
}

/**
 * The bytes render needs of one file (the first ones: enough to see that a job
 * file is too large without loading all of it); null for what is not a regular
 * file (a link to a folder, a broken link) or not kept at its size.
 */
async function readKept({ path, rel, link }: Candidate, realRoot: string, refused: Map<string, string>): Promise<Uint8Array | null> {
  if (link) {
    const target = await realpath(path).catch(() => null);
    // A broken link or a loop: not part of the folder.
    if (target === null) return null;
    if (!isInside(realRoot, target)) {
      refused.set(rel, target);
      return null;
    }
  }
  // What a link points to is looked at before opening it: opening a named pipe would wait for a writer.
  if (link && !(await stat(path).catch(() => null))?.isFile()) return null;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    // A broken link, or a file removed while walking: not part of the folder.
    if (['ENOENT', 'ELOOP'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || !isFileKept(rel, info.size)) return null;
    const size = keptBytes(info.size);
    const buffer = Buffer.alloc(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return buffer.subarray(0, offset);
  } finally {
    await handle.close();
  }
}
