// One plan comment per pull request, found again by its marker and edited in
// place; continued in further comments past GitHub's 65,536 characters.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_MARKER } from '../../src/status/forges/github/index.js';
import { LIMITS } from '../support/github-stand-in.js';
import { TOKEN, commit, startGitHub } from './github-support.js';
import type { GitHubSetup } from './github-support.js';

let github: GitHubSetup;
beforeEach(async () => {
  github = await startGitHub();
});
afterEach(() => github.close());

/** Plans as formatPlansMarkdown() writes them: the golden files of the scenario plans. */
const plansFolder = join(process.cwd(), 'fixtures', 'plans');
const scenarioPlans = readdirSync(plansFolder)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => readFileSync(join(plansFolder, name), 'utf8'));
const onePlan = scenarioPlans[0]!;

/** A pull request touching many jobs: the scenario plans again and again, past `characters`. */
function bigPlan(characters: number): string {
  const sections: string[] = [];
  for (let i = 0, length = 0; length < characters; i += 1) {
    const section = scenarioPlans[i % scenarioPlans.length]!;
    sections.push(section);
    length += section.length + 1;
  }
  return sections.join('\n');
}

const withoutFraming = (body: string) => body.split('\n').filter((line) => !line.startsWith('<!-- deckhand:plan') && !line.startsWith('**deckhand** plan for'));

