// The dashboard's pure parts: escaping, the timeline's batches, problem lines, the session's cookie and form token.
import type { AllocationView, DeploymentView, JobSummaryView } from '../../src/api/index.js';
import { escapeHtml, html } from '../../src/ui/html.js';
import { jobsLive, problemLine } from '../../src/ui/pages.js';
import { newSession } from '../../src/ui/session.js';
import { batchesOf, timelineSvg } from '../../src/ui/timeline.js';

const alloc = (index: number, createdAt: number, extra: Partial<AllocationView> = {}): AllocationView => ({
  id: `a${index}-${createdAt}`, group: 'web', index, version: 1, image: 'x', desired: 'run', status: 'running', healthy: true, canary: false,
  deployment: 'd1', ports: {}, description: '', createdAt, modifiedAt: createdAt + 500, ...extra,
});
const deployment: DeploymentView = { id: 'd1', jobVersion: 1, status: 'running', description: 'Deployment is running', createdAt: 1_000, updatedAt: 5_000, groups: [] };

describe('html', () => {
  it('escapes every value, keeps Html built by the tag, drops null and false, joins arrays', () => {
    const name = '<img src=x onerror="alert(1)">&\'';
    expect(escapeHtml(name)).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
    expect(html`<td title="${name}">${[html`<b>${name}</b>`, null, false, 3]}</td>`.text).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"><b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;</b>3</td>',
    );
  });

  it('escapes what the API sends into the jobs page (a job id, a deployment description, a sync problem)', () => {
    const jobs: JobSummaryView[] = [{ id: '<script>x</script>', version: 0, status: 'running', modifyIndex: 1, format: 'nomad', latestDeployment: { id: 'd', status: 'failed', description: '<b>bad</b>' } }];
    const text = jobsLive(jobs, { sha: 'abc', lastSyncAt: 0, lastError: null, problems: ['jobs/a.nomad:3:13: <unexpected>'] }).text;
    expect(text).not.toMatch(/<script>|<b>bad|<unexpected>/);
    expect(text).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});

describe('sync state on the jobs page', () => {
  it('shows each Git job\'s state with its reason on hover, a dash for the others', () => {
    const base: JobSummaryView = { id: 'web', version: 1, status: 'running', modifyIndex: 2, format: 'nomad', latestDeployment: null };
    const text = jobsLive([{ ...base, sync: { state: 'out of sync', reason: 'render error: web.nomad:3:7: <bad>', commit: 'abc' } }, { ...base, id: 'api', sync: null }], null).text;
    expect(text).toContain('<td><span class="sync-state out-of-sync" data-sync="out of sync" title="render error: web.nomad:3:7: &lt;bad&gt;">out of sync</span></td>');
    expect(text).toMatch(/<tr data-job="api">.*<td>—<\/td><td>1<\/td>/);
  });
});

describe('problemLine', () => {
  it('sets the file:line:col apart, and leaves a line without one whole', () => {
    expect(problemLine('jobs/web.nomad:3:13: expected an expression').text).toBe('<li><code class="where">jobs/web.nomad:3:13</code> expected an expression</li>');
    expect(problemLine('jobs/gone.nomad: removed').text).toBe('<li>jobs/gone.nomad: removed</li>');
  });
});

describe('the deployment timeline', () => {
  it('cuts allocations placed together into batches, in order of placement', () => {
    const batches = batchesOf([alloc(2, 4_000), alloc(0, 1_000), alloc(1, 1_100)]);
    expect(batches.map((b) => b.allocations.map((a) => a.index))).toEqual([[0, 1], [2]]);
  });

  it('draws one row per allocation of the deployment, coloured by health, and greys the ones it replaces', () => {
    const allocations = [
      alloc(0, 1_000, { canary: true }),
      alloc(1, 3_000, { healthy: null }),
      alloc(0, 0, { id: 'old', version: 0, deployment: 'd0', desired: 'stop', status: 'complete', modifiedAt: 2_900 }),
      alloc(0, 0, { id: 'elsewhere', deployment: 'd9', version: 1 }),
    ];
    const svg = timelineSvg(deployment, allocations, 6_000).text;
    expect(svg).toContain('data-batches="2"');
    expect(svg.match(/<g class="alloc healthy"/g)).toHaveLength(1);
    expect(svg.match(/<g class="alloc pending"/g)).toHaveLength(1);
    expect(svg).toContain('web[0] v1 canary');
    expect(svg).toContain('<g class="old" data-alloc="old">');
    expect(svg).not.toContain('elsewhere');
  });
});

describe('the session', () => {
  it('with a token: signs in only with the cookie holding it; the cookie is HttpOnly and SameSite=Strict', () => {
    const session = newSession('t0ken');
    expect(session.signedIn(undefined)).toBe(false);
    expect(session.signedIn('other=1; deckhand_session=wrong')).toBe(false);
    expect(session.signedIn('other=1; deckhand_session=t0ken')).toBe(true);
    expect(session.cookie('t0ken')).toBe('deckhand_session=t0ken; Path=/; HttpOnly; SameSite=Strict');
    expect(session.cookie(null)).toMatch(/^deckhand_session=; .*Max-Age=0$/);
  });

  it('derives the form token from the API token (stable across restarts), and from a random key without one', () => {
    expect(newSession('t0ken').formToken).toBe(newSession('t0ken').formToken);
    expect(newSession('t0ken').formToken).not.toBe(newSession('other').formToken);
    expect(newSession(null).formToken).not.toBe(newSession(null).formToken);
    const session = newSession(null);
    expect(session.signedIn(undefined)).toBe(true);
    expect(session.formTokenMatches(session.formToken)).toBe(true);
    expect(session.formTokenMatches('guess')).toBe(false);
    expect(session.formTokenMatches(undefined)).toBe(false);
  });
});

describe('the pull requests page', () => {
  it('shows each plan as its comment says it, escaped, newest first as given', async () => {
    const { pullRequestsPage } = await import('../../src/ui/pages.js');
    const page = pullRequestsPage(
      [{ number: 9, headSha: 'abcdef0123456789', markdown: '<!-- deckhand:plan -->\n<script>alert(1)</script> `web` changes', changedJobs: 1, failedFiles: 0, warnings: 2, plannedAt: 0 }],
      { formToken: 't', signedIn: false },
    ).text;
    expect(page).toContain('#9 at <code>abcdef01</code>');
    expect(page).toContain('1 job(s) would change · 0 file(s) do not render · 2 warning(s)');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert');
    expect(pullRequestsPage([], { formToken: 't', signedIn: false }).text).toContain('No pull request planned since the agent started');
  });
});
