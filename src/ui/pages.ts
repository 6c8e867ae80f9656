// The dashboard's pages, from the API's own answers (so a secret value is masked
// exactly as the API masks it: the pages never see another). Pure: views in, Html out.
import type { AllocationView, DeploymentView, JobStatusView, JobSummaryView, PullRequestPlanView, VersionView } from '../api/index.js';
import type { JobDiff } from '../plan/index.js';
import { formatDiffText } from '../plan/index.js';
import type { Job } from '../model/index.js';
import { descriptions } from '../rollout/index.js';
import { html } from './html.js';
import type { Html, HtmlValue } from './html.js';
import { healthOf, timelineSvg } from './timeline.js';

/** What `GET /v1/sync` answers (src/agent/gitops.ts), as far as the pages show it. */
export interface SyncView {
  sha: string | null;
  lastSyncAt: number | null;
  lastError: string | null;
  problems: string[];
}

export type VersionRow = VersionView & { job: Job; diff?: JobDiff | null };

export interface PageContext {
  /** The buttons' form token (session.ts). */
  formToken: string;
  /** Whether a sign-out button makes sense. */
  signedIn: boolean;
  /** What a button just did (session.ts's flash). */
  notice?: string | undefined;
  error?: string | undefined;
}

const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');
const short = (id: string | null) => (id === null ? '—' : id.slice(0, 8));

export function layout(title: string, context: PageContext | null, body: HtmlValue): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · deckhand</title>
<link rel="stylesheet" href="/ui/assets/dashboard.css">
<script src="/ui/assets/dashboard.js" defer></script>
</head>
<body>
<header><a class="brand" href="/ui">deckhand</a>${context?.signedIn ? html`<form method="post" action="/ui/logout" class="logout"><input type="hidden" name="form_token" value="${context.formToken}"><button>Sign out</button></form>` : null}</header>
${context?.notice ? html`<p class="notice" role="status">${context.notice}</p>` : null}
${context?.error ? html`<p class="error" role="alert">${context.error}</p>` : null}
${body}
</body>
</html>
`;
}

export function loginPage(next: string, error: string | null): Html {
  return layout(
    'Sign in',
    error ? { formToken: '', signedIn: false, error } : null,
    html`<main class="login"><h1>Sign in</h1>
<p>This agent has an API token. Type it to read jobs and use the buttons; your browser keeps it in a cookie for this site only.</p>
<form method="post" action="/ui/login">
<input type="hidden" name="next" value="${next}">
<label>API token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button>Sign in</button>
</form></main>`,
  );
}

/** A problem line with its `file:line:col` set apart, so the place stands out. */
export function problemLine(text: string): Html {
  const match = /^(\S+?:\d+:\d+)(:?\s*)([\s\S]*)$/.exec(text);
  return match ? html`<li><code class="where">${match[1]}</code> ${match[3]}</li>` : html`<li>${text}</li>`;
}

export function syncPanel(sync: SyncView | null): Html {
  if (!sync) return html`<section class="sync"><h2>Git</h2><p>This agent follows no repository (start it with <code>--repo</code>).</p></section>`;
  return html`<section class="sync" id="sync"><h2>Git</h2>
<dl><dt>Last synced commit</dt><dd><code data-sha="${sync.sha ?? ''}">${sync.sha ?? 'none yet'}</code></dd>
<dt>Synced at</dt><dd>${time(sync.lastSyncAt)}</dd>
${sync.lastError ? html`<dt>Last sync failed</dt><dd class="error">${sync.lastError}</dd>` : null}</dl>
${sync.problems.length ? html`<h3>What the commit could not carry out</h3><ul class="problems">${sync.problems.map(problemLine)}</ul>` : html`<p class="ok">Every job file of the commit rendered.</p>`}
</section>`;
}

/** A Git-owned job's sync state, its reason on hover; a dash for jobs that did not come from Git. */
function syncBadge(sync: JobSummaryView['sync']): Html | string {
  if (!sync) return '—';
  return html`<span class="sync-state ${sync.state.replace(/ /g, '-')}" data-sync="${sync.state}" title="${sync.reason ?? ''}">${sync.state}</span>`;
}

const deploymentCell = (d: JobSummaryView['latestDeployment']) =>
  d ? html`<span class="dep ${d.status}">${d.status}</span> <small>${d.description}</small>` : '—';

/** The part of the jobs page that live updates redraw. */
export function jobsLive(jobs: JobSummaryView[], sync: SyncView | null): Html {
  return html`<section>
