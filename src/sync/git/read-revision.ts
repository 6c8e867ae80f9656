// One commit → a Revision: its metadata and the job folder's files, read from Git
// objects (never a working tree, so a half-written checkout is never seen).
import { posix } from 'node:path';
import type { SourceTree } from '../../model/index.js';
import { SyncError } from '../errors.js';
import { isFileKept, isSkippedFolder } from '../file-limits.js';
import type { GitObjects, TreeEntryRef } from './git-objects.js';
import { fileModes, findEntry, readBlobPrefix, readCommit, readTreeEntries } from './git-objects.js';
import type { Revision } from '../revision.js';

export interface ReadRevisionArgs {
  objects: GitObjects;
  sha: string;
  branch: string;
  /** Normalized job folder ('' for the root). */
  path: string;
  /** Root name for the tree when `path` is the repository root (the repository's name). */
  repositoryName: string;
  /** The source's last read: when the job folder's tree is the same, its files are reused as they are. */
  previous?: RevisionRead | null;
}

export interface RevisionRead {
  revision: Revision;
  /** Whether the folder holds symbolic links, which are followed to targets that may lie outside it. */
  hasLinks: boolean;
}

/** Links pointing at links are followed this many times at most (no loops). */
const maxLinkHops = 8;
/** Blobs read at once: enough to overlap I/O, few enough to keep memory flat. */
const readConcurrency = 32;

export async function readRevision(args: ReadRevisionArgs): Promise<RevisionRead> {
  const { objects, sha, path, previous } = args;
  const { commit } = await readCommit(objects, sha);
  const folder = await findEntry(objects, commit.tree, path);
  if (!folder || folder.type !== 'tree') {
    const what = folder ? 'is not a folder' : 'does not exist';
    throw new SyncError('path-not-found', `path '${path}' ${what} in commit ${sha.slice(0, 7)} of branch ${args.branch}`, 'check --path: it names the job folder inside the repository');
  }
  // Links may point outside the folder, so a folder with links is read again even when its tree is the same.
  const unchanged = previous && previous.revision.path === path && previous.revision.pathTreeOid === folder.oid && !previous.hasLinks;
  let tree: SourceTree;
  let hasLinks = false;
  if (unchanged) {
    tree = previous.revision.tree;
  } else {
    // What this read does not touch (files changed since) is forgotten after the next one.
    objects.memo.trees.nextGeneration();
    objects.memo.blobs.nextGeneration();
    const read = await readFolderFiles(objects, commit.tree, folder.oid, path);
    hasLinks = read.hasLinks;
    tree = { rootName: path ? posix.basename(path) : args.repositoryName, files: read.files };
  }
  const revision: Revision = {
    sha,
    branch: args.branch,
    path,
    pathTreeOid: folder.oid,
    author: { name: commit.author.name, email: commit.author.email },
    message: commit.message,
    committedAt: commit.committer.timestamp * 1000,
    tree,
  };
  return { revision, hasLinks };
}

interface PendingFile {
  relative: string;
  repoPath: string;
  entry: TreeEntryRef;
}

async function readFolderFiles(objects: GitObjects, rootTreeOid: string, folderOid: string, folderPath: string): Promise<{ files: Map<string, Uint8Array>; hasLinks: boolean }> {
  const pending: PendingFile[] = [];
  await listFiles(objects, folderOid, '', folderPath, pending);
  const hasLinks = pending.some((file) => file.entry.mode === fileModes.symlink);
  const files = new Map<string, Uint8Array>();
  for (let start = 0; start < pending.length; start += readConcurrency) {
    const batch = pending.slice(start, start + readConcurrency);
    const contents = await Promise.all(batch.map((file) => readFileContent(objects, rootTreeOid, file)));
    batch.forEach((file, index) => {
      const bytes = contents[index];
      if (bytes) files.set(file.relative, bytes);
    });
  }
  // Sorted, as a directory listing would be: render's output must not depend on pack order.
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), hasLinks };
}

async function listFiles(objects: GitObjects, treeOid: string, relative: string, repoPath: string, out: PendingFile[]): Promise<void> {
  const entries = await readTreeEntries(objects, treeOid);
  const join = (base: string, name: string) => (base ? `${base}/${name}` : name);
  await Promise.all(
    entries.map(async (entry) => {
      const childRelative = join(relative, entry.path);
      const childRepoPath = join(repoPath, entry.path);
      if (entry.type === 'tree') {
        if (!isSkippedFolder(entry.path)) await listFiles(objects, entry.oid, childRelative, childRepoPath, out);
        return;
      }
      // Submodules are other repositories: not part of this revision's files.
      if (entry.type === 'blob') out.push({ relative: childRelative, repoPath: childRepoPath, entry });
    }),
  );
}

async function readFileContent(objects: GitObjects, rootTreeOid: string, file: PendingFile): Promise<Uint8Array | null> {
  const target = file.entry.mode === fileModes.symlink ? await resolveLink(objects, rootTreeOid, file.repoPath, file.entry) : file.entry;
  if (!target) return null;
  const blob = await readBlobPrefix(objects, target.oid);
  return isFileKept(file.relative, blob.size) ? blob.bytes : null;
}

/**
 * A link to a file counts as that file, as in a checkout (and as readDirectoryTree
 * does), but only when it points inside the repository: a link never reads the
 * agent's own disk. Links to folders are not followed.
 */
async function resolveLink(objects: GitObjects, rootTreeOid: string, linkPath: string, link: TreeEntryRef): Promise<TreeEntryRef | null> {
  let currentPath = linkPath;
  let current = link;
  for (let hop = 0; hop < maxLinkHops; hop++) {
    const target = new TextDecoder().decode((await readBlobPrefix(objects, current.oid)).bytes);
    if (posix.isAbsolute(target)) return null;
    const resolved = posix.normalize(posix.join(posix.dirname(currentPath), target));
    if (resolved === '..' || resolved.startsWith('../')) return null;
    const entry = await findEntry(objects, rootTreeOid, resolved);
    if (!entry || entry.type !== 'blob') return null;
    if (entry.mode !== fileModes.symlink) return entry;
    currentPath = resolved;
    current = entry;
  }
  return null;
}
