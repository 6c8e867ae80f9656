// A remote repository: cloned once into the data directory, fetched on every sync.
//
// Full history, not shallow: deciding whether a new head descends from the last
// deployed commit (force-push detection, "never destroy on doubt") needs the
// ancestry, and a fetch only transfers new objects either way, so history costs
// once, at the first clone. (It also sidesteps `pull`, which fails in a shallow clone.)
//
// Files are read from Git objects, not from a working tree; the working tree is
// checked out only on request (`checkout: true`), for people who want to look.
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import git from 'isomorphic-git';
import type { AuthCallback, HttpClient } from 'isomorphic-git';
import { changedFilesBetween } from './changed-files.js';
import type { ErrorContext } from '../errors.js';
import { classifyGitError, SyncError } from '../errors.js';
import { gitFs } from './git-fs.js';
import type { GitObjects } from './git-objects.js';
import { newObjectMemo, normalizeRepoPath, openObjects } from './git-objects.js';
import { relationToBaseline } from './history.js';
import { httpClientWithTimeout } from './http-client.js';
import type { RevisionRead } from './read-revision.js';
import { readRevision } from './read-revision.js';
import { cloneFolderName, repositoryNameFromUrl, splitCredentials } from '../repository-url.js';
import type { ChangedFilesResult, Revision, RevisionSource, SyncOptions, SyncResult } from '../revision.js';
import { SerialQueue } from '../serial-queue.js';
import { makeDirectory } from '../../util/index.js';

export interface GitSourceOptions {
  /** `https://…` (or `http://`); credentials in the URL are used for auth and never stored or logged. */
  url: string;
  /** Default `main`. */
  branch?: string;
  /** Job folder inside the repository; default the root. */
  path?: string;
  /** The clone lives in `<dataDir>/git/<name>-<hash of url and branch>`. */
  dataDir: string;
  /** Sent as the basic-auth password (GitHub, Gitea and GitLab accept a token there). */
  token?: string | null;
  /** Basic-auth user name sent with the token; default `x-access-token` (GitHub's convention). */
  username?: string;
  /** Also keep a working tree of the job folder (default false: files are read from objects). */
  checkout?: boolean;
  /** Idle timeout per HTTP request; default 60 s. */
  idleTimeoutMs?: number;
  /** For tests and benchmarks: another HTTP client. */
  http?: HttpClient;
  /** Packs the clone may gather before it is cloned afresh; default 100. */
  maxPacks?: number;
}

const remoteName = 'origin';
/**
 * isomorphic-git cannot repack: every fetch that brings objects adds a pack, and
 * each object lookup scans the pack list. Past this many, the next sync clones
 * afresh, which leaves one pack (a few seconds, once in a long while).
 */
const defaultMaxPacks = 100;

export class GitSource implements RevisionSource {
  readonly description: string;
  readonly cloneDir: string;
  private readonly url: string;
  private readonly branch: string;
  private readonly path: string;
  private readonly username: string;
  private readonly token: string | null;
  private readonly checkout: boolean;
  private readonly http: HttpClient;
  private readonly maxPacks: number;
  private readonly queue = new SerialQueue();
  private objects: GitObjects | null = null;
  /** Parsed trees and blobs, kept across syncs (and across a fresh clone: objects are immutable). */
  private readonly memo = newObjectMemo();
  private lastRead: RevisionRead | null = null;
  /** Set after corrupt objects were found: the next sync starts from a fresh clone. */
  private discardClone = false;

  constructor(options: GitSourceOptions) {
    const split = splitCredentials(options.url);
    this.url = split.url;
    this.description = split.url;
    this.branch = options.branch ?? 'main';
    this.path = normalizeRepoPath(options.path ?? '');
    this.username = split.username ?? options.username ?? 'x-access-token';
    this.token = options.token ?? split.password;
    this.checkout = options.checkout ?? false;
    this.http = options.http ?? httpClientWithTimeout(options.idleTimeoutMs);
    this.maxPacks = options.maxPacks ?? defaultMaxPacks;
    this.cloneDir = join(options.dataDir, 'git', cloneFolderName(split.url, this.branch));
  }

  /** The last revision a sync produced (also after a failed sync: it stays valid). */
  get current(): Revision | null {
    return this.lastRead?.revision ?? null;
  }

  sync(options: SyncOptions = {}): Promise<SyncResult> {
    return this.queue.run(() => this.syncNow(options));
  }

  changedFiles(fromSha: string, toSha: string): Promise<ChangedFilesResult> {
    return this.queue.run(async () => {
      try {
        const objects = this.objects ?? (this.hasUsableClone() ? this.openClone() : null);
        if (!objects) throw new SyncError('unknown-commit', `${this.description} has not been synced yet`, 'sync before comparing commits');
        return { ok: true as const, files: await changedFilesBetween(objects, fromSha, toSha, this.path) };
      } catch (error) {
        return { ok: false as const, error: this.classify(error, `comparing ${fromSha.slice(0, 7)}..${toSha.slice(0, 7)} in ${this.description}`) };
      }
    });
  }

  private async syncNow(options: SyncOptions): Promise<SyncResult> {
    let doing = `fetching ${this.branch} from ${this.description}`;
    try {
      const started = performance.now();
      const present = options.pushed ? await this.isLocalHead(options.pushed) : false;
      const head = present ? options.pushed! : await this.fetchHead();
      const fetched = performance.now();
      doing = `reading commit ${head.slice(0, 7)} of ${this.description}`;
      const objects = this.objects!;
      const relation = await relationToBaseline(objects, options.baseline, head);
      const read = await readRevision({ objects, sha: head, branch: this.branch, path: this.path, repositoryName: repositoryNameFromUrl(this.url), previous: this.lastRead });
      this.lastRead = read;
      const timings = { fetchMs: present ? null : fetched - started, readMs: performance.now() - fetched };
      return { ok: true, revision: read.revision, relation, baseline: options.baseline ?? null, timings };
    } catch (error) {
      const syncError = this.classify(error, doing);
      if (syncError.code === 'corrupt-objects') this.discardClone = true;
      return { ok: false, error: syncError, lastRevision: this.current };
    }
  }

