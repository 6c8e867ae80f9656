// GitSource against a real smart-HTTP server (git http-backend): clone, fetch,
// sub-path, branch, changed files, force-push, fetch failures, corruption.
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GitSource } from '../../src/sync/git/git-source.js';
import { httpClientWithTimeout } from '../../src/sync/git/http-client.js';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { expectFailed, expectOk, removeTempDirs, tempDir, textFiles } from './support.js';

let server: GitServer;

beforeAll(async () => {
  server = await startGitServer();
});

afterAll(async () => {
  await server.close();
  removeTempDirs();
});

const webV1 = 'job "web" {\n  group "web" { count = 1 }\n}\n';
const webV2 = 'job "web" {\n  group "web" { count = 2 }\n}\n';

describe('GitSource', () => {
  it('clones, then fetches new commits, and says how the head moved', async () => {
    const repo = await server.createRepository('clone-fetch');
    const first = await repo.commitAndPush({ 'jobs/web.nomad': webV1, 'README.md': 'hello\n' }, 'Add web');
    const source = new GitSource({ url: repo.url, dataDir: tempDir(), path: 'jobs' });

    const initial = expectOk(await source.sync());
    expect(initial.relation).toBe('initial');
    expect(initial.revision).toMatchObject({ sha: first, branch: 'main', path: 'jobs', message: 'Add web\n', author: { name: 'Test Author', email: 'author@example.com' } });
    expect(Math.abs(initial.revision.committedAt - Date.now())).toBeLessThan(60_000);
    expect(textFiles(initial.revision)).toEqual({ 'web.nomad': webV1 });
    expect(initial.revision.tree.rootName).toBe('jobs');

    const second = await repo.commitAndPush({ 'jobs/web.nomad': webV2 }, 'Scale web');
    const next = expectOk(await source.sync({ baseline: first }));
    expect(next.relation).toBe('fast-forward');
    expect(next.revision.sha).toBe(second);
    expect(textFiles(next.revision)).toEqual({ 'web.nomad': webV2 });

    const again = expectOk(await source.sync({ baseline: second }));
    expect(again.relation).toBe('unchanged');
    expect(again.revision.pathTreeOid).toBe(next.revision.pathTreeOid);
  });

  it('skips the fetch for a pushed commit that already is the local head, and fetches any other', async () => {
    const repo = await server.createRepository('pushed-sha');
    const first = await repo.commitAndPush({ 'web.nomad': webV1 }, 'v1');
    const requests: string[] = [];
    const http = httpClientWithTimeout();
    const source = new GitSource({ url: repo.url, dataDir: tempDir(), http: { request: (request) => (requests.push(request.url), http.request(request)) } });
    expectOk(await source.sync());

    const second = await repo.commitAndPush({ 'web.nomad': webV2 }, 'v2');
    requests.length = 0;
    const fetched = expectOk(await source.sync({ baseline: first, pushed: second }));
    expect(fetched.revision.sha).toBe(second);
    expect(fetched.timings?.fetchMs).toEqual(expect.any(Number));
    expect(requests.length).toBeGreaterThan(0);

    requests.length = 0;
    const skipped = expectOk(await source.sync({ baseline: second, pushed: second }));
    expect(requests).toEqual([]);
    expect(skipped.revision.sha).toBe(second);
    expect(skipped.relation).toBe('unchanged');
    expect(skipped.timings).toEqual({ fetchMs: null, readMs: expect.any(Number) });

    // The branch moved back to a commit the clone has: only the remote knows where it points, so it is fetched.
    await repo.git('push', '--quiet', '--force', 'origin', `${first}:refs/heads/main`);
    const back = expectOk(await source.sync({ baseline: second, pushed: first }));
    expect(requests.length).toBeGreaterThan(0);
    expect(back.revision.sha).toBe(first);
    expect(back.relation).toBe('rewritten');
  });

  it('reuses the clone after a restart: the next sync fetches instead of cloning', async () => {
    const repo = await server.createRepository('restart');
    await repo.commitAndPush({ 'web.nomad': webV1 }, 'v1');
    const dataDir = tempDir();
    const first = new GitSource({ url: repo.url, dataDir });
    expectOk(await first.sync());
    // A fresh clone would replace the folder and lose this file.
    writeFileSync(join(first.cloneDir, 'marker'), '');
    const second = await repo.commitAndPush({ 'web.nomad': webV2 }, 'v2');

    const restarted = new GitSource({ url: repo.url, dataDir });
    const result = expectOk(await restarted.sync());
    expect(result.revision.sha).toBe(second);
    expect(existsSync(join(restarted.cloneDir, 'marker'))).toBe(true);
    expect(readdirSync(join(dataDir, 'git'))).toEqual([restarted.cloneDir.split('/').pop()]);
    // The repository's name is the root's name when the job folder is the root.
    expect(result.revision.tree.rootName).toBe('restart');
  });

  it('reads the configured branch, and reports a missing one', async () => {
    const repo = await server.createRepository('branches');
    await repo.commitAndPush({ 'web.nomad': webV1 }, 'main');
    const staging = await repo.commit({ 'web.nomad': webV2 }, 'staging');
    await repo.push({ branch: 'staging' });

    const source = new GitSource({ url: repo.url, dataDir: tempDir(), branch: 'staging' });
    const result = expectOk(await source.sync());
    expect(result.revision.sha).toBe(staging);
    expect(result.revision.branch).toBe('staging');
    expect(textFiles(result.revision)).toEqual({ 'web.nomad': webV2 });

    // The branch is deleted on the server after the clone: an error, and the last revision stays.
    await repo.git('push', '--quiet', 'origin', '--delete', 'staging');
    const deleted = expectFailed(await source.sync());
    expect(deleted.error.code).toBe('branch-not-found');
    expect(deleted.lastRevision?.sha).toBe(staging);

    const missing = expectFailed(await new GitSource({ url: repo.url, dataDir: tempDir(), branch: 'nope' }).sync());
    expect(missing.error.code).toBe('branch-not-found');
    expect(missing.error.message).toContain("'nope'");
    expect(missing.lastRevision).toBeNull();
  });

  it('reports a job folder that is missing or is a file', async () => {
    const repo = await server.createRepository('paths');
    await repo.commitAndPush({ 'jobs/web.nomad': webV1 }, 'v1');
    const missing = expectFailed(await new GitSource({ url: repo.url, dataDir: tempDir(), path: 'deploy' }).sync());
    expect(missing.error.code).toBe('path-not-found');
    expect(missing.error.message).toMatch(/path 'deploy' does not exist in commit [0-9a-f]{7} of branch main/);
    const file = expectFailed(await new GitSource({ url: repo.url, dataDir: tempDir(), path: 'jobs/web.nomad' }).sync());
    expect(file.error.message).toContain('is not a folder');
  });

  it('lists the files under the path that changed between two commits', async () => {
    const repo = await server.createRepository('changes');
    const first = await repo.commitAndPush({ 'jobs/web.nomad': webV1, 'jobs/db/db.nomad': 'job "db" {}\n', 'jobs/old.nomad': 'job "old" {}\n', 'docs/a.md': 'a\n' }, 'v1');
    const source = new GitSource({ url: repo.url, dataDir: tempDir(), path: 'jobs' });
    expectOk(await source.sync());
    const second = await repo.commitAndPush({ 'jobs/web.nomad': webV2, 'jobs/old.nomad': null, 'jobs/new/api.nomad': 'job "api" {}\n', 'docs/a.md': 'b\n' }, 'v2');
    const secondSync = expectOk(await source.sync());

    const changed = await source.changedFiles(first, second);
    expect(changed).toEqual({
      ok: true,
      files: [
        { path: 'new/api.nomad', change: 'added' },
        { path: 'old.nomad', change: 'deleted' },
        { path: 'web.nomad', change: 'modified' },
      ],
    });
    expect(await source.changedFiles(second, second)).toEqual({ ok: true, files: [] });

    const docsOnly = await repo.commitAndPush({ 'docs/a.md': 'c\n' }, 'docs');
    const docsSync = expectOk(await source.sync());
    expect(await source.changedFiles(second, docsOnly)).toEqual({ ok: true, files: [] });
    // The job folder's tree did not change: its files are handed over again as they were, not read again.
    expect(docsSync.revision.pathTreeOid).toBe(secondSync.revision.pathTreeOid);
    expect(docsSync.revision.tree).toBe(secondSync.revision.tree);

    const unknown = await source.changedFiles(first, 'f'.repeat(40));
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.code).toBe('unknown-commit');
  });

  it('reports a force-push that rewrote history, and can still compare across it', async () => {
    const repo = await server.createRepository('force-push');
    const first = await repo.commitAndPush({ 'web.nomad': webV1 }, 'v1');
    const second = await repo.commitAndPush({ 'web.nomad': webV2 }, 'v2');
    const source = new GitSource({ url: repo.url, dataDir: tempDir() });
    expectOk(await source.sync());

    await repo.git('reset', '--hard', '--quiet', first);
    const rewritten = await repo.commit({ 'web.nomad': webV1.replace('count = 1', 'count = 3') }, 'v2, rewritten');
    await repo.push({ force: true });

    const result = expectOk(await source.sync({ baseline: second }));
    expect(result.relation).toBe('rewritten');
    expect(result.baseline).toBe(second);
    expect(result.revision.sha).toBe(rewritten);
    expect(await source.changedFiles(second, rewritten)).toEqual({ ok: true, files: [{ path: 'web.nomad', change: 'modified' }] });
    // Going back along the new history is a fast-forward again.
    expect(expectOk(await source.sync({ baseline: first })).relation).toBe('fast-forward');
  });

  it('keeps the last revision and reports the error when a fetch fails', async () => {
    const repo = await server.createRepository('fetch-failure');
    const first = await repo.commitAndPush({ 'web.nomad': webV1 }, 'v1');
    const source = new GitSource({ url: repo.url, dataDir: tempDir() });
    expectOk(await source.sync());
    await repo.commitAndPush({ 'web.nomad': webV2 }, 'v2');

    server.failWith(500);
    try {
      const failed = expectFailed(await source.sync({ baseline: first }));
      expect(failed.error.code).toBe('network');
      expect(failed.error.message).toContain('500');
      expect(failed.lastRevision?.sha).toBe(first);
      expect(source.current?.sha).toBe(first);
    } finally {
      server.failWith(null);
    }
    expect(expectOk(await source.sync({ baseline: first })).relation).toBe('fast-forward');
  });

  it('reports an unreachable server as a network error', async () => {
    const other = await startGitServer();
    const repo = await other.createRepository('gone');
    await repo.commitAndPush({ 'web.nomad': webV1 }, 'v1');
    const source = new GitSource({ url: repo.url, dataDir: tempDir() });
    expectOk(await source.sync());
    await other.close();
    const failed = expectFailed(await source.sync());
    expect(failed.error.code).toBe('network');
    expect(failed.error.message).toContain('ECONNREFUSED');
    expect(failed.lastRevision).not.toBeNull();
  });

  it('gives up on a server that stops answering, after the idle timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jobs.git`;
      const failed = expectFailed(await new GitSource({ url, dataDir: tempDir(), idleTimeoutMs: 200 }).sync());
      expect(failed.error.code).toBe('network');
      expect(failed.error.message).toContain('no answer for 200 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a URL that is no repository', async () => {
    const failed = expectFailed(await new GitSource({ url: `${server.baseUrl}/nothing-here.git`, dataDir: tempDir() }).sync());
    expect(failed.error.code).toBe('not-a-repository');
  });

  it('reports corrupt objects, then recovers with a fresh clone', async () => {
    const repo = await server.createRepository('corrupt');
    await repo.commitAndPush({ 'web.nomad': webV1 }, 'v1');
    const dataDir = tempDir();
    const source = new GitSource({ url: repo.url, dataDir });
    expectOk(await source.sync());

    // Damage every pack of the clone, as a disk error or an interrupted write would.
    const packDir = join(source.cloneDir, '.git', 'objects', 'pack');
    for (const name of readdirSync(packDir).filter((n) => n.endsWith('.pack'))) {
      const bytes = readFileSync(join(packDir, name));
      bytes.fill(0x42, 12, bytes.length - 20);
      writeFileSync(join(packDir, name), bytes);
    }
    const restarted = new GitSource({ url: repo.url, dataDir });
    const failed = expectFailed(await restarted.sync());
    expect(failed.error.code).toBe('corrupt-objects');
    expect(failed.error.hint).toContain('cloned again');

    const recovered = expectOk(await restarted.sync());
    expect(textFiles(recovered.revision)).toEqual({ 'web.nomad': webV1 });
  });

  it('follows links to files inside the repository only, and applies the size limits', async () => {
    const repo = await server.createRepository('links');
    await repo.commit({ 'jobs/web.nomad': webV1, 'shared/vars.env': 'A=1\n', 'jobs/big.bin': 'x'.repeat(300 * 1024), 'jobs/node_modules/x.nomad': 'job "x" {}\n' }, 'files');
    symlinkSync('../shared/vars.env', join(repo.workDir, 'jobs', 'vars.env'));
    symlinkSync('web.nomad', join(repo.workDir, 'jobs', 'alias.nomad'));
    symlinkSync('/etc/hostname', join(repo.workDir, 'jobs', 'absolute.env'));
    symlinkSync('../../outside.env', join(repo.workDir, 'jobs', 'escape.env'));
    await repo.commitAndPush({}, 'links');

    const result = expectOk(await new GitSource({ url: repo.url, dataDir: tempDir(), path: 'jobs' }).sync());
    expect(textFiles(result.revision)).toEqual({ 'alias.nomad': webV1, 'vars.env': 'A=1\n', 'web.nomad': webV1 });
  });

  it('adds no pack for a fetch without news, and clones afresh when packs pile up', async () => {
    const repo = await server.createRepository('packs');
    await repo.commitAndPush({ 'web.nomad': webV1 }, 'v1');
    const source = new GitSource({ url: repo.url, dataDir: tempDir(), maxPacks: 2 });
    const packs = () => readdirSync(join(source.cloneDir, '.git', 'objects', 'pack')).filter((n) => n.endsWith('.pack')).length;
    expectOk(await source.sync());
    expectOk(await source.sync());
    expect(packs()).toBe(1);
    for (const content of [webV2, webV1]) {
      await repo.commitAndPush({ 'web.nomad': content }, 'change');
      expectOk(await source.sync());
    }
    expect(packs()).toBe(3);
    const head = await repo.commitAndPush({ 'web.nomad': webV2 }, 'after the reclone');
    const result = expectOk(await source.sync());
    expect(result.revision.sha).toBe(head);
    expect(packs()).toBe(1);
  });

  it('checks out the job folder when asked', async () => {
    const repo = await server.createRepository('checkout');
    await repo.commitAndPush({ 'jobs/web.nomad': webV1, 'other/x.txt': 'x\n' }, 'v1');
    const source = new GitSource({ url: repo.url, dataDir: tempDir(), path: 'jobs', checkout: true });
    expectOk(await source.sync());
    expect(readFileSync(join(source.cloneDir, 'jobs', 'web.nomad'), 'utf8')).toBe(webV1);
    await repo.commitAndPush({ 'jobs/web.nomad': webV2 }, 'v2');
    expectOk(await source.sync());
    expect(readFileSync(join(source.cloneDir, 'jobs', 'web.nomad'), 'utf8')).toBe(webV2);
    expect(existsSync(join(source.cloneDir, 'other'))).toBe(false);
  });
});
