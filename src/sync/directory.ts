// Reads a folder on disk into a SourceTree for render: the edge where files become values.
import { lstat, open, readdir } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { formatByName } from '../render/discover.js';
import type { SourceTree } from '../render/tree.js';
import { maxFileBytes } from '../render/tree.js';

/** Folders that never hold job files and may be huge. */
const skippedFolders = new Set(['.git', 'node_modules']);

/** Files that are not job files are read only when small (env files, var files). */
const maxOtherFileBytes = 256 * 1024;

export async function readDirectoryTree(root: string): Promise<SourceTree> {
  const absolute = resolve(root);
  const files = new Map<string, Uint8Array>();
  await walk(absolute, absolute, files);
  return { rootName: basename(absolute), files };
}

async function walk(root: string, dir: string, files: Map<string, Uint8Array>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name)) await walk(root, path, files);
      continue;
    }
    if (!entry.isFile()) continue;
    const rel = relative(root, path).split(sep).join('/');
    const { size } = await lstat(path);
    if (formatByName(rel) === null && size > maxOtherFileBytes) continue;
    files.set(rel, await readPrefix(path, Math.min(size, maxFileBytes + 1)));
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
