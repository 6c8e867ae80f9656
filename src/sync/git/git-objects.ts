// Reading a Git object database with isomorphic-git: the part a remote clone and
// a local repository share. Everything here reads objects, never a working tree,
// so what it sees is exactly what was committed.
import git from 'isomorphic-git';
import type { PromiseFsClient, ReadCommitResult } from 'isomorphic-git';
import { keptBytes } from '../file-limits.js';
import { gitFs } from './git-fs.js';
import { GenerationalMemo } from './object-memo.js';

export interface TreeEntryRef {
  oid: string;
  /** Six-digit octal mode, as Git stores it (`040000` for a tree). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
}

export type NamedTreeEntry = TreeEntryRef & { path: string };

/** A blob as sync keeps it: its first bytes (all render may read) and its full size. */
export interface BlobPrefix {
  bytes: Uint8Array;
  size: number;
}

/** Parsed objects by id, kept across syncs of one repository (objects are immutable). */
export interface ObjectMemo {
  trees: GenerationalMemo<NamedTreeEntry[]>;
  blobs: GenerationalMemo<BlobPrefix>;
}

export function newObjectMemo(): ObjectMemo {
  return { trees: new GenerationalMemo(), blobs: new GenerationalMemo() };
}

export interface GitObjects {
  fs: PromiseFsClient;
  /** The `.git` folder (or a bare repository). */
  gitdir: string;
  /** isomorphic-git's cache: parsed pack indexes. Renewed when packs may have been replaced. */
  cache: object;
  memo: ObjectMemo;
}

export function openObjects(gitdir: string, memo: ObjectMemo = newObjectMemo()): GitObjects {
  return { fs: gitFs, gitdir, cache: {}, memo };
}

export const emptyTreeOid = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export const fileModes = { tree: '040000', file: '100644', executable: '100755', symlink: '120000', submodule: '160000' } as const;

export function readCommit(objects: GitObjects, sha: string): Promise<ReadCommitResult> {
  return git.readCommit({ fs: objects.fs, gitdir: objects.gitdir, oid: sha, cache: objects.cache });
}

export async function hasCommit(objects: GitObjects, sha: string): Promise<boolean> {
  try {
    await readCommit(objects, sha);
    return true;
  } catch {
    return false;
  }
}

export async function readTreeEntries(objects: GitObjects, treeOid: string): Promise<NamedTreeEntry[]> {
  const known = objects.memo.trees.get(treeOid);
  if (known) return known;
  const { tree } = await git.readTree({ fs: objects.fs, gitdir: objects.gitdir, oid: treeOid, cache: objects.cache });
  const entries = tree.map((entry) => ({ path: entry.path, oid: entry.oid, mode: normalizeMode(entry.mode), type: entry.type }));
  objects.memo.trees.set(treeOid, entries);
  return entries;
}

/** A blob's first bytes (enough for render to refuse a file that is too large) and its size. */
export async function readBlobPrefix(objects: GitObjects, oid: string): Promise<BlobPrefix> {
  const known = objects.memo.blobs.get(oid);
  if (known) return known;
  const { blob } = await git.readBlob({ fs: objects.fs, gitdir: objects.gitdir, oid, cache: objects.cache });
  // A copy of just the prefix, so a large blob's full buffer is not kept alive.
  const prefix = { bytes: blob.slice(0, keptBytes(blob.length)), size: blob.length };
  objects.memo.blobs.set(oid, prefix);
  return prefix;
}

/**
 * The entry at a `/`-separated path inside a tree, or null when the path does not
 * exist. Missing paths are an answer; missing objects throw (corruption).
 */
export async function findEntry(objects: GitObjects, rootTreeOid: string, path: string): Promise<TreeEntryRef | null> {
  let current: TreeEntryRef = { oid: rootTreeOid, mode: fileModes.tree, type: 'tree' };
  for (const segment of splitPath(path)) {
    if (current.type !== 'tree') return null;
    const entries = await readTreeEntries(objects, current.oid);
    const next = entries.find((entry) => entry.path === segment);
    if (!next) return null;
    current = next;
  }
  return current;
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '' && segment !== '.');
}

/** `a/./b/` → `a/b`; '' for the root. */
export function normalizeRepoPath(path: string): string {
  return splitPath(path.replaceAll('\\', '/')).join('/');
}

// isomorphic-git reports trees as `040000` or `40000` depending on where they come from.
function normalizeMode(mode: string): string {
  return mode.padStart(6, '0');
}
