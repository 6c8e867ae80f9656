// `--repo URL|PATH` → a RevisionSource: an http(s) URL is cloned into the data
// directory; anything else is a repository on this machine, read in place.
import { fileURLToPath } from 'node:url';
import { SyncError } from './errors.js';
import { GitSource } from './git-source.js';
import { LocalRepositorySource } from './local-source.js';

export interface SourceOptions {
  /** `https://…`, `http://…`, `file://…` or a path. */
  repo: string;
  branch?: string;
  /** Job folder inside the repository. */
  path?: string;
  /** Where clones live (remote repositories only). */
  dataDir: string;
  token?: string | null;
}

export type OpenedSource = { ok: true; kind: 'remote'; source: GitSource } | { ok: true; kind: 'local'; source: LocalRepositorySource } | { ok: false; error: SyncError };

export function openSource(options: SourceOptions): OpenedSource {
  const { repo } = options;
  if (/^https?:\/\//i.test(repo)) {
    return { ok: true, kind: 'remote', source: new GitSource({ url: repo, branch: options.branch, path: options.path, dataDir: options.dataDir, token: options.token ?? null }) };
  }
  if (/^(ssh:\/\/|git:\/\/|[\w.-]+@[\w.-]+:)/i.test(repo)) {
    return { ok: false, error: new SyncError('not-a-repository', `--repo ${repo}: only http(s) URLs and local paths are supported`, 'use the https URL with a token (isomorphic-git speaks smart HTTP, not SSH)') };
  }
  const dir = repo.toLowerCase().startsWith('file://') ? fileURLToPath(repo) : repo;
  return { ok: true, kind: 'local', source: new LocalRepositorySource({ dir, branch: options.branch, path: options.path }) };
}
