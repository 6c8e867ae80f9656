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

async function walk(root: string, dir: string, files: Map<string, Uint8Array>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!isSkippedFolder(entry.name)) await walk(root, path, files);
      continue;
    }
    // A symbolic link to a file counts as the file; links to folders are not followed (no loops).
    const info = entry.isFile() ? null : entry.isSymbolicLink() ? await stat(path).catch(() => null) : null;
    if (!entry.isFile() && !info?.isFile()) continue;
    const rel = relative(root, path).split(sep).join('/');
    const size = info?.size ?? (await stat(path)).size;
    if (!isFileKept(rel, size)) continue;
    files.set(rel, await readPrefix(path, keptBytes(size)));
  }
}

/** Reads the first `size` bytes: enough for render to see that a job file is too large without loading all of it. */
async function readPrefix(path: string, size: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
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
