// One repository's worth of GitHub, in memory: commit statuses, issue comments and
// pull requests, with the rules GitHub enforces on the server side. Handlers return
// only the fields they give meaning to; the stand-in fills in the rest of each
// response from the OpenAPI schema.
import { paged } from './paging.js';
import { refuseField, refuseNotFound, refuseWithMessage } from './responses.js';
import type { Reply } from './responses.js';

export type CommitState = 'error' | 'failure' | 'pending' | 'success';

export interface CommitStatusRecord {
  id: number;
  sha: string;
  state: CommitState;
  description: string | null;
  targetUrl: string | null;
  context: string;
  createdAt: string;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  login: string;
  createdAt: string;
  updatedAt: string;
  /** How many times it was edited through the API. */
  edits: number;
}

export interface PullRequestRecord {
  number: number;
  title: string;
  state: 'open' | 'closed';
  headSha: string;
  headRef: string;
  baseRef: string;
  createdAt: string;
  updatedAt: string;
}

export interface PullRequestInit {
  number?: number;
  headSha: string;
  headRef?: string;
  baseRef?: string;
  title?: string;
  state?: 'open' | 'closed';
}

/** GitHub's limits (docs.github.com: commit statuses, issue comments). */
export const LIMITS = {
  statusDescriptionCharacters: 140,
  commentBodyCharacters: 65_536,
  statusesPerShaAndContext: 1000,
};

export interface RequestContext {
  pathParams: Record<string, string>;
  url: URL;
  body: Record<string, unknown>;
}

export class FakeRepository {
  readonly statuses: CommitStatusRecord[] = [];
  readonly comments = new Map<number, CommentRecord>();
  readonly pullRequests = new Map<number, PullRequestRecord>();
  private nextStatusId = 5_000_000_001;
  private nextCommentId = 9_000_000_001;

  constructor(
    readonly owner: string,
    readonly name: string,
    /** The account the configured token belongs to: the author of comments made through the API. */
    readonly login: string,
    private readonly apiUrl: () => string,
  ) {}

  addPullRequest(init: PullRequestInit): PullRequestRecord {
    const number = init.number ?? Math.max(0, ...this.pullRequests.keys()) + 1;
    const now = timestamp();
    const record: PullRequestRecord = {
      number,
      title: init.title ?? `Pull request ${number}`,
      state: init.state ?? 'open',
      headSha: init.headSha,
      headRef: init.headRef ?? `change-${number}`,
      baseRef: init.baseRef ?? 'main',
      createdAt: now,
      updatedAt: now,
    };
    this.pullRequests.set(number, record);
    return record;
  }

  readonly handlers: Record<string, (request: RequestContext) => Reply> = {
    'repos/create-commit-status': (request) => this.createStatus(request),
    'repos/get-combined-status-for-ref': (request) => this.combinedStatus(request),
    'issues/list-comments': (request) => this.listComments(request),
    'issues/create-comment': (request) => this.createComment(request),
    'issues/update-comment': (request) => this.updateComment(request),
    'issues/delete-comment': (request) => this.deleteComment(request),
    'pulls/list': (request) => this.listPullRequests(request),
    'pulls/get': (request) => this.getPullRequest(request),
  };

  private createStatus({ pathParams, body }: RequestContext): Reply {
    const sha = pathParams.sha!;
    if (!/^[0-9a-f]{40}$/i.test(sha)) refuseWithMessage(`No commit found for SHA: ${sha}`);
    const description = (body.description as string | null | undefined) ?? null;
    if (description !== null && characters(description) > LIMITS.statusDescriptionCharacters) {
      refuseField({ resource: 'Status', field: 'description', message: `description is too long (maximum is ${LIMITS.statusDescriptionCharacters} characters)` });
    }
    const context = (body.context as string | undefined) ?? 'default';
    // Contexts are case-insensitive on GitHub.
    const sameContext = this.statuses.filter((s) => s.sha === sha.toLowerCase() && s.context.toLowerCase() === context.toLowerCase());
    if (sameContext.length >= LIMITS.statusesPerShaAndContext) refuseWithMessage('This SHA and context has reached the maximum number of statuses.');
    const record: CommitStatusRecord = {
      id: this.nextStatusId++,
      sha: sha.toLowerCase(),
      state: body.state as CommitState,
      description,
      targetUrl: (body.target_url as string | null | undefined) ?? null,
      context,
      createdAt: timestamp(),
    };
    this.statuses.push(record);
    return { status: 201, body: this.statusJson(record), headers: { location: `${this.repoApiUrl()}/statuses/${record.sha}` } };
  }

