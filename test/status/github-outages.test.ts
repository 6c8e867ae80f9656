// GitHub failing, hanging or refusing the token: the reporter never throws into
// the caller, never blocks it, and catches up afterwards with the newest state.
import { TOKEN, commit, startGitHub } from './github-support.js';
import type { GitHubSetup } from './github-support.js';

let github: GitHubSetup;
afterEach(() => github.close());

const sha = commit('main: deploy web');
const subject = { jobId: 'web', commitSha: sha, deploymentId: 'c5b34665' };

describe('GitHub down for a while', () => {
  it('answering 500: the statuses catch up afterwards and the newest wins', async () => {
    github = await startGitHub();
    const { reporter, standIn, clock, logged } = github;
    standIn.failNext(3);
    reporter.deploymentStarted({ ...subject, description: 'Deploying version 3' });
    reporter.deploymentFinished({ ...subject, status: 'successful', description: 'Deployment completed successfully' });
    await reporter.idle();

    // The pending state went stale while GitHub was down: only the success is posted.
    expect(standIn.statuses(sha, 'deckhand/web').map((s) => s.state)).toEqual(['success']);
    expect(standIn.exchanges.map((e) => e.status)).toEqual([500, 500, 500, 201]);
    expect(clock.delaysAsked).toEqual([1_000, 2_000, 4_000]);
    expect(logged.map((l) => l.details.retryInMs)).toEqual([1_000, 2_000, 4_000]);
    expect(logged[0]!.message).toMatch(/status deckhand\/web \(pending\) on [0-9a-f]{7} failed \(HTTP 500: Server Error - https:\/\/docs.github.com\/rest\); retrying in 1000 ms/);
    expect(standIn.violations).toEqual([]);
  });

  it('timing out: the request is given up on, retried, and the newest state wins', async () => {
    // Real time, unlike the retry waits: the timeout is the network's, not the reporter's clock.
    github = await startGitHub({ requestTimeoutMs: 500 });
    const { reporter, standIn, logged } = github;
    standIn.hangNext(1);
    reporter.deploymentStarted({ ...subject, description: 'Deploying version 3' });
    await standIn.receivedRequests(1);
    // The caller is not held up while GitHub hangs: the next report is taken at once.
    reporter.deploymentFinished({ ...subject, status: 'failed', description: 'Failed due to unhealthy allocations - rolling back to job version 1' });
    await reporter.idle();

    expect(standIn.exchanges[0]!.status).toBe('hung');
    expect(standIn.exchanges.at(-1)!.status).toBe(201);
    expect(standIn.statuses(sha, 'deckhand/web')).toEqual([
      expect.objectContaining({ state: 'failure', description: 'Failed due to unhealthy allocations - rolling back to job version 1' }),
    ]);
    expect(logged[0]!.details).toMatchObject({ reason: 'HTTP 500: no answer within 500 ms', retryInMs: 1_000 });
    expect(standIn.violations).toEqual([]);
  });

  it('a long outage: the wait between retries doubles up to its cap', async () => {
    github = await startGitHub({ initialRetryDelayMs: 1_000, maxRetryDelayMs: 8_000 });
    const { reporter, standIn, clock } = github;
    standIn.failNext(7, 502);
    reporter.deploymentStarted({ ...subject, description: 'Deploying version 3' });
    await reporter.idle();

    expect(clock.delaysAsked).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
    expect(standIn.latestStatuses(sha)['deckhand/web']!.state).toBe('pending');
    expect(standIn.violations).toEqual([]);
  });

  it('one failing context does not hold up another', async () => {
    github = await startGitHub();
    const { reporter, standIn } = github;
    standIn.failNext(1);
    reporter.deploymentStarted({ ...subject, description: 'Deploying web' });
    reporter.deploymentStarted({ jobId: 'api', commitSha: sha, deploymentId: 'a1', description: 'Deploying api' });
    await reporter.idle();

    expect(Object.keys(standIn.latestStatuses(sha)).sort()).toEqual(['deckhand/api', 'deckhand/web']);
    expect(standIn.violations).toEqual([]);
  });
});

describe('shutting down during an outage', () => {
  it('close() abandons the request under way and drops what waits, quietly', async () => {
    github = await startGitHub();
    const { reporter, standIn, logged } = github;
    standIn.hangNext(1);
    reporter.deploymentStarted({ ...subject, description: 'Deploying version 3' });
    reporter.deploymentFinished({ ...subject, status: 'successful', description: 'Deployment completed successfully' });
    await standIn.receivedRequests(1);
    await reporter.close();

    reporter.deploymentStarted({ ...subject, description: 'ignored after close' });
    await reporter.idle();
    expect(standIn.exchanges.map((e) => e.status)).toEqual(['hung']);
    expect(logged).toEqual([]);
    expect(standIn.violations).toEqual([]);
  });
});

describe('GitHub refusing the token', () => {
  it('is reported, not thrown, not retried, and the token is not in the report', async () => {
    github = await startGitHub({ token: 'ghp_WrongToken0123456789abcdefghijklmnopq' });
    const { reporter, standIn, logged } = github;
    expect(() => reporter.deploymentStarted({ ...subject, description: 'Deploying version 3' })).not.toThrow();
    expect(() => reporter.planForPullRequest({ number: 1, headSha: sha }, { markdown: 'No job files changed.\n', changedJobs: 0, failedFiles: 0 })).not.toThrow();
    await reporter.idle();

    expect(standIn.exchanges.map((e) => e.status)).toEqual([401, 401, 401]);
    expect(logged).toHaveLength(3);
    for (const { details, message } of logged) {
      expect(details).toMatchObject({ reason: expect.stringContaining('HTTP 401: Bad credentials'), retryInMs: null });
      expect(JSON.stringify({ details, message })).not.toContain('WrongToken');
      expect(JSON.stringify({ details, message })).not.toContain(TOKEN);
    }
    expect(standIn.statuses(sha)).toEqual([]);
    expect(standIn.violations).toEqual([]);
  });
});

describe('reading pull requests', () => {
  it('rejects with a message that holds no token when GitHub refuses it', async () => {
    github = await startGitHub({ token: 'ghp_WrongToken0123456789abcdefghijklmnopq' });
    const failure = await github.reporter.openPullRequests().catch((error: unknown) => error as Error & { status?: number });
    expect(failure).toMatchObject({ message: expect.stringContaining('HTTP 401: Bad credentials'), status: 401 });
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain('WrongToken');
    expect(github.standIn.violations).toEqual([]);
  });
});
