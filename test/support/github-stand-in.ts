// A stand-in for GitHub's REST API, for tests: a node:http server on 127.0.0.1
// holding one repository in memory. Every request is checked against GitHub's own
// OpenAPI description (test/fixtures/github/openapi-subset.json) and GitHub's
// server-side limits; what GitHub would refuse is answered as GitHub answers it and
// recorded as a violation, so a test can assert that deckhand only ever sends what
// GitHub accepts. Switches make it fail or hang, to test outages.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeRepository } from './github/fake-repository.js';
import type { CommentRecord, CommitStatusRecord, PullRequestInit, PullRequestRecord } from './github/fake-repository.js';
import { validate } from './github/json-schema.js';
import { OpenApiSubset, checkParameters } from './github/openapi.js';
import type { MatchedOperation } from './github/openapi.js';
import { Refusal, basicError, invalidRequest } from './github/responses.js';
import type { Reply } from './github/responses.js';
import { synthesize } from './github/synthesize.js';

export type { CommentRecord, CommitStatusRecord, PullRequestRecord } from './github/fake-repository.js';
export { LIMITS } from './github/fake-repository.js';

export interface GitHubStandInOptions {
  /** The only token accepted, as `Authorization: token <t>` or `Bearer <t>`. */
  token: string;
  owner?: string;
  repo?: string;
  /** The account the token belongs to. */
  login?: string;
  /** Where the API lives under the server, e.g. `/api/v3` as on GitHub Enterprise. */
  pathPrefix?: string;
}

export type ViolationKind = 'schema' | 'limit' | 'unknown-operation' | 'not-found' | 'headers' | 'stand-in-response';

/** Something GitHub would have refused (or, for `stand-in-response`, a bug in the stand-in itself). */
export interface Violation {
  kind: ViolationKind;
  method: string;
  path: string;
  message: string;
}

export interface Exchange {
  method: string;
  path: string;
  operationId: string | null;
  /** The status answered, or `hung` for a request held open by hangNext(). */
  status: number | 'hung';
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class GitHubStandIn {
  readonly violations: Violation[] = [];
  readonly exchanges: Exchange[] = [];
  private readonly api = OpenApiSubset.load();
  private readonly repository: FakeRepository;
  private readonly held = new Set<ServerResponse>();
  private failures: { remaining: number; status: number } = { remaining: 0, status: 500 };
  private hangs = 0;
  private received = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(private readonly server: Server, private readonly options: Required<GitHubStandInOptions>) {
    this.repository = new FakeRepository(options.owner, options.repo, options.login, () => this.apiUrl);
    server.on('request', (request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.violations.push({ kind: 'stand-in-response', method: request.method ?? '', path: request.url ?? '', message: `the stand-in failed: ${String(error)}` });
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
  }

  static async start(options: GitHubStandInOptions): Promise<GitHubStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new GitHubStandIn(server, { owner: 'octo-org', repo: 'infra', login: 'deckhand-bot', pathPrefix: '', ...options });
  }

  /** The base URL to give a client, like `https://api.github.com`. */
  get apiUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.options.pathPrefix}`;
  }

  get owner(): string {
    return this.options.owner;
  }

  get repo(): string {
    return this.options.repo;
  }

  // --- state a test sets up or looks at ---------------------------------------

  addPullRequest(init: PullRequestInit): PullRequestRecord {
    return this.repository.addPullRequest(init);
  }

  /** A push to the pull request's branch. */
  moveHead(number: number, headSha: string): void {
    const pr = this.repository.pullRequests.get(number);
    if (!pr) throw new Error(`no pull request #${number}`);
    pr.headSha = headSha;
  }

  /** Every status created on a commit, oldest first; optionally of one context. */
  statuses(sha: string, context?: string): CommitStatusRecord[] {
    return this.repository.statuses.filter((s) => s.sha === sha.toLowerCase() && (context === undefined || s.context === context));
  }

  /** What GitHub shows for a commit: the newest status per context, by context. */
  latestStatuses(sha: string): Record<string, CommitStatusRecord> {
    return Object.fromEntries(this.repository.latestStatuses(sha).map((s) => [s.context, s]));
  }

  /** The comments on an issue or pull request, in the order GitHub shows them. */
  comments(issueNumber: number): CommentRecord[] {
    return [...this.repository.comments.values()].filter((c) => c.issueNumber === issueNumber);
  }

  /** Adds a comment as someone else would, e.g. a reviewer. */
  addComment(issueNumber: number, body: string, login = 'reviewer'): CommentRecord {
    const created = this.repository.handlers['issues/create-comment']!({ pathParams: { issue_number: String(issueNumber) }, url: new URL(this.apiUrl), body: { body } });
    const record = this.repository.comments.get((created.body as { id: number }).id)!;
    record.login = login;
    return record;
  }

  // --- outages -----------------------------------------------------------------

  /** The next `count` requests are answered with `status` (default 500), whatever they are. */
  failNext(count: number, status = 500): void {
    this.failures = { remaining: count, status };
  }

  /** The next `count` requests are never answered; the client has to give up on them. */
  hangNext(count: number): void {
    this.hangs = count;
  }

