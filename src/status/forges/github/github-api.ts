// The GitHub REST calls deckhand makes, on one repository, in deckhand's terms.
import type { Octokit } from 'octokit';
import type { PullRequestInfo } from '../../reporter.js';
import type { CommitStatus } from './commit-status.js';
import type { CommentsPort, IssueComment } from './sync-plan-comments.js';

export interface RepositoryName {
  owner: string;
  repo: string;
}

/** `owner/name` → its parts; throws on anything else, at start-up rather than on the first report. */
export function parseRepository(fullName: string): RepositoryName {
  const match = /^([^/\s]+)\/([^/\s]+?)(?:\.git)?$/.exec(fullName.trim());
  if (!match) throw new Error(`GitHub repository must be given as owner/name, got ${JSON.stringify(fullName)}`);
  return { owner: match[1]!, repo: match[2]! };
}

export class GitHubApi {
  constructor(private readonly octokit: Octokit, private readonly repository: RepositoryName) {}

  async createStatus(status: CommitStatus, signal: AbortSignal): Promise<void> {
    await this.octokit.rest.repos.createCommitStatus({
      ...this.repository,
      sha: status.sha,
      context: status.context,
      state: status.state,
      description: status.description,
      ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
      request: { signal },
    });
  }

  comments(issueNumber: number, signal: AbortSignal): CommentsPort {
    const issue = { ...this.repository, issue_number: issueNumber, request: { signal } };
    return {
      list: async (): Promise<IssueComment[]> => {
        const all = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...issue, per_page: 100 });
        return all.map((c) => ({ id: c.id, body: c.body ?? '' }));
      },
      create: async (body) => {
        await this.octokit.rest.issues.createComment({ ...issue, body });
      },
      update: async (id, body) => {
        await this.octokit.rest.issues.updateComment({ ...this.repository, comment_id: id, body, request: { signal } });
      },
      remove: async (id) => {
        await this.octokit.rest.issues.deleteComment({ ...this.repository, comment_id: id, request: { signal } });
      },
    };
  }

  async openPullRequests(signal: AbortSignal): Promise<PullRequestInfo[]> {
    const all = await this.octokit.paginate(this.octokit.rest.pulls.list, { ...this.repository, state: 'open', per_page: 100, request: { signal } });
    return all.map(toInfo);
  }

  async pullRequest(number: number, signal: AbortSignal): Promise<PullRequestInfo | null> {
    try {
      const { data } = await this.octokit.rest.pulls.get({ ...this.repository, pull_number: number, request: { signal } });
      return toInfo(data);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }
}

interface PullRequestFields {
  number: number;
  title: string;
  html_url: string;
  head: { sha: string; ref: string };
  base: { ref: string };
}

function toInfo(pr: PullRequestFields): PullRequestInfo {
  return { number: pr.number, title: pr.title, headSha: pr.head.sha, headRef: pr.head.ref, baseRef: pr.base.ref, url: pr.html_url };
}