${jobs.length === 0 ? html`<p>No job yet.</p>` : html`<table class="jobs"><thead><tr><th>Job</th><th>Status</th><th>Sync</th><th>Version</th><th>Format</th><th>Latest deployment</th></tr></thead><tbody>
${jobs.map((j) => html`<tr data-job="${j.id}"><td><a href="/ui/job/${encodeURIComponent(j.id)}">${j.id}</a></td><td><span class="status ${j.status}">${j.status}</span></td><td>${syncBadge(j.sync)}</td><td>${j.version}</td><td>${j.format}</td><td>${deploymentCell(j.latestDeployment)}</td></tr>`)}
</tbody></table>`}
</section>
${syncPanel(sync)}`;
}

export function jobsPage(jobs: JobSummaryView[], sync: SyncView | null, context: PageContext): Html {
  return layout('Jobs', context, html`<nav>Jobs · <a href="/ui/pull-requests">Pull requests</a></nav><h1>Jobs</h1><main id="live" data-events="/v1/events" data-part="/ui?part=live">${jobsLive(jobs, sync)}</main>`);
}

/**
 * The plans of open pull requests, as their comments say them (markdown shown as
 * written: the page adds no renderer and no script). Nothing from a pull request is deployed.
 */
export function pullRequestsPage(plans: PullRequestPlanView[], context: PageContext): Html {
  return layout(
    'Pull requests',
    context,
    html`<nav><a href="/ui">Jobs</a> / Pull requests</nav>
<h1>Pull requests</h1>
<main>${plans.length === 0 ? html`<p>No pull request planned since the agent started (plans need a forge: --github-token-file and --github-repo).</p>` : plans.map(
      (p) => html`<article class="pull-request" data-pull-request="${p.number}">
<h2>#${p.number} at <code>${short(p.headSha)}</code></h2>
<p>${p.changedJobs} job(s) would change · ${p.failedFiles} file(s) do not render · ${p.warnings} warning(s) · planned ${time(p.plannedAt)}</p>
<pre class="plan">${p.markdown}</pre>
</article>`,
    )}</main>`,
  );
}

/** As `deckhand promote` sees it (src/cli/follow.ts): the rollout says it waits. */
const waitsForPromotion = (d: DeploymentView) => d.status === 'running' && d.description === descriptions.needsPromotion;

function hiddenToken(context: PageContext): Html {
  return html`<input type="hidden" name="form_token" value="${context.formToken}">`;
}

function deploymentSection(job: JobStatusView, context: PageContext, now: number): Html {
  const d = job.latestDeployment;
  if (!d) return html`<section class="deployment"><h2>Deployment</h2><p>No deployment yet.</p></section>`;
  const promotable = waitsForPromotion(d);
  return html`<section class="deployment" data-deployment="${d.id}" data-status="${d.status}"><h2>Deployment <code>${short(d.id)}</code> of version ${d.jobVersion}</h2>