  /**
   * True when the local branch head already is the pushed commit (a poll or an
   * earlier delivery brought it). Anything else is fetched, a push that moved the
   * branch back to an older commit included: only the remote says where it points now.
   */
  private async isLocalHead(pushed: string): Promise<boolean> {
    if (this.discardClone || !this.hasUsableClone()) return false;
    const objects = this.objects ?? this.openClone();
    const head = await git.resolveRef({ fs: objects.fs, gitdir: objects.gitdir, ref: `refs/heads/${this.branch}` }).catch(() => null);
    return head === pushed;
  }

  /** Clones or fetches, moves the local branch to the remote head, returns its sha. */
  private async fetchHead(): Promise<string> {
    if (this.discardClone || !this.hasUsableClone()) {
      await this.cloneFresh();
    } else {
      const objects = this.objects ?? this.openClone();
      const result = await git.fetch({
        fs: objects.fs,
        http: this.http,
        gitdir: objects.gitdir,
        remote: remoteName,
        ref: this.branch,
        remoteRef: this.branch,
        singleBranch: true,
        tags: false,
        onAuth: this.onAuth,
        onAuthFailure: rejectAuth,
        cache: objects.cache,
      });
      if (!result.fetchHead) throw this.emptyRepository();
      // Forced: after a force-push the new head is not a fast-forward, and that is for the caller to judge, not the clone.
      await git.writeRef({ fs: objects.fs, gitdir: objects.gitdir, ref: `refs/heads/${this.branch}`, value: result.fetchHead, force: true });
      if (packCount(objects.gitdir) > this.maxPacks) this.discardClone = true;
    }
    const objects = this.objects!;
    const head = await git.resolveRef({ fs: objects.fs, gitdir: objects.gitdir, ref: `refs/heads/${this.branch}` });
    if (this.checkout) await this.checkoutFolder(objects);
    return head;
  }

  /** Clones into a temporary folder and renames it into place: a crash never leaves a half clone behind. */
  private async cloneFresh(): Promise<void> {
    this.objects = null;
    removeLeftoverPartials(this.cloneDir);
    const partial = `${this.cloneDir}.partial-${randomBytes(4).toString('hex')}`;
    makeDirectory(partial);
    try {
      await git.clone({
        fs: gitFs,
        http: this.http,
        dir: partial,
        url: this.url,
        ref: this.branch,
        remote: remoteName,
        singleBranch: true,
        noTags: true,
        noCheckout: true,
        onAuth: this.onAuth,
        onAuthFailure: rejectAuth,
      });
      const gitdir = join(partial, '.git');
      if (!(await this.hasBranch(gitdir))) throw this.emptyRepository();
      rmSync(this.cloneDir, { recursive: true, force: true });
      renameSync(partial, this.cloneDir);
      this.discardClone = false;
      this.openClone();
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }

  private async hasBranch(gitdir: string): Promise<boolean> {
    try {
      await git.resolveRef({ fs: gitFs, gitdir, ref: `refs/heads/${this.branch}` });
      return true;
    } catch {
      return false;
    }
  }

  private hasUsableClone(): boolean {
    return existsSync(join(this.cloneDir, '.git', 'HEAD'));
  }

  private openClone(): GitObjects {
    this.objects = openObjects(join(this.cloneDir, '.git'), this.memo);
    return this.objects;
  }

  private async checkoutFolder(objects: GitObjects): Promise<void> {
    await git.checkout({
      fs: objects.fs,
      dir: this.cloneDir,
      gitdir: objects.gitdir,
      ref: this.branch,
      force: true,
      ...(this.path ? { filepaths: [this.path] } : {}),
      cache: objects.cache,
    });
  }

  // The token lives only in this closure: never in the URL, .git/config, a message or a log.
  private readonly onAuth: AuthCallback = () => (this.token ? { username: this.username, password: this.token } : undefined);

  private emptyRepository(): SyncError {
    return new SyncError('branch-not-found', `fetching ${this.branch} from ${this.description}: branch '${this.branch}' does not exist (or the repository is empty)`, 'check --branch');
  }

  private classify(error: unknown, doing: string): SyncError {
    const context: ErrorContext = { doing, branch: this.branch, secrets: this.token ? [this.token] : [] };
    const classified = classifyGitError(error, context);
    if (classified.code === 'auth-failed' && !this.token) {
      return new SyncError('auth-failed', `${doing}: the server asks for credentials and no token is configured`, 'set a token (--github-token-file) that can read the repository', { cause: error });
    }
    return classified;
  }
}

function packCount(gitdir: string): number {
  return readdirSync(join(gitdir, 'objects', 'pack')).filter((name) => name.endsWith('.pack')).length;
}

/** Clones interrupted by a crash or a kill. */
function removeLeftoverPartials(cloneDir: string): void {
  const parent = dirname(cloneDir);
  if (!existsSync(parent)) return;
  const prefix = `${basename(cloneDir)}.partial-`;
  for (const name of readdirSync(parent)) if (name.startsWith(prefix)) rmSync(join(parent, name), { recursive: true, force: true });
}

/** A second 401 means the token was refused: stop instead of asking again. */
const rejectAuth: AuthCallback = () => ({ cancel: true });
