// The GitHub stand-in refuses what GitHub refuses, the way GitHub refuses it, and
// answers what GitHub answers, in the shapes of GitHub's OpenAPI description.
import { GitHubStandIn, LIMITS } from '../support/github-stand-in.js';
import { commit } from './github-support.js';

const TOKEN = 'ghp_SelfTestToken0123456789abcdefghijklmn';
let standIn: GitHubStandIn;

beforeEach(async () => {
  standIn = await GitHubStandIn.start({ token: TOKEN });
});
afterEach(() => standIn.close());

interface CallOptions {
  method?: string;
  body?: unknown;
  authorization?: string | null;
}

async function call(path: string, { method = 'GET', body, authorization = `token ${TOKEN}` }: CallOptions = {}) {
  const headers: Record<string, string> = { 'user-agent': 'stand-in-self-test', accept: 'application/vnd.github+json' };
  if (authorization !== null) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${standIn.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

const sha = commit('self-test');
const statusPath = `/repos/octo-org/infra/statuses/${sha}`;

describe('the GitHub stand-in refuses what GitHub refuses', () => {
  it('a state outside the enum: 422 and a schema violation', async () => {
    const answer = await call(statusPath, { method: 'POST', body: { state: 'done', context: 'deckhand/web' } });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ message: expect.stringContaining('Invalid request'), documentation_url: expect.any(String) });
    expect(standIn.violations).toEqual([expect.objectContaining({ kind: 'schema', message: expect.stringContaining('body.state must be one of') })]);
    expect(standIn.statuses(sha)).toEqual([]);
  });

  it('a description of 141 characters: 422 Validation Failed, as GitHub words it', async () => {
    const answer = await call(statusPath, { method: 'POST', body: { state: 'success', description: 'x'.repeat(141) } });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }],
      documentation_url: 'https://docs.github.com/rest',
      status: '422',
    });
    expect(standIn.violations).toEqual([expect.objectContaining({ kind: 'limit' })]);
  });

  it('140 characters are fine, counted as GitHub counts them (an emoji is one)', async () => {
    const answer = await call(statusPath, { method: 'POST', body: { state: 'success', description: '🚀'.repeat(LIMITS.statusDescriptionCharacters) } });
    expect(answer.status).toBe(201);
    expect(standIn.violations).toEqual([]);
  });

  it('no Authorization header: 401 Requires authentication; a wrong token: 401 Bad credentials', async () => {
    const missing = await call(statusPath, { method: 'POST', body: { state: 'success' }, authorization: null });
    expect(missing).toMatchObject({ status: 401, json: { message: 'Requires authentication' } });
    const wrong = await call(statusPath, { method: 'POST', body: { state: 'success' }, authorization: 'token nope' });
    expect(wrong).toMatchObject({ status: 401, json: { message: 'Bad credentials' } });
    const bearer = await call(statusPath, { method: 'POST', body: { state: 'success' }, authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(201);
    expect(standIn.statuses(sha)).toHaveLength(1);
  });

  it('a comment past 65,536 characters, a blank comment, a misspelt field, an unknown query parameter', async () => {
    standIn.addPullRequest({ number: 3, headSha: sha });
    const comments = '/repos/octo-org/infra/issues/3/comments';
    expect((await call(comments, { method: 'POST', body: { body: 'x'.repeat(LIMITS.commentBodyCharacters + 1) } })).status).toBe(422);
    expect((await call(comments, { method: 'POST', body: { body: '  ' } })).status).toBe(422);
    expect((await call(statusPath, { method: 'POST', body: { state: 'success', targetUrl: 'https://x' } })).status).toBe(422);
    expect((await call(`${comments}?perPage=100`)).status).toBe(422);
    expect(standIn.violations.map((v) => v.kind)).toEqual(['limit', 'limit', 'schema', 'schema']);
    expect(standIn.violations[2]!.message).toContain('body.targetUrl is not a known property');
  });

  it('a comment on an issue that does not exist, another repository, an operation not in the fixture: 404', async () => {
    expect((await call('/repos/octo-org/infra/issues/99/comments', { method: 'POST', body: { body: 'hi' } })).status).toBe(404);
    expect((await call(`/repos/someone/else/statuses/${sha}`, { method: 'POST', body: { state: 'success' } })).status).toBe(404);
    expect((await call('/repos/octo-org/infra/issues/1/labels')).status).toBe(404);
    expect(standIn.violations.map((v) => v.kind)).toEqual(['not-found', 'not-found', 'unknown-operation']);
  });
});