describe('the plan comment on a pull request', () => {
  it('is created once, then edited in place (same comment) when the pull request is pushed again', async () => {
    const { reporter, standIn } = github;
    const first = commit('pr-4 head 1');
    const second = commit('pr-4 head 2');
    standIn.addPullRequest({ number: 4, headSha: first });
    standIn.addComment(4, 'Looks good, but wait for the canary.');

    reporter.planStarted({ number: 4, headSha: first });
    reporter.planForPullRequest({ number: 4, headSha: first }, { markdown: onePlan, changedJobs: 1, failedFiles: 0 });
    await reporter.idle();
    const [, created] = standIn.comments(4);
    expect(created!.body.startsWith(`${PLAN_MARKER}\n**deckhand** plan for ${first.slice(0, 7)}\n\n`)).toBe(true);
    expect(created!.body).toContain('<details><summary>Plan</summary>');

    standIn.moveHead(4, second);
    reporter.planForPullRequest({ number: 4, headSha: second }, { markdown: scenarioPlans[1]!, changedJobs: 1, failedFiles: 0 });
    await reporter.idle();

    const comments = standIn.comments(4);
    expect(comments.map((c) => [c.id, c.login])).toEqual([[comments[0]!.id, 'reviewer'], [created!.id, 'deckhand-bot']]);
    expect(comments[0]!.body).toBe('Looks good, but wait for the canary.');
    expect(comments[1]).toMatchObject({ edits: 1, body: expect.stringContaining(`plan for ${second.slice(0, 7)}`) });
    expect(comments[1]!.body).toContain(scenarioPlans[1]!.trimEnd());
    expect(standIn.statuses(first, 'deckhand/plan').map((s) => [s.state, s.description])).toEqual([
      ['pending', 'Planning the jobs this pull request changes'],
      ['success', '1 job changes when merged'],
    ]);
    expect(standIn.latestStatuses(second)['deckhand/plan']!.state).toBe('success');
    expect(standIn.violations).toEqual([]);
  });

  it('is left alone when the plan did not change', async () => {
    const { reporter, standIn } = github;
    const head = commit('pr-5 head');
    standIn.addPullRequest({ number: 5, headSha: head });
    for (let i = 0; i < 2; i += 1) {
      reporter.planForPullRequest({ number: 5, headSha: head }, { markdown: onePlan, changedJobs: 1, failedFiles: 0 });
      await reporter.idle();
    }
    expect(standIn.comments(5)).toEqual([expect.objectContaining({ edits: 0 })]);
    expect(standIn.exchanges.filter((e) => e.operationId === 'issues/update-comment')).toEqual([]);
    expect(standIn.violations).toEqual([]);
  });

  it('continues in further comments past 65,536 characters, and shrinks back when the plan does', async () => {
    const { reporter, standIn } = github;
    const head = commit('pr-6 head');
    standIn.addPullRequest({ number: 6, headSha: head });
    const markdown = bigPlan(150_000);
    reporter.planForPullRequest({ number: 6, headSha: head }, { markdown, changedJobs: 40, failedFiles: 0 });
    await reporter.idle();

    const parts = standIn.comments(6);
    expect(parts).toHaveLength(3);
    expect(parts.map((c) => c.body.split('\n')[0])).toEqual([PLAN_MARKER, '<!-- deckhand:plan part 2 -->', '<!-- deckhand:plan part 3 -->']);
    for (const part of parts) {
      expect([...part.body].length).toBeLessThanOrEqual(LIMITS.commentBodyCharacters);
      // Each part renders on its own: its code blocks and <details> are closed.
      expect(part.body.split('\n').filter((line) => line.startsWith('```')).length % 2).toBe(0);
      expect(part.body.split('<details>').length).toBe(part.body.split('</details>').length);
    }
    // Nothing of the plan is lost: every line of it is in the parts, in order.
    const joined = parts.flatMap((p) => withoutFraming(p.body)).join('\n');
    let position = 0;
    const lost = markdown.trimEnd().split('\n').filter((line) => {
      const found = joined.indexOf(line, position);
      if (found >= 0) position = found + line.length;
      return found < 0;
    });
    expect(lost).toEqual([]);

    reporter.planForPullRequest({ number: 6, headSha: commit('pr-6 head 2') }, { markdown: onePlan, changedJobs: 1, failedFiles: 0 });
    await reporter.idle();
    const after = standIn.comments(6);
    expect(after.map((c) => c.id)).toEqual([parts[0]!.id]);
    expect(after[0]!.body).toContain(onePlan.trimEnd());
    expect(standIn.exchanges.filter((e) => e.operationId === 'issues/delete-comment')).toHaveLength(2);
    expect(standIn.violations).toEqual([]);
  });

  it('grows again in place: existing parts are edited, only the missing ones are created', async () => {
    const { reporter, standIn } = github;
    const head = commit('pr-7 head');
    standIn.addPullRequest({ number: 7, headSha: head });
    reporter.planForPullRequest({ number: 7, headSha: head }, { markdown: bigPlan(100_000), changedJobs: 20, failedFiles: 0 });
    await reporter.idle();
    const before = standIn.comments(7).map((c) => c.id);
    reporter.planForPullRequest({ number: 7, headSha: head }, { markdown: bigPlan(190_000), changedJobs: 40, failedFiles: 0 });
    await reporter.idle();

    const after = standIn.comments(7);
    expect(before).toHaveLength(2);
    expect(after.map((c) => c.id).slice(0, 2)).toEqual(before);
    expect(after.length).toBeGreaterThan(2);
    expect(standIn.violations).toEqual([]);
  });

  it('a plan with a file that does not render: failure status; planning impossible: error status', async () => {
    const { reporter, standIn } = github;
    const head = commit('pr-8 head');
    standIn.addPullRequest({ number: 8, headSha: head });
    const markdown = ':x: **`jobs/web.nomad`** does not render; nothing in it will be deployed.\n\n```\njobs/web.nomad:3:1: unexpected "}"\n```\n';
    reporter.planForPullRequest({ number: 8, headSha: head }, { markdown, changedJobs: 0, failedFiles: 1 });
    await reporter.idle();
    expect(standIn.latestStatuses(head)['deckhand/plan']).toMatchObject({ state: 'failure', description: '1 job file does not render; see the plan comment' });

    const other = commit('pr-8 head 2');
    reporter.planFailed({ number: 8, headSha: other }, 'fetching refs/pull/8/head: connection refused');
    await reporter.idle();
    expect(standIn.latestStatuses(other)['deckhand/plan']).toMatchObject({ state: 'error', description: 'Could not plan: fetching refs/pull/8/head: connection refused' });
    expect(standIn.violations).toEqual([]);
  });

  it('never carries the token, even when the plan text does', async () => {
    const { reporter, standIn } = github;
    const head = commit('pr-9 head');
    standIn.addPullRequest({ number: 9, headSha: head });
    reporter.planForPullRequest({ number: 9, headSha: head }, { markdown: `${onePlan}\n\`GITHUB_TOKEN=${TOKEN}\`\n`, changedJobs: 1, failedFiles: 0 });
    await reporter.idle();
    expect(standIn.comments(9)[0]!.body).not.toContain(TOKEN);
    expect(standIn.comments(9)[0]!.body).toContain('GITHUB_TOKEN=[redacted]');
    expect(standIn.violations).toEqual([]);
  });
});

describe('open pull requests, for polling when webhooks do not come', () => {
  it('lists every open one, page after page', async () => {
    const { reporter, standIn } = github;
    for (let number = 1; number <= 120; number += 1) standIn.addPullRequest({ number, headSha: commit(`pr-${number}`), state: number % 10 === 0 ? 'closed' : 'open' });
    const open = await reporter.openPullRequests();
    expect(open).toHaveLength(108);
    expect(open.find((pr) => pr.number === 7)).toEqual({
      number: 7,
      title: 'Pull request 7',
      headSha: commit('pr-7'),
      headRef: 'change-7',
      baseRef: 'main',
      url: `https://github.com/${standIn.owner}/${standIn.repo}/pull/7`,
    });
    expect(await reporter.pullRequest(7)).toMatchObject({ number: 7, headSha: commit('pr-7') });
    expect(await reporter.pullRequest(999)).toBeNull();
    // The 404 above is GitHub saying "no such pull request", an answer, not a mistake in the request.
    expect(standIn.violations.filter((v) => v.kind !== 'not-found')).toEqual([]);
  });
});