<p><span class="dep ${d.status}">${d.status}</span> ${d.description} <small>(started ${time(d.createdAt)})</small></p>
<table class="groups"><thead><tr><th>Group</th><th>Desired</th><th>Placed</th><th>Healthy</th><th>Unhealthy</th><th>Canaries</th><th>Promoted</th></tr></thead><tbody>
${d.groups.map((g) => html`<tr><td>${g.name}</td><td>${g.desired}</td><td>${g.placed}</td><td>${g.healthy}</td><td>${g.unhealthy}</td><td>${g.canaries}</td><td>${g.canaries ? (g.promoted ? 'yes' : 'no') : '—'}</td></tr>`)}
</tbody></table>
${timelineSvg(d, job.allocations, now)}
${promotable ? html`<form method="post" action="/ui/job/${encodeURIComponent(job.id)}/promote" class="promote">${hiddenToken(context)}<button class="primary" name="deployment" value="${d.id}">Promote the canaries</button></form>` : null}
</section>`;
}

function portsOf(a: AllocationView): string {
  return Object.entries(a.ports).map(([label, port]) => `${label}=${port}`).join(', ') || '—';
}

function endpointsOf(job: JobStatusView, a: AllocationView): string {
  return job.endpoints.filter((e) => e.allocations.includes(a.id)).map((e) => `${e.address}:${e.port}`).join(', ') || '—';
}

/** The part of the job page that live updates redraw. */
export function jobLive(job: JobStatusView, context: PageContext, now: number): Html {
  return html`<section class="summary"><p><span class="status ${job.status}">${job.status}</span> version ${job.version}${job.stopped ? ' (stopped)' : ''} · ${job.format}${job.file ? html` · <code>${job.file}</code>` : null}</p>
${job.sync ? html`<p class="job-sync">${syncBadge(job.sync)}${job.sync.commit ? html` <code>${short(job.sync.commit)}</code>` : null}${job.sync.reason ? html` ${job.sync.reason}` : null}</p>` : null}
<table class="groups"><thead><tr><th>Group</th><th>Count</th><th>Running</th><th>Healthy</th></tr></thead><tbody>
${job.groups.map((g) => html`<tr><td>${g.name}</td><td>${g.count}</td><td>${g.running}</td><td>${g.healthy}</td></tr>`)}
</tbody></table></section>
${deploymentSection(job, context, now)}
<section><h2>Endpoints</h2>${job.endpoints.length === 0 ? html`<p>None published.</p>` : html`<ul>${job.endpoints.map((e) => html`<li><code>${e.address}:${e.port}</code> → ${e.group}.${e.portLabel}, ${e.allocations.length} allocation(s)${e.error ? html` <span class="error">${e.error}</span>` : null}</li>`)}</ul>`}</section>
<section><h2>Allocations</h2>
<table class="allocs"><thead><tr><th>ID</th><th>Group</th><th>Version</th><th>Status</th><th>Health</th><th>Ports</th><th>Endpoint</th><th>Image</th><th>Modified</th></tr></thead><tbody>
${job.allocations.map((a) => html`<tr data-alloc="${a.id}" class="${a.desired === 'stop' ? 'stopped' : ''}"><td><code>${short(a.id)}</code>${a.canary ? html` <span class="tag">canary</span>` : null}</td><td>${a.group}[${a.index}]</td><td>${a.version}</td><td>${a.status}${a.desired === 'stop' && a.status === 'running' ? ' (stopping)' : ''}</td><td><span class="health ${healthOf(a)}">${healthOf(a)}</span></td><td>${portsOf(a)}</td><td>${endpointsOf(job, a)}</td><td><code>${a.image}</code></td><td>${time(a.modifiedAt)}</td></tr>`)}
</tbody></table></section>`;
}

/** Each task's environment as the API shows it: secret values already masked there. */
function environment(job: Job | undefined): Html | null {
  const rows = job?.groups.flatMap((g) => g.tasks.flatMap((t) => Object.entries(t.env).map(([name, value]) => ({ where: `${g.name}.${t.name}`, name, value })))) ?? [];
  if (rows.length === 0) return null;
  return html`<section><h2>Environment</h2><table class="env"><tbody>${rows.map((r) => html`<tr><td>${r.where}</td><td><code>${r.name}</code></td><td><code>${r.value}</code></td></tr>`)}</tbody></table></section>`;
}

/** Where the running version came from, and what the last synced commit could not do with this job's file. */
function origin(job: JobStatusView, current: VersionRow | undefined, sync: SyncView | null): Html | null {
  if (!current) return null;
  const source = current.source;
  const mine = sync && job.file ? sync.problems.filter((p) => p.startsWith(`${job.file}:`) || p.includes(` ${job.file}`)) : [];
  return html`<section class="origin"><h2>Source</h2>
