// Pure pieces: how isomorphic-git and node errors map to sync errors (and lose
// secrets), URL handling, and the object memo's two generations.
import { classifyGitError, redact } from '../../src/sync/errors.js';
import { GenerationalMemo } from '../../src/sync/git/object-memo.js';
import { cloneFolderName, repositoryNameFromUrl, sameRepository, splitCredentials } from '../../src/sync/repository-url.js';

const context = { doing: 'fetching main from https://git.example.com/jobs.git', branch: 'main', secrets: ['s3cr3t/tok'] };
const gitError = (code: string, message: string, data: object = {}) => Object.assign(new Error(message), { code, data });

describe('classifyGitError', () => {
  it('maps HTTP answers: 401/403 to auth, 404 to no repository, others to network', () => {
    expect(classifyGitError(gitError('HttpError', 'HTTP Error: 401 Unauthorized', { statusCode: 401, statusMessage: 'Unauthorized' }), context).code).toBe('auth-failed');
    expect(classifyGitError(gitError('HttpError', 'HTTP Error: 403 Forbidden', { statusCode: 403 }), context).code).toBe('auth-failed');
    expect(classifyGitError(gitError('UserCanceledError', 'The operation was canceled.'), context).code).toBe('auth-failed');
    expect(classifyGitError(gitError('HttpError', 'x', { statusCode: 404, statusMessage: 'Not Found' }), context).message).toBe(`${context.doing}: no repository at this URL (HTTP 404 Not Found)`);
    const server = classifyGitError(gitError('HttpError', 'x', { statusCode: 502, statusMessage: 'Bad Gateway' }), context);
    expect([server.code, server.message]).toEqual(['network', `${context.doing}: the server answered HTTP 502 Bad Gateway`]);
  });

  it('maps socket errors, also when wrapped in a cause, to network', () => {
    expect(classifyGitError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), context).code).toBe('network');
    expect(classifyGitError(new Error('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }), context).code).toBe('network');
  });

  it('tells a missing branch from a missing object', () => {
    expect(classifyGitError(gitError('NotFoundError', 'Could not find main.', { what: 'main' }), context).code).toBe('branch-not-found');
    expect(classifyGitError(gitError('NotFoundError', 'Could not find abc.', { what: 'abc123' }), context).code).toBe('corrupt-objects');
  });

  it("keeps isomorphic-git's own words without its preamble, and never a secret", () => {
    const internal = gitError('InternalError', "An internal error caused this command to fail.\n\nIf you're a developer ... and this error message: Packfile payload corrupted.");
    expect(classifyGitError(internal, context).message).toBe(`${context.doing}: the repository's objects are missing or damaged (Packfile payload corrupted.)`);
    const leaky = classifyGitError(new Error('failed for https://x:s3cr3t%2Ftok@host and s3cr3t/tok'), context);
    expect(leaky.code).toBe('internal');
    expect(leaky.message).not.toContain('s3cr3t');
  });

  it('redacts a secret in plain and URL-encoded form', () => {
    expect(redact('a s3cr3t/tok b s3cr3t%2Ftok', ['s3cr3t/tok'])).toBe('a *** b ***');
    expect(redact('nothing', [''])).toBe('nothing');
  });
});

describe('repository URLs', () => {
  it('takes credentials out of a URL', () => {
    expect(splitCredentials('https://deploy:p%40ss@git.example.com/acme/jobs.git')).toEqual({ url: 'https://git.example.com/acme/jobs.git', username: 'deploy', password: 'p@ss' });
    expect(splitCredentials('https://git.example.com/acme/jobs.git')).toEqual({ url: 'https://git.example.com/acme/jobs.git', username: null, password: null });
  });

  it('names a repository and its clone folder', () => {
    expect(repositoryNameFromUrl('https://git.example.com/acme/jobs.git')).toBe('jobs');
    expect(repositoryNameFromUrl('https://git.example.com/acme/jobs/')).toBe('jobs');
    const folder = cloneFolderName('https://t@git.example.com/acme/jobs.git', 'main');
    expect(folder).toMatch(/^jobs-[0-9a-f]{12}$/);
    // Credentials do not change where the clone lives; the branch does.
    expect(cloneFolderName('https://git.example.com/acme/jobs.git', 'main')).toBe(folder);
    expect(cloneFolderName('https://git.example.com/acme/jobs.git', 'staging')).not.toBe(folder);
  });

  it('compares repositories regardless of scheme, case, credentials, .git and trailing slash', () => {
    expect(sameRepository('https://github.com/Acme/Jobs.git', 'http://token@github.com/acme/jobs/')).toBe(true);
    expect(sameRepository('https://github.com/acme/jobs.git', 'https://github.com/acme/jobs-old.git')).toBe(false);
    expect(sameRepository('https://github.com/acme/jobs.git', 'https://gitlab.com/acme/jobs.git')).toBe(false);
  });
});

describe('GenerationalMemo', () => {
  it('forgets what one whole generation did not use', () => {
    const memo = new GenerationalMemo<number>();
    memo.set('a', 1);
    memo.set('b', 2);
    memo.nextGeneration();
    expect(memo.get('a')).toBe(1);
    memo.nextGeneration();
    expect(memo.get('a')).toBe(1);
    expect(memo.get('b')).toBeUndefined();
    expect(memo.size).toBe(1);
  });
});