  /** The newest status of each context on a commit, as GitHub combines them. */
  latestStatuses(sha: string): CommitStatusRecord[] {
    const latest = new Map<string, CommitStatusRecord>();
    for (const status of this.statuses) if (status.sha === sha.toLowerCase()) latest.set(status.context.toLowerCase(), status);
    return [...latest.values()];
  }

  private combinedStatus({ pathParams, url }: RequestContext): Reply {
    const latest = this.latestStatuses(pathParams.ref!);
    const states = latest.map((s) => s.state);
    const state = states.some((s) => s === 'error' || s === 'failure') ? 'failure' : states.length > 0 && states.every((s) => s === 'success') ? 'success' : 'pending';
    const page = paged(latest, url, (s) => this.statusJson(s));
    return {
      status: 200,
      body: {
        state,
        sha: pathParams.ref!,
        total_count: latest.length,
        statuses: page.body,
        repository: this.repositoryJson(),
        commit_url: `${this.repoApiUrl()}/commits/${pathParams.ref!}`,
        url: `${this.repoApiUrl()}/commits/${pathParams.ref!}/status`,
      },
      ...(page.headers ? { headers: page.headers } : {}),
    };
  }

  private listComments({ pathParams, url }: RequestContext): Reply {
    const issueNumber = this.existingIssue(pathParams.issue_number!);
    const since = url.searchParams.get('since');
    const comments = [...this.comments.values()].filter((c) => c.issueNumber === issueNumber && (!since || c.updatedAt >= since));
    return paged(comments, url, (c) => this.commentJson(c));
  }

  private createComment({ pathParams, body }: RequestContext): Reply {
    const issueNumber = this.existingIssue(pathParams.issue_number!);
    const text = checkCommentBody(body.body as string);
    const now = timestamp();
    const record: CommentRecord = { id: this.nextCommentId++, issueNumber, body: text, login: this.login, createdAt: now, updatedAt: now, edits: 0 };
    this.comments.set(record.id, record);
    return { status: 201, body: this.commentJson(record), headers: { location: `${this.repoApiUrl()}/issues/comments/${record.id}` } };
  }

  private updateComment({ pathParams, body }: RequestContext): Reply {
    const record = this.existingComment(pathParams.comment_id!);
    record.body = checkCommentBody(body.body as string);
    record.updatedAt = timestamp();
    record.edits += 1;
    return { status: 200, body: this.commentJson(record) };
  }

  private deleteComment({ pathParams }: RequestContext): Reply {
    const record = this.existingComment(pathParams.comment_id!);
    this.comments.delete(record.id);
    return { status: 204 };
  }

  private listPullRequests({ url }: RequestContext): Reply {
    const state = url.searchParams.get('state') ?? 'open';
    const head = url.searchParams.get('head');
    const base = url.searchParams.get('base');
    const direction = url.searchParams.get('direction') ?? 'desc';
    const sortKey = url.searchParams.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
    const found = [...this.pullRequests.values()]
      .filter((pr) => state === 'all' || pr.state === state)
      .filter((pr) => !head || head === `${this.owner}:${pr.headRef}`)
      .filter((pr) => !base || base === pr.baseRef)
      .sort((a, b) => (a[sortKey].localeCompare(b[sortKey]) || a.number - b.number) * (direction === 'asc' ? 1 : -1));
    return paged(found, url, (pr) => this.pullRequestJson(pr));
  }

  private getPullRequest({ pathParams }: RequestContext): Reply {
    const pr = this.pullRequests.get(Number(pathParams.pull_number));
    if (!pr) refuseNotFound(`pull request #${pathParams.pull_number}`);
    return { status: 200, body: this.pullRequestJson(pr) };
  }

  /** Issue comments go to pull requests here: the stand-in holds no plain issues. */
  private existingIssue(raw: string): number {
    const number = Number(raw);
    if (!this.pullRequests.has(number)) refuseNotFound(`issue #${raw}`);
    return number;
  }