describe('the GitHub stand-in answers as GitHub does', () => {
  it('statuses: created, combined per context (contexts are case-insensitive)', async () => {
    await call(statusPath, { method: 'POST', body: { state: 'pending', context: 'deckhand/web', description: 'Deploying' } });
    await call(statusPath, { method: 'POST', body: { state: 'success', context: 'Deckhand/Web', target_url: 'https://deckhand.example/ui/deployments/1' } });
    await call(statusPath, { method: 'POST', body: { state: 'pending', context: 'deckhand/api' } });
    const combined = await call(`/repos/octo-org/infra/commits/${sha}/status`);
    expect(combined.json).toMatchObject({ state: 'pending', total_count: 2, sha });
    expect(combined.json.statuses.map((s: { context: string; state: string }) => [s.context, s.state])).toEqual([
      ['Deckhand/Web', 'success'],
      ['deckhand/api', 'pending'],
    ]);
    expect(standIn.violations).toEqual([]);
  });

  it('comments: created, listed page by page with a Link header, edited, deleted', async () => {
    standIn.addPullRequest({ number: 5, headSha: sha });
    for (let i = 1; i <= 3; i += 1) expect((await call('/repos/octo-org/infra/issues/5/comments', { method: 'POST', body: { body: `comment ${i}` } })).status).toBe(201);
    const first = await call('/repos/octo-org/infra/issues/5/comments?per_page=2');
    expect(first.json.map((c: { body: string }) => c.body)).toEqual(['comment 1', 'comment 2']);
    expect(first.headers.get('link')).toMatch(/<[^>]*page=2[^>]*>; rel="next"/);
    const id = first.json[0].id as number;
    expect((await call(`/repos/octo-org/infra/issues/comments/${id}`, { method: 'PATCH', body: { body: 'edited' } })).json).toMatchObject({ id, body: 'edited' });
    expect((await call(`/repos/octo-org/infra/issues/comments/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(standIn.comments(5).map((c) => c.body)).toEqual(['comment 2', 'comment 3']);
    expect(standIn.violations).toEqual([]);
  });

  it('pull requests: listed (open ones by default) and fetched, with every field the schema requires', async () => {
    standIn.addPullRequest({ number: 1, headSha: commit('one'), headRef: 'one' });
    standIn.addPullRequest({ number: 2, headSha: commit('two'), state: 'closed' });
    const list = await call('/repos/octo-org/infra/pulls?state=open&per_page=100');
    expect(list.json.map((pr: { number: number }) => pr.number)).toEqual([1]);
    const one = await call('/repos/octo-org/infra/pulls/1');
    expect(one.json).toMatchObject({ number: 1, state: 'open', head: { sha: commit('one'), ref: 'one' }, base: { ref: 'main' } });
    expect((await call('/repos/octo-org/infra/pulls/9')).status).toBe(404);
    // Every answer was checked against its response schema; none strayed.
    expect(standIn.violations.filter((v) => v.kind === 'stand-in-response')).toEqual([]);
  });
});

describe('the GitHub stand-in fails on demand', () => {
  it('answers 500 to the next N requests, then recovers', async () => {
    standIn.failNext(2);
    expect((await call(statusPath, { method: 'POST', body: { state: 'success' } })).status).toBe(500);
    expect((await call(statusPath, { method: 'POST', body: { state: 'success' } })).status).toBe(500);
    expect((await call(statusPath, { method: 'POST', body: { state: 'success' } })).status).toBe(201);
    expect(standIn.statuses(sha)).toHaveLength(1);
    expect(standIn.violations).toEqual([]);
  });

  it('holds the next N requests unanswered', async () => {
    standIn.hangNext(1);
    const controller = new AbortController();
    const hung = fetch(`${standIn.apiUrl}${statusPath}`, { method: 'POST', signal: controller.signal, headers: { authorization: `token ${TOKEN}`, 'user-agent': 't' }, body: '{"state":"success"}' });
    await standIn.receivedRequests(1);
    controller.abort();
    await expect(hung).rejects.toThrow();
    expect(standIn.exchanges).toEqual([expect.objectContaining({ status: 'hung' })]);
    expect((await call(statusPath, { method: 'POST', body: { state: 'success' } })).status).toBe(201);
    expect(standIn.violations).toEqual([]);
  });
});
