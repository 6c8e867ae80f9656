// A repository on this machine (`--repo ./some/dir`), read in place with
// isomorphic-git, which cannot clone a path or file:// URL.
//
// Only committed content counts: a revision is HEAD (or the configured branch),
// read from Git objects, so uncommitted edits in the working tree are not
// deployed. That is the GitOps meaning (a commit is the unit of change, with an
// author and a message to show), and it makes local mode behave exactly like a
// remote repository: edit, commit, watch it roll out; `git revert`, watch it roll back.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import git from 'isomorphic-git';
import { changedFilesBetween } from './changed-files.js';
import { classifyGitError, SyncError } from '../errors.js';
import type { GitObjects } from './git-objects.js';
import { newObjectMemo, normalizeRepoPath, openObjects } from './git-objects.js';
import { relationToBaseline } from './history.js';
import type { RevisionRead } from './read-revision.js';
import { readRevision } from './read-revision.js';
import type { ChangedFilesResult, Revision, RevisionSource, SyncOptions, SyncResult } from '../revision.js';
import { SerialQueue } from '../serial-queue.js';

export interface LocalSourceOptions {
  /** The repository's working tree (or a bare repository). */
  dir: string;
  /** Read this branch instead of whatever HEAD points at. */
  branch?: string;
  /** Job folder inside the repository; default the root. */
  path?: string;
}

export class LocalRepositorySource implements RevisionSource {
  readonly description: string;
  private readonly dir: string;
  private readonly branch: string | null;
  private readonly path: string;
  private readonly queue = new SerialQueue();
  private lastRead: RevisionRead | null = null;
  /** Parsed trees and blobs: immutable, so safe to keep while others write to the repository. */
  private readonly memo = newObjectMemo();

  constructor(options: LocalSourceOptions) {
    this.dir = resolve(options.dir);
    this.description = this.dir;
    this.branch = options.branch ?? null;
    this.path = normalizeRepoPath(options.path ?? '');
  }

  get current(): Revision | null {
    return this.lastRead?.revision ?? null;
  }

  /**
   * The repository's Git folder: what a watcher watches (HEAD and refs move on
   * commit, checkout, reset, revert). An error value when `dir` is no repository.
   */
  gitdir(): { ok: true; gitdir: string } | { ok: false; error: SyncError } {
    try {
      return { ok: true, gitdir: findGitdir(this.dir) };
    } catch (error) {
      return { ok: false, error: this.classify(error, `opening ${this.description}`) };
    }
  }

  sync(options: SyncOptions = {}): Promise<SyncResult> {
    return this.queue.run(async () => {
      let doing = `reading ${this.branch ?? 'HEAD'} of ${this.description}`;
      try {
        // A fresh cache each time: others write to this repository (commit, gc, repack) while we are not looking.
        const objects = openObjects(findGitdir(this.dir), this.memo);
        const { sha, branch } = await this.resolveHead(objects);
        doing = `reading commit ${sha.slice(0, 7)} of ${this.description}`;
        const relation = await relationToBaseline(objects, options.baseline, sha);
        const read = await readRevision({ objects, sha, branch, path: this.path, repositoryName: basename(this.dir), previous: this.lastRead });
        this.lastRead = read;
        return { ok: true, revision: read.revision, relation, baseline: options.baseline ?? null };
      } catch (error) {
        return { ok: false, error: this.classify(error, doing), lastRevision: this.current };
      }
    });
  }

  changedFiles(fromSha: string, toSha: string): Promise<ChangedFilesResult> {
    return this.queue.run(async () => {
      try {
        return { ok: true as const, files: await changedFilesBetween(openObjects(findGitdir(this.dir), this.memo), fromSha, toSha, this.path) };
      } catch (error) {
        return { ok: false as const, error: this.classify(error, `comparing ${fromSha.slice(0, 7)}..${toSha.slice(0, 7)} in ${this.description}`) };
      }
    });
  }

  private async resolveHead(objects: GitObjects): Promise<{ sha: string; branch: string }> {
    const { fs, gitdir } = objects;
    const ref = this.branch ? `refs/heads/${this.branch}` : 'HEAD';
    let sha: string;
    try {
      sha = await git.resolveRef({ fs, gitdir, ref });
    } catch {
      const what = this.branch ? `branch '${this.branch}' does not exist` : 'HEAD points at no commit (no commits yet?)';
      throw new SyncError('branch-not-found', `reading ${this.description}: ${what}`, this.branch ? 'check --branch' : 'commit the job files first');
    }
    const branch = this.branch ?? (await git.currentBranch({ fs, gitdir, fullname: false })) ?? 'HEAD';
    return { sha, branch };
  }

  private classify(error: unknown, doing: string): SyncError {
    const classified = classifyGitError(error, { doing, branch: this.branch ?? 'HEAD', secrets: [] });
    // Locally, damaged objects are the owner's to repair: there is no clone to throw away.
    if (classified.code === 'corrupt-objects') return new SyncError('corrupt-objects', classified.message, "run 'git fsck' in the repository", { cause: error });
    return classified;
  }
}

/**
 * `<dir>/.git` (a folder, or a file saying `gitdir: …` as in a submodule), or `dir`
 * itself when it is a bare repository.
 */
export function findGitdir(dir: string): string {
  const dotGit = join(dir, '.git');
  if (existsSync(dotGit) && statSync(dotGit).isDirectory()) return dotGit;
  if (existsSync(dotGit)) {
    const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (!pointer) throw new SyncError('not-a-repository', `${dir}: .git is a file that names no Git folder`, 'point --repo at a working tree or a bare repository');
    const gitdir = isAbsolute(pointer) ? pointer : resolve(dir, pointer);
    // isomorphic-git does not read a linked worktree's shared refs and objects (`commondir`).
    if (existsSync(join(gitdir, 'commondir'))) {
      throw new SyncError('not-a-repository', `${dir} is a linked worktree, which isomorphic-git cannot read`, 'point --repo at the main working tree');
    }
    return gitdir;
  }
  if (existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'))) return dir;
  throw new SyncError('not-a-repository', `${dir} is not a Git repository`, "run 'git init' there and commit the job files, or point --repo at a repository");
}