  /** Resolves once the stand-in has received `count` requests in all (answered or not). */
  receivedRequests(count: number): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  // --- the request path --------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', this.apiUrl);
    const path = url.pathname;
    const rawBody = await readBody(request);
    this.noteReceived();
    if (this.hangs > 0) {
      this.hangs -= 1;
      this.exchanges.push({ method, path, operationId: null, status: 'hung' });
      this.held.add(response);
      response.on('close', () => this.held.delete(response));
      return;
    }
    const { reply, operationId } = this.answer(method, url, request, rawBody);
    this.exchanges.push({ method, path, operationId, status: reply.status });
    response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  private answer(method: string, url: URL, request: IncomingMessage, rawBody: string | null): { reply: Reply; operationId: string | null } {
    if (this.failures.remaining > 0) {
      this.failures.remaining -= 1;
      return { reply: basicError(this.failures.status, 'Server Error'), operationId: null };
    }
    const path = url.pathname;
    const violation = (kind: ViolationKind, message: string) => this.violations.push({ kind, method, path, message });
    // GitHub refuses requests without a User-Agent before anything else.
    if (!request.headers['user-agent']) {
      violation('headers', 'no User-Agent header');
      return { reply: basicError(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.'), operationId: null };
    }
    const authProblem = this.checkAuthorization(request.headers.authorization);
    if (authProblem) return { reply: basicError(401, authProblem), operationId: null };

    const apiPath = path.startsWith(this.options.pathPrefix) ? path.slice(this.options.pathPrefix.length) : path;
    const matched = this.api.match(method, apiPath);
    if (!matched) {
      violation('unknown-operation', this.api.knowsPath(apiPath) ? `${method} is not allowed here` : 'no such operation in the fixture');
      return { reply: basicError(404, 'Not Found'), operationId: null };
    }
    const operationId = matched.operation.operationId;
    const problems = this.checkRequest(matched, url, rawBody);
    if (problems.kind) {
      violation(problems.kind, problems.message);
      return { reply: problems.reply, operationId };
    }
    let reply: Reply;
    try {
      reply = this.repository.handlers[operationId]!({ pathParams: matched.pathParams, url, body: problems.body });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      violation(error.kind, error.message);
      return { reply: error.reply, operationId };
    }
    return { reply: this.shapeResponse(matched, reply, violation), operationId };
  }

  private checkAuthorization(header: string | undefined): string | null {
    if (!header) return 'Requires authentication';
    const match = /^(?:token|bearer) (\S+)$/i.exec(header);
    return match && match[1] === this.options.token ? null : 'Bad credentials';
  }

  private checkRequest(
    matched: MatchedOperation,
    url: URL,
    rawBody: string | null,
  ): { kind: null; body: Record<string, unknown> } | { kind: ViolationKind; message: string; reply: Reply } {
    const { operation, pathParams } = matched;
    const repoMatches = pathParams.owner?.toLowerCase() === this.options.owner.toLowerCase() && pathParams.repo?.toLowerCase() === this.options.repo.toLowerCase();
    if (!repoMatches) return { kind: 'not-found', message: `repository ${pathParams.owner}/${pathParams.repo} does not exist`, reply: basicError(404, 'Not Found') };

    const parameterProblems = checkParameters(operation, pathParams, url.searchParams);
    if (parameterProblems.length > 0) {
      const details = parameterProblems.map((p) => `${p.at} ${p.message}`);
      return { kind: 'schema', message: details.join('; '), reply: invalidRequest(details) };
    }
    if (!operation.requestBody) {
      if (rawBody) return { kind: 'schema', message: 'a body was sent to an operation that takes none', reply: invalidRequest(['No body expected']) };
      return { kind: null, body: {} };
    }
    let body: unknown;
    try {
      body = rawBody === null ? undefined : JSON.parse(rawBody);
    } catch {
      return { kind: 'schema', message: 'the body is not JSON', reply: basicError(400, 'Problems parsing JSON') };
    }
    if (body === undefined) {
      return operation.requestBody.required
        ? { kind: 'schema', message: 'the body is missing', reply: invalidRequest(['Body is required']) }
        : { kind: null, body: {} };
    }
    const bodyProblems = validate(operation.requestBody.schema, body, 'body', { rejectUnknownProperties: true });
    if (bodyProblems.length > 0) {
      const details = bodyProblems.map((p) => `${p.at} ${p.message}`);
      return { kind: 'schema', message: details.join('; '), reply: invalidRequest(details) };
    }
    return { kind: null, body: body as Record<string, unknown> };
  }

  /** Completes the handler's answer from the response schema, and checks the stand-in keeps to it too. */
  private shapeResponse(matched: MatchedOperation, reply: Reply, violation: (kind: ViolationKind, message: string) => void): Reply {
    const documented = matched.operation.responses[String(reply.status)];
    if (!documented) {
      violation('stand-in-response', `status ${reply.status} is not documented for ${matched.operation.operationId}`);
      return reply;
    }
    if (!documented.schema) return reply;
    const body = synthesize(documented.schema, reply.body);
    const problems = validate(documented.schema, body, 'response');
    if (problems.length > 0) violation('stand-in-response', problems.map((p) => `${p.at} ${p.message}`).join('; '));
    return { ...reply, body };
  }

  private noteReceived(): void {
    this.received += 1;
    const ready = this.waiters.filter((w) => this.received >= w.count);
    this.waiters = this.waiters.filter((w) => this.received < w.count);
    for (const waiter of ready) waiter.resolve();
  }
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large for the stand-in');
    chunks.push(chunk as Buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
}