  private existingComment(raw: string): CommentRecord {
    const record = this.comments.get(Number(raw));
    if (!record) refuseNotFound(`comment ${raw}`);
    return record;
  }

  private repoApiUrl(): string {
    return `${this.apiUrl()}/repos/${this.owner}/${this.name}`;
  }

  private htmlUrl(): string {
    return `https://github.com/${this.owner}/${this.name}`;
  }

  userJson(login: string): Record<string, unknown> {
    return {
      login,
      id: 1000 + [...login].reduce((sum, c) => sum + c.charCodeAt(0), 0),
      node_id: `U_${login}`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      url: `${this.apiUrl()}/users/${encodeURIComponent(login)}`,
      html_url: `https://github.com/${encodeURIComponent(login)}`,
      avatar_url: `https://avatars.githubusercontent.com/${encodeURIComponent(login)}`,
    };
  }

  private repositoryJson(): Record<string, unknown> {
    return {
      id: 4242,
      node_id: 'R_stand_in',
      name: this.name,
      full_name: `${this.owner}/${this.name}`,
      owner: this.userJson(this.owner),
      private: false,
      url: this.repoApiUrl(),
      html_url: this.htmlUrl(),
      default_branch: 'main',
    };
  }

  private statusJson(s: CommitStatusRecord): Record<string, unknown> {
    return {
      id: s.id,
      node_id: `SC_${s.id}`,
      url: `${this.repoApiUrl()}/statuses/${s.sha}`,
      state: s.state,
      description: s.description,
      target_url: s.targetUrl,
      context: s.context,
      created_at: s.createdAt,
      updated_at: s.createdAt,
      creator: this.userJson(this.login),
    };
  }

  private commentJson(c: CommentRecord): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.repoApiUrl()}/issues/comments/${c.id}`,
      html_url: `${this.htmlUrl()}/pull/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${this.repoApiUrl()}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.userJson(c.login),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: 'NONE',
    };
  }

  private pullRequestJson(pr: PullRequestRecord): Record<string, unknown> {
    const branch = (ref: string, sha: string) => ({ label: `${this.owner}:${ref}`, ref, sha, user: this.userJson(this.owner), repo: this.repositoryJson() });
    const api = `${this.repoApiUrl()}/pulls/${pr.number}`;
    return {
      id: 7_000_000 + pr.number,
      node_id: `PR_${pr.number}`,
      number: pr.number,
      title: pr.title,
      state: pr.state,
      url: api,
      html_url: `${this.htmlUrl()}/pull/${pr.number}`,
      diff_url: `${this.htmlUrl()}/pull/${pr.number}.diff`,
      patch_url: `${this.htmlUrl()}/pull/${pr.number}.patch`,
      issue_url: `${this.repoApiUrl()}/issues/${pr.number}`,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${this.repoApiUrl()}/pulls/comments{/number}`,
      comments_url: `${this.repoApiUrl()}/issues/${pr.number}/comments`,
      statuses_url: `${this.repoApiUrl()}/statuses/${pr.headSha}`,
      user: this.userJson(this.owner),
      head: branch(pr.headRef, pr.headSha),
      base: branch(pr.baseRef, '0'.repeat(40)),
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.state === 'closed' ? pr.updatedAt : null,
      _links: {
        self: { href: api },
        html: { href: `${this.htmlUrl()}/pull/${pr.number}` },
        issue: { href: `${this.repoApiUrl()}/issues/${pr.number}` },
        comments: { href: `${this.repoApiUrl()}/issues/${pr.number}/comments` },
        review_comments: { href: `${api}/comments` },
        review_comment: { href: `${this.repoApiUrl()}/pulls/comments{/number}` },
        commits: { href: `${api}/commits` },
        statuses: { href: `${this.repoApiUrl()}/statuses/${pr.headSha}` },
      },
    };
  }
}

function checkCommentBody(body: string): string {
  if (body.trim() === '') refuseField({ resource: 'IssueComment', field: 'body', message: "body can't be blank" });
  if (characters(body) > LIMITS.commentBodyCharacters) {
    refuseField({ resource: 'IssueComment', field: 'body', message: `body is too long (maximum is ${LIMITS.commentBodyCharacters} characters)` });
  }
  return body;
}

/** GitHub counts characters (code points), not UTF-16 units. */
export function characters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** GitHub's timestamps have whole seconds. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
