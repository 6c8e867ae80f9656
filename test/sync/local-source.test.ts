// Local mode: a working repository on disk read in place (committed content only),
// and the chokidar watch on its Git folder that fires on a commit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRepositorySource } from '../../src/sync/git/local-source.js';
import { watchRepository } from '../../src/sync/triggers/repository-watch.js';
import { isolatedGitEnv, runGit } from '../support/git-server.js';
import { expectFailed, expectOk, removeTempDirs, tempDir, textFiles } from './support.js';

afterAll(() => removeTempDirs());

async function newRepository(): Promise<{ dir: string; git: (...args: string[]) => Promise<string>; commit: (files: Record<string, string>, message: string) => Promise<string> }> {
  const dir = tempDir('deckhand-local-');
  const env = isolatedGitEnv(tempDir('deckhand-home-'));
  const git = (...args: string[]) => runGit(dir, env, args);
  await git('init', '--quiet', '--initial-branch=main');
  const commit = async (files: Record<string, string>, message: string) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    await git('add', '--all');
    await git('commit', '--quiet', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  return { dir, git, commit };
}

describe('LocalRepositorySource', () => {
  it('reads HEAD as committed: uncommitted edits do not count', async () => {
    const repo = await newRepository();
    const first = await repo.commit({ 'jobs/web.nomad': 'job "web" {}\n' }, 'Add web');
    writeFileSync(join(repo.dir, 'jobs', 'web.nomad'), 'job "web" { uncommitted }\n');
    writeFileSync(join(repo.dir, 'jobs', 'new.nomad'), 'job "new" {}\n');

    const source = new LocalRepositorySource({ dir: repo.dir, path: 'jobs' });
    const result = expectOk(await source.sync());
    expect(result.revision).toMatchObject({ sha: first, branch: 'main', message: 'Add web\n' });
    expect(textFiles(result.revision)).toEqual({ 'web.nomad': 'job "web" {}\n' });

    const second = await repo.commit({}, 'Commit the edits');
    const next = expectOk(await source.sync({ baseline: first }));
    expect(next.relation).toBe('fast-forward');
    expect(next.revision.sha).toBe(second);
    expect(textFiles(next.revision)).toEqual({ 'new.nomad': 'job "new" {}\n', 'web.nomad': 'job "web" { uncommitted }\n' });
    expect(await source.changedFiles(first, second)).toEqual({
      ok: true,
      files: [
        { path: 'new.nomad', change: 'added' },
        { path: 'web.nomad', change: 'modified' },
      ],
    });
  });

  it('sees an amended commit as rewritten history, and reads a named branch', async () => {
    const repo = await newRepository();
    const first = await repo.commit({ 'web.nomad': 'v1\n' }, 'v1');
    await repo.git('commit', '--quiet', '--amend', '-m', 'v1 amended');
    const source = new LocalRepositorySource({ dir: repo.dir });
    expect(expectOk(await source.sync({ baseline: first })).relation).toBe('rewritten');

    await repo.git('checkout', '--quiet', '-b', 'feature');
    await repo.commit({ 'web.nomad': 'feature\n' }, 'feature');
    await repo.git('checkout', '--quiet', 'main');
    const onMain = expectOk(await new LocalRepositorySource({ dir: repo.dir, branch: 'feature' }).sync());
    expect(onMain.revision.branch).toBe('feature');
    expect(textFiles(onMain.revision)).toEqual({ 'web.nomad': 'feature\n' });
  });

  it('reports a folder that is no repository, and a repository without commits', async () => {
    const plain = tempDir('deckhand-plain-');
    const notRepo = expectFailed(await new LocalRepositorySource({ dir: plain }).sync());
    expect(notRepo.error.code).toBe('not-a-repository');
    expect(notRepo.error.hint).toContain('git init');

    const empty = await newRepository();
    const noCommits = expectFailed(await new LocalRepositorySource({ dir: empty.dir }).sync());
    expect(noCommits.error.code).toBe('branch-not-found');
  });

  it('fires the watch when a commit lands', async () => {
    const repo = await newRepository();
    await repo.commit({ 'web.nomad': 'v1\n' }, 'v1');
    const source = new LocalRepositorySource({ dir: repo.dir });
    const gitdir = source.gitdir();
    if (!gitdir.ok) throw gitdir.error;

    let fired = 0;
    let onFire: () => void = () => undefined;
    const watch = watchRepository(gitdir.gitdir, () => {
      fired++;
      onFire();
    }, { debounceMs: 50 });
    try {
      await watch.ready;
      writeFileSync(join(repo.dir, 'web.nomad'), 'v2\n');
      await repo.git('add', 'web.nomad');
      const firedOnCommit = new Promise<void>((resolve) => {
        onFire = resolve;
      });
      const second = await repo.git('commit', '--quiet', '-m', 'v2').then(() => repo.git('rev-parse', 'HEAD'));
      await firedOnCommit;
      expect(expectOk(await source.sync()).revision.sha).toBe(second);
      expect(fired).toBeGreaterThanOrEqual(1);
    } finally {
      await watch.stop();
    }
  });
});
