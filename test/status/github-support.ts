// Shared by the GitHub reporter tests: a stand-in, a reporter pointed at it with
// octokit's plugins off and a virtual clock, and what the reporter logged.
import { createHash } from 'node:crypto';
import { GitHubReporter } from '../../src/status/forges/github/index.js';
import type { GitHubReporterOptions } from '../../src/status/forges/github/index.js';
import { GitHubStandIn } from '../support/github-stand-in.js';
import type { GitHubStandInOptions } from '../support/github-stand-in.js';
import { VirtualClock } from '../support/github/virtual-clock.js';

export const TOKEN = 'ghp_StandInToken0123456789abcdefghijklmn';

export interface LoggedProblem {
  details: Record<string, unknown>;
  message: string;
}

export interface GitHubSetup {
  standIn: GitHubStandIn;
  reporter: GitHubReporter;
  clock: VirtualClock;
  logged: LoggedProblem[];
  close(): Promise<void>;
}

export async function startGitHub(
  reporterOptions: Partial<GitHubReporterOptions> = {},
  standInOptions: Partial<GitHubStandInOptions> = {},
): Promise<GitHubSetup> {
  const standIn = await GitHubStandIn.start({ token: TOKEN, ...standInOptions });
  const clock = new VirtualClock();
  const logged: LoggedProblem[] = [];
  const reporter = new GitHubReporter({
    repository: `${standIn.owner}/${standIn.repo}`,
    token: TOKEN,
    apiUrl: standIn.apiUrl,
    throttleAndRetry: false,
    requestTimeoutMs: 2_000,
    clock,
    log: { warn: (details, message) => logged.push({ details, message }) },
    ...reporterOptions,
  });
  return {
    standIn,
    reporter,
    clock,
    logged,
    async close() {
      await reporter.close();
      await standIn.close();
    },
  };
}

/** A commit id as Git writes them: 40 hex digits. */
export function commit(name: string): string {
  return createHash('sha1').update(name).digest('hex');
}
