// The dashboard's routes under /ui. Pages read through the API itself (inject,
// with the agent's token), so they show exactly what the API answers, masked as it
// masks; buttons are forms that call the API's own routes. The API leaves /ui to
// this file's sign-in check (src/api/server.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobStatusView, JobSummaryView, PullRequestPlanView } from '../api/index.js';
import { tokenMatches } from '../api/index.js';
import { stylesheet, script } from './assets.js';
import type { Html } from './html.js';
import { errorPage, jobLive, jobPage, jobsLive, jobsPage, loginPage, pullRequestsPage, versionsPage } from './pages.js';
import type { PageContext, SyncView, VersionRow } from './pages.js';
import { flashCookieValue, flashOf, newSession } from './session.js';

export interface DashboardOptions {
  /** The API's token; null when the agent has none. */
  apiToken: string | null;
}

interface Answer<T> {
  status: number;
  body: T;
}

const securityHeaders = {
  // Only our own stylesheet and script; no frame may hold a page with buttons.
  'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Where a page may send a browser after signing in: a page of the dashboard, nothing else. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/ui(\/[\w\-./%?=&]*)?$/.test(next) && !next.startsWith('//') ? next : '/ui');

export async function registerDashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const session = newSession(options.apiToken);
  const headers = options.apiToken ? { authorization: `Bearer ${options.apiToken}` } : {};

  const call = async <T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer<T>> => {
    const answer = await app.inject({ method, url, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    return { status: answer.statusCode, body: (answer.body ? JSON.parse(answer.body) : null) as T };
  };
  const apiMessage = (answer: Answer<unknown>) => (answer.body as { error?: { message?: string } } | null)?.error?.message ?? `the API answered ${answer.status}`;

  /** A whole page's context: a button's outcome, if one led here, is shown once and cleared. */
  const contextOf = (request: FastifyRequest, reply: FastifyReply): PageContext => {
    const flash = flashOf(request.headers.cookie);
    if (flash) reply.header('set-cookie', flashCookieValue(null));
    return { formToken: session.formToken, signedIn: options.apiToken !== null, notice: flash?.kind === 'notice' ? flash.text : undefined, error: flash?.kind === 'error' ? flash.text : undefined };
  };
  const partContext = (): PageContext => ({ formToken: session.formToken, signedIn: options.apiToken !== null });
  const send = (reply: FastifyReply, status: number, page: Html) => reply.code(status).headers(securityHeaders).type('text/html; charset=utf-8').send(page.text);
  const wantsPart = (request: FastifyRequest) => (request.query as { part?: unknown }).part === 'live';

  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    scope.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0]!;
      if (path.startsWith('/ui/assets/') || path === '/ui/login') return;
      if (!session.signedIn(request.headers.cookie)) {
        if (request.method === 'GET') return reply.code(303).header('location', `/ui/login?next=${encodeURIComponent(request.url)}`).send();
        return send(reply, 401, loginPage('/ui', 'Sign in first: this agent needs its API token.'));
      }
    });
    // Every button is a form carrying the form token: a page of another site cannot have it.
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST' || request.url.split('?')[0] === '/ui/login') return;
      if (!session.formTokenMatches((request.body as Record<string, unknown> | undefined)?.form_token)) {
        return send(reply, 403, errorPage(403, 'the form token is missing or not valid: reload the page and press the button again', null));
      }
    });

    scope.get('/ui/assets/dashboard.css', async (_request, reply) => reply.headers(securityHeaders).header('cache-control', 'max-age=300').type('text/css; charset=utf-8').send(stylesheet));
    scope.get('/ui/assets/dashboard.js', async (_request, reply) => reply.headers(securityHeaders).header('cache-control', 'max-age=300').type('text/javascript; charset=utf-8').send(script));

    scope.get('/ui/login', async (request, reply) => {
      if (options.apiToken === null) return reply.code(303).header('location', '/ui').send();
      return send(reply, 200, loginPage(safeNext((request.query as { next?: unknown }).next), null));
    });
    scope.post('/ui/login', async (request, reply) => {
      const body = (request.body ?? {}) as { token?: unknown; next?: unknown };
      const next = safeNext(body.next);
      if (options.apiToken === null) return reply.code(303).header('location', next).send();
      const token = typeof body.token === 'string' ? body.token.trim() : '';
      if (!tokenMatches(token, options.apiToken)) return send(reply, 403, loginPage(next, 'That is not this agent’s API token.'));
      return reply.code(303).header('set-cookie', session.cookie(token)).header('location', next).send();
    });
    scope.post('/ui/logout', async (_request, reply) => reply.code(303).header('set-cookie', session.cookie(null)).header('location', '/ui/login').send());

    scope.get('/ui/', async (_request, reply) => reply.code(308).header('location', '/ui').send());
    scope.get('/ui', async (request, reply) => {
      const [jobs, sync] = await Promise.all([call<JobSummaryView[]>('GET', '/v1/jobs'), call<SyncView>('GET', '/v1/sync')]);
      if (jobs.status !== 200) return send(reply, jobs.status, errorPage(jobs.status, apiMessage(jobs), contextOf(request, reply)));
      const syncView = sync.status === 200 ? sync.body : null;
      if (wantsPart(request)) return send(reply, 200, jobsLive(jobs.body, syncView));
      return send(reply, 200, jobsPage(jobs.body, syncView, contextOf(request, reply)));
    });

    scope.get('/ui/pull-requests', async (request, reply) => {
      const plans = await call<PullRequestPlanView[]>('GET', '/v1/pull-requests');
      if (plans.status !== 200) return send(reply, plans.status, errorPage(plans.status, apiMessage(plans), contextOf(request, reply)));
      return send(reply, 200, pullRequestsPage(plans.body, contextOf(request, reply)));
    });

    scope.get<{ Params: { id: string } }>('/ui/job/:id', async (request, reply) => {
      const id = encodeURIComponent(request.params.id);
      const job = await call<JobStatusView>('GET', `/v1/job/${id}`);
      if (job.status !== 200) return send(reply, job.status, errorPage(job.status, apiMessage(job), contextOf(request, reply)));
      if (wantsPart(request)) return send(reply, 200, jobLive(job.body, partContext(), Date.now()));
      const [versions, sync] = await Promise.all([call<VersionRow[]>('GET', `/v1/job/${id}/versions`), call<SyncView>('GET', '/v1/sync')]);
      const current = versions.status === 200 ? versions.body.find((v) => v.version === job.body.version) : undefined;
      return send(reply, 200, jobPage(job.body, current, sync.status === 200 ? sync.body : null, contextOf(request, reply), Date.now()));
    });

    scope.get<{ Params: { id: string } }>('/ui/job/:id/versions', async (request, reply) => {
      const id = encodeURIComponent(request.params.id);
      const [job, versions] = await Promise.all([call<JobStatusView>('GET', `/v1/job/${id}`), call<VersionRow[]>('GET', `/v1/job/${id}/versions?diffs=true`)]);
      if (versions.status !== 200) return send(reply, versions.status, errorPage(versions.status, apiMessage(versions), contextOf(request, reply)));
      return send(reply, 200, versionsPage(request.params.id, job.status === 200 ? job.body.version : -1, versions.body, contextOf(request, reply)));
    });

    /** A button's outcome: back to the job's page, saying what happened (Post/Redirect/Get). */
    const after = (reply: FastifyReply, jobId: string, answer: Answer<unknown>, done: string) => {
      const flash = answer.status < 300 ? { kind: 'notice' as const, text: done } : { kind: 'error' as const, text: apiMessage(answer) };
      return reply.code(303).header('set-cookie', flashCookieValue(flash)).header('location', `/ui/job/${encodeURIComponent(jobId)}`).send();
    };

    scope.post<{ Params: { id: string } }>('/ui/job/:id/promote', async (request, reply) => {
      const answer = await call('POST', `/v1/job/${encodeURIComponent(request.params.id)}/promote`);
      return after(reply, request.params.id, answer, 'Promoted: the rest of the allocations are being replaced.');
    });

    scope.post<{ Params: { id: string }; Body: { version?: string } }>('/ui/job/:id/revert', async (request, reply) => {
      const version = Number(request.body?.version);
      if (!Number.isInteger(version) || version < 0) return after(reply, request.params.id, { status: 400, body: { error: { message: `version: expected a version number, got "${request.body?.version ?? ''}"` } } }, '');
      const answer = await call<{ version: number }>('POST', `/v1/job/${encodeURIComponent(request.params.id)}/revert`, { version });
      return after(reply, request.params.id, answer, `Reverted to version ${version} (as version ${answer.body?.version}).`);
    });
  });
}