<p>Version ${current.version}: ${source.kind}${source.commit ? html` commit <code>${source.commit}</code>` : null}${source.message ? html` · ${source.message}` : null}${source.revertOf !== null ? ` · a revert to version ${source.revertOf}` : ''}</p>
${sync ? html`<p>Last synced commit <code>${sync.sha ?? 'none yet'}</code></p>` : null}
${mine.length ? html`<ul class="problems">${mine.map(problemLine)}</ul>` : null}
</section>`;
}

export function jobPage(job: JobStatusView, current: VersionRow | undefined, sync: SyncView | null, context: PageContext, now: number): Html {
  const id = encodeURIComponent(job.id);
  return layout(
    job.id,
    context,
    html`<nav><a href="/ui">Jobs</a> / ${job.id} · <a href="/ui/job/${id}/versions">Versions</a></nav>
<h1>${job.id}</h1>
<main id="live" data-events="/v1/events?job=${id}" data-part="/ui/job/${id}?part=live">${jobLive(job, context, now)}</main>
${origin(job, current, sync)}
${environment(current?.job)}`,
  );
}

function diffText(diff: JobDiff | null | undefined): string {
  if (diff === undefined || diff === null) return '(first version)';
  return diff.type === 'None' ? '(no changes)' : formatDiffText(diff, null, { color: false }).trimEnd();
}

/** A diff line by its marker (src/plan/format-text.ts): `+` added, `-` deleted, `+/-` edited. */
function diffLines(text: string): Html[] {
  return text.split('\n').map((line) => {
    const marker = /^\s*(\+\/-|[+-])\s/.exec(line)?.[1];
    const kind = marker === '+' ? 'add' : marker === '-' ? 'del' : marker === '+/-' ? 'edit' : '';
    return html`<span class="${kind}">${line}</span>\n`;
  });
}

export function versionsPage(jobId: string, current: number, versions: VersionRow[], context: PageContext): Html {
  const id = encodeURIComponent(jobId);
  return layout(
    `${jobId} versions`,
    context,
    html`<nav><a href="/ui">Jobs</a> / <a href="/ui/job/${id}">${jobId}</a> / Versions</nav>
<h1>${jobId}: versions</h1>
<main>${versions.map(
      (v) => html`<article class="version" data-version="${v.version}">
<h2>Version ${v.version}${v.version === current ? ' (current)' : ''}${v.stable ? html` <span class="tag">stable</span>` : null}</h2>
<p>${v.source.kind}${v.commit ? html` · commit <code>${short(v.commit)}</code>` : null}${v.source.message ? html` · ${v.source.message}` : null}${v.source.revertOf !== null ? ` · revert to ${v.source.revertOf}` : ''} · ${time(v.submittedAt)}</p>
<pre class="diff">${diffLines(diffText(v.diff))}</pre>
${v.version === current ? null : html`<form method="post" action="/ui/job/${id}/revert" class="revert">${hiddenToken(context)}<input type="hidden" name="version" value="${v.version}"><button>Revert to version ${v.version}</button></form>`}
</article>`,
    )}</main>`,
  );
}

export function errorPage(status: number, message: string, context: PageContext | null): Html {
  return layout(`Error ${status}`, context, html`<main><h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1><p class="error">${message}</p><p><a href="/ui">Back to the jobs</a></p></main>`);
}
