// Token auth over smart HTTP: the right token, a wrong one, none; and the token
// never lands in a message, the clone's config or on disk.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitSource } from '../../src/sync/git/git-source.js';
import type { GitServer, TestRepository } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { expectFailed, expectOk, removeTempDirs, tempDir, textFiles } from './support.js';

const token = 'ghp_test-token-0123456789';
let server: GitServer;
let repo: TestRepository;

beforeAll(async () => {
  server = await startGitServer({ token });
  repo = await server.createRepository('private');
  await repo.commitAndPush({ 'web.nomad': 'job "web" {}\n' }, 'v1');
});

afterAll(async () => {
  await server.close();
  removeTempDirs();
});

describe('GitSource auth', () => {
  it('clones and fetches with the right token, which is stored nowhere', async () => {
    const source = new GitSource({ url: repo.url, dataDir: tempDir(), token });
    expect(textFiles(expectOk(await source.sync()).revision)).toEqual({ 'web.nomad': 'job "web" {}\n' });
    await repo.commitAndPush({ 'web.nomad': 'job "web" { }\n' }, 'v2');
    expectOk(await source.sync());
    const config = readFileSync(join(source.cloneDir, '.git', 'config'), 'utf8');
    expect(config).toContain(repo.url);
    expect(config).not.toContain(token);
    expect(server.requests.some((r) => r.authorized)).toBe(true);
  });

  it('reports a wrong token as an auth failure, without the token', async () => {
    const wrong = `${token}-wrong`;
    const failed = expectFailed(await new GitSource({ url: repo.url, dataDir: tempDir(), token: wrong }).sync());
    expect(failed.error.code).toBe('auth-failed');
    expect(failed.error.message).toContain('refused the credentials');
    expect(failed.error.describe()).not.toContain(wrong);
    expect(JSON.stringify(failed)).not.toContain(wrong);
  });

  it('reports a missing token as an auth failure that says so', async () => {
    const failed = expectFailed(await new GitSource({ url: repo.url, dataDir: tempDir() }).sync());
    expect(failed.error.code).toBe('auth-failed');
    expect(failed.error.message).toContain('no token is configured');
  });

  it('takes credentials from the URL, and keeps them out of the description and config', async () => {
    const url = repo.url.replace('http://', `http://deploy:${token}@`);
    const source = new GitSource({ url, dataDir: tempDir() });
    expectOk(await source.sync());
    expect(source.description).toBe(repo.url);
    expect(readFileSync(join(source.cloneDir, '.git', 'config'), 'utf8')).not.toContain(token);
  });
});
