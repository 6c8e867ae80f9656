// Commit statuses per job, context `deckhand/<job>`, as the stand-in (and so
// GitHub) receives them.
import type { Diagnostic } from '../../src/model/diagnostic.js';
import { TOKEN, commit, startGitHub } from './github-support.js';
import type { GitHubSetup } from './github-support.js';

let github: GitHubSetup;
afterEach(() => github.close());

const sha = commit('main: bump web and api');
const summary = (statuses: { state: string; description: string | null }[]) => statuses.map((s) => [s.state, s.description]);

describe('commit statuses per job', () => {
  beforeEach(async () => {
    github = await startGitHub({ publicUrl: 'https://deckhand.example.com/' });
  });

  it('pending when a deployment starts, success when it completes, one context per job', async () => {
    const { reporter, standIn } = github;
    reporter.deploymentStarted({ jobId: 'web', commitSha: sha, deploymentId: 'c5b34665', description: 'Deploying version 3' });
    reporter.deploymentStarted({ jobId: 'api', commitSha: sha, deploymentId: '9e1f0a2b', description: 'Deploying version 7' });
    await reporter.idle();
    reporter.deploymentFinished({ jobId: 'web', commitSha: sha, deploymentId: 'c5b34665', status: 'successful', description: 'Deployment completed successfully' });
    reporter.deploymentFinished({ jobId: 'api', commitSha: sha, deploymentId: '9e1f0a2b', status: 'successful', description: '' });
    await reporter.idle();

    expect(summary(standIn.statuses(sha, 'deckhand/web'))).toEqual([['pending', 'Deploying version 3'], ['success', 'Deployment completed successfully']]);
    expect(summary(standIn.statuses(sha, 'deckhand/api'))).toEqual([['pending', 'Deploying version 7'], ['success', 'Deployment completed successfully']]);
    expect(standIn.latestStatuses(sha)['deckhand/web']!.targetUrl).toBe('https://deckhand.example.com/ui/deployments/c5b34665');
    expect(standIn.violations).toEqual([]);
  });

  it('a rolled-back deployment is a failure that says so', async () => {
    const { reporter, standIn } = github;
    reporter.deploymentStarted({ jobId: 'geo-api-server', commitSha: sha, deploymentId: 'd1', description: 'Deploying version 2' });
    reporter.deploymentFinished({
      jobId: 'geo-api-server',
      commitSha: sha,
      deploymentId: 'd1',
      status: 'failed',
      description: 'Failed due to unhealthy allocations - rolling back to job version 1',
    });
    await reporter.idle();

    const latest = standIn.latestStatuses(sha)['deckhand/geo-api-server']!;
    expect(latest).toMatchObject({ state: 'failure', description: 'Failed due to unhealthy allocations - rolling back to job version 1' });
    expect(standIn.violations).toEqual([]);
  });

  it('a job file that does not render: error, pointing at file and line', async () => {
    const { reporter, standIn } = github;
    const diagnostic = (line: number, message: string): Diagnostic => ({ severity: 'error', code: 'invalid-value', file: 'jobs/web.nomad', line, col: 5, field: 'update.canary', message });
    reporter.renderFailed({ commitSha: sha, jobId: 'web', file: 'jobs/web.nomad', diagnostics: [diagnostic(12, 'must be between 0 and count (10), got 12'), diagnostic(20, 'another problem')] });
    reporter.renderFailed({ commitSha: sha, jobId: null, file: 'jobs/new.nomad', diagnostics: [{ ...diagnostic(3, 'unexpected "}"'), file: 'jobs/new.nomad', field: '', code: 'syntax' }] });
    await reporter.idle();

    expect(standIn.latestStatuses(sha)['deckhand/web']).toMatchObject({
      state: 'error',
      description: 'jobs/web.nomad:12:5: update.canary: must be between 0 and count (10), got 12 (+1 more)',
      targetUrl: null,
    });
    // A file whose job is not known yet is named by the file.
    expect(standIn.latestStatuses(sha)['deckhand/jobs/new.nomad']).toMatchObject({ state: 'error', description: 'jobs/new.nomad:3:5: unexpected "}"' });
    expect(standIn.violations).toEqual([]);
  });

  it('a description of 141 characters is cut to 140, ending in an ellipsis', async () => {
    const { reporter, standIn } = github;
    const long = `Failed due to unhealthy allocations in group api-server (task server: exit code 137, OOM killed) - rolling back to job version 12345678901234`;
    expect(long).toHaveLength(141);
    reporter.deploymentFinished({ jobId: 'web', commitSha: sha, deploymentId: 'd2', status: 'failed', description: long });
    await reporter.idle();

    const { description } = standIn.latestStatuses(sha)['deckhand/web']!;
    expect([...description!]).toHaveLength(140);
    expect(description).toBe(`${long.slice(0, 139)}…`);
    expect(standIn.violations).toEqual([]);
  });

  it('progress is rate-limited per context: a burst of updates sends the newest once the interval has passed', async () => {
    const { reporter, standIn, clock } = github;
    const at = (description: string) => ({ jobId: 'web', commitSha: sha, deploymentId: 'd3', description });
    reporter.deploymentStarted(at('Deploying version 4'));
    await reporter.idle();
    for (let healthy = 1; healthy <= 5; healthy += 1) reporter.deploymentProgressed(at(`${healthy} of 6 allocations healthy`));
    await reporter.idle();

    expect(summary(standIn.statuses(sha, 'deckhand/web'))).toEqual([['pending', 'Deploying version 4'], ['pending', '5 of 6 allocations healthy']]);
    expect(clock.delaysAsked).toEqual([10_000]);
    expect(standIn.violations).toEqual([]);
  });

  it('the end of a deployment does not wait for the progress interval, and replaces waiting progress', async () => {
    const { reporter, standIn, clock } = github;
    const subject = { jobId: 'web', commitSha: sha, deploymentId: 'd4' };
    reporter.deploymentStarted({ ...subject, description: 'Deploying version 5' });
    await reporter.idle();
    reporter.deploymentProgressed({ ...subject, description: '3 of 6 allocations healthy' });
    reporter.deploymentFinished({ ...subject, status: 'successful', description: 'Deployment completed successfully' });
    await reporter.idle();

    expect(summary(standIn.statuses(sha, 'deckhand/web'))).toEqual([['pending', 'Deploying version 5'], ['success', 'Deployment completed successfully']]);
    // No time passed: the success did not wait out the progress interval.
    expect(clock.now()).toBe(clock.start);
    expect(standIn.violations).toEqual([]);
  });

  it('the token never appears in a status, even when a description contains it', async () => {
    const { reporter, standIn } = github;
    reporter.deploymentFinished({ jobId: 'web', commitSha: sha, deploymentId: 'd5', status: 'failed', description: `env GITHUB_TOKEN=${TOKEN} was rejected` });
    await reporter.idle();

    expect(standIn.latestStatuses(sha)['deckhand/web']!.description).toBe('env GITHUB_TOKEN=[redacted] was rejected');
    expect(standIn.violations).toEqual([]);
  });
});

