// A job file's warnings travel where its errors do: in the job's commit statuses
// (through the bus, forge-reports.ts) and in the pull request's plan comment and status.
import type { DeckhandEvent } from '../../src/model/events.js';
import type { Diagnostic } from '../../src/model/diagnostic.js';
import type { Deployment, JobVersion } from '../../src/model/state.js';
import { formatPlansMarkdown } from '../../src/plan/format-markdown.js';
import { forgeReports } from '../../src/status/forge-reports.js';
import type { Store } from '../../src/store/index.js';
import { commit, startGitHub } from './github-support.js';
import type { GitHubSetup } from './github-support.js';

let github: GitHubSetup;
beforeEach(async () => {
  github = await startGitHub();
});
afterEach(() => github.close());

const warning: Diagnostic = { severity: 'warning', code: 'deprecated', file: 'jobs/web.nomad', line: 6, col: 7, field: 'update.stagger', message: 'stagger is deprecated: Nomad paces updates by min_healthy_time, as deckhand does; it is ignored' };

describe('warnings in commit statuses', () => {
  it('a deployment of a commit whose file warns: pending and success say how many warnings and the first, after the outcome', async () => {
    const { reporter, standIn } = github;
    const sha = commit('web with a deprecated field');
    // The store only tells which commit a deployment's version came from.
    const version = { source: { kind: 'git', commit: sha } } as unknown as JobVersion;
    const report = forgeReports({ getVersion: () => version } as unknown as Store, reporter);
    const publish = (event: DeckhandEvent) => report(event);

    publish({ type: 'render-warning', jobId: 'web', commit: sha, file: 'jobs/web.nomad', diagnostics: [warning, { ...warning, line: 9 }], message: '' });
    publish({ type: 'submitted', jobId: 'web', commit: sha, deploymentId: 'd1', description: 'Deployment started', message: '' });
    await reporter.idle();
    const deployment = { id: 'd1', jobId: 'web', jobVersion: 1, status: 'successful', description: 'Deployment completed successfully', groups: [] } as unknown as Deployment;
    publish({ type: 'deployment', jobId: 'web', deployment, message: '' });
    await reporter.idle();

    const statuses = standIn.statuses(sha, 'deckhand/web').map((s) => [s.state, s.description]);
    expect(statuses).toEqual([
      ['pending', 'Deployment started (2 warnings: jobs/web.nomad:6:7: warning: update.stagger: stagger is deprecated: Nomad paces updates by min_healthy_time…'],
      ['success', 'Deployment completed successfully (2 warnings: jobs/web.nomad:6:7: warning: update.stagger: stagger is deprecated: Nomad paces updates by m…'],
    ]);
    expect(statuses.every(([, description]) => [...description!].length <= 140)).toBe(true);
    expect(standIn.violations).toEqual([]);
  });

  it('the warnings of an older commit do not follow the job to a newer one', async () => {
    const { reporter, standIn } = github;
    const older = commit('older');
    const newer = commit('newer');
    const report = forgeReports({ getVersion: () => undefined } as unknown as Store, reporter);
    report({ type: 'render-warning', jobId: 'web', commit: older, file: 'jobs/web.nomad', diagnostics: [warning], message: '' });
    report({ type: 'submitted', jobId: 'web', commit: newer, deploymentId: 'd2', description: 'Deployment started', message: '' });
    await reporter.idle();
    expect(standIn.latestStatuses(newer)['deckhand/web']).toMatchObject({ state: 'pending', description: 'Deployment started' });
  });
});

describe('warnings in the plan of a pull request', () => {
  it('the comment shows each warned file after the errors; the plan status counts them', async () => {
    const { reporter, standIn } = github;
    const head = commit('pr-3 head');
    standIn.addPullRequest({ number: 3, headSha: head });
    const markdown = formatPlansMarkdown([], [], [{ file: 'jobs/web.nomad', lines: ['jobs/web.nomad:6:7: warning: update.stagger: stagger is deprecated'] }]);
    expect(markdown).toBe(':warning: **`jobs/web.nomad`** renders with a warning.\n\n```\njobs/web.nomad:6:7: warning: update.stagger: stagger is deprecated\n```\n\nNo job files changed.\n');
    reporter.planForPullRequest({ number: 3, headSha: head }, { markdown, changedJobs: 0, failedFiles: 0, warnings: 1 });
    await reporter.idle();
    expect(standIn.comments(3)[0]!.body).toContain(':warning: **`jobs/web.nomad`** renders with a warning.');
    expect(standIn.latestStatuses(head)['deckhand/plan']).toMatchObject({ state: 'success', description: 'No changes to jobs; 1 warning, see the plan comment' });
    expect(standIn.violations).toEqual([]);
  });
});
