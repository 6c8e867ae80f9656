// Reads a folder on disk into a SourceTree for render: the edge where files become values.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { SourceTree } from '../render/tree.js';
import { maxFileBytes } from '../render/tree.js';
import { isFileKept, isSkippedFolder, keptBytes } from './file-limits.js';

export async function readDirectoryTree(root: string): Promise<SourceTree> {
  const absolute = resolve(root);
  const files = new Map<string, Uint8Array>();
  await walk(absolute, absolute, files);
  return { rootName: basename(absolute), files };
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
  return { tree: { rootName: basename(root), files }, path };
}

class LazyFiles extends Map<string, Uint8Array> {
  constructor(private readonly root: string) {
    super();
  }

  override get(path: string): Uint8Array | undefined {
    if (!super.has(path)) {
      const absolute = join(this.root, path);
      // Only files inside the root, as in a checkout.
      if (relative(this.root, absolute).startsWith('..') || !existsSync(absolute) || !statSync(absolute).isFile()) return undefined;
      const bytes = readFileSync(absolute);
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

async function walk(root: string, dir: string, files: Map<string, Uint8Array>): Promise<void> {
  const candidates: Candidate[] = [];
  await listFiles(root, dir, candidates);
  // One open, fstat and read per file, many at a time: a folder of 1,000 small files
  // costs a few milliseconds rather than four thread-pool round trips per file in turn.
  const read = new Array<Uint8Array | null>(candidates.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const index = next++;
      read[index] = await readKept(candidates[index]!);
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
async function readKept({ path, rel, link }: Candidate): Promise<Uint8Array | null> {
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