describe('where statuses go', () => {
  it('no public URL: no link', async () => {
    github = await startGitHub({ publicUrl: null });
    github.reporter.deploymentStarted({ jobId: 'web', commitSha: sha, deploymentId: 'd6', description: 'Deploying' });
    await github.reporter.idle();
    expect(github.standIn.latestStatuses(sha)['deckhand/web']!.targetUrl).toBeNull();
    expect(github.standIn.violations).toEqual([]);
  });

  it('an API under a path, as GitHub Enterprise serves it (/api/v3)', async () => {
    github = await startGitHub({}, { pathPrefix: '/api/v3' });
    expect(github.standIn.apiUrl).toMatch(/\/api\/v3$/);
    github.reporter.deploymentStarted({ jobId: 'web', commitSha: sha, deploymentId: 'd7', description: 'Deploying' });
    await github.reporter.idle();
    expect(github.standIn.latestStatuses(sha)['deckhand/web']!.state).toBe('pending');
    expect(github.standIn.violations).toEqual([]);
  });

  it("with octokit's throttling and retry on, as in production", async () => {
    github = await startGitHub({ throttleAndRetry: true });
    github.reporter.deploymentStarted({ jobId: 'web', commitSha: sha, deploymentId: 'd8', description: 'Deploying' });
    await github.reporter.idle();
    expect(github.standIn.latestStatuses(sha)['deckhand/web']!.state).toBe('pending');
    expect(github.standIn.violations).toEqual([]);
  });
});
