// The pieces rows put together: a Git server on 127.0.0.1 (test/support/git-server.ts)
// with a repository of job files, an agent following it, and waits for a job's
// deployment to end. Everything is registered with the context for clean-up.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signBody } from '../src/status/forges/github/webhook.js';
import type { DeploymentView, JobStatusView } from '../src/api/views.js';
import type { AgentProcess } from '../test/support/agent-process.js';
import { deploymentEnd } from '../test/support/agent-process.js';
import { startGitServer } from '../test/support/git-server.js';
import type { GitServer, TestRepository } from '../test/support/git-server.js';
import { webJob } from '../test/support/web-job.js';
import type { WebJobOptions } from '../test/support/web-job.js';
import type { ChaosContext } from './context.js';
import { http, jsonOf, waitFor } from './probes.js';
import { Lost } from './row.js';

/** A Git server of the run's own, closed at the end. */
export async function gitServer(ctx: ChaosContext): Promise<GitServer> {
  const server = await startGitServer();
  ctx.defer(`close the Git server at ${server.baseUrl}`, () => server.close());
  return server;
}

/** The job the rows deploy: the demo image, scaled down, with deadlines a loaded machine still meets. */
export function chaosJob(options: WebJobOptions = {}): string {
  return webJob({ count: 2, minHealthy: '500ms', healthyDeadline: '60s', progressDeadline: '120s', check: { interval: '1s', timeout: '3s' }, imageHealthcheck: false, ...options });
}

export interface FollowingAgent {
  agent: AgentProcess;
  repo: TestRepository;
  runLabel: string;
  dataDir: string;
  /** Files holding the secrets the agent was started with. */
  files: { webhookSecret: string; apiToken?: string };
}

export interface FollowOptions {
  runLabel: string;
  dataDir?: string;
  apiToken?: string;
  webhookSecret?: string;
  interval?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}

/** Starts an agent following `repo` over smart HTTP (polling, a webhook secret, optionally an API token). */
export async function followRepository(ctx: ChaosContext, repo: TestRepository, options: FollowOptions): Promise<FollowingAgent> {
  const dataDir = options.dataDir ?? ctx.tempDir('data');
  // The secrets live beside the data directory, not in it: a row may delete the data directory.
  const secrets = ctx.tempDir('secrets');
  const webhookSecret = join(secrets, 'webhook-secret');
  writeFileSync(webhookSecret, options.webhookSecret ?? 'chaos-webhook-secret', { mode: 0o600 });
  const agent = await ctx.startAgent({
    runId: options.runLabel,
    dataDir,
    ...(options.apiToken ? { apiToken: options.apiToken } : {}),
    extraArgs: ['--repo', repo.url, '--interval', options.interval ?? '1m', '--webhook-secret-file', webhookSecret, ...(options.extraArgs ?? [])],
    ...(options.env ? { env: options.env } : {}),
  });
  return { agent, repo, runLabel: options.runLabel, dataDir, files: { webhookSecret } };
}

/** Restarts an agent on the same data directory and label (after it was killed or stopped). */
export async function restartFollowing(ctx: ChaosContext, following: FollowingAgent, options: Omit<FollowOptions, 'runLabel' | 'dataDir'> = {}): Promise<FollowingAgent> {
  return followRepository(ctx, following.repo, { ...options, runLabel: following.runLabel, dataDir: following.dataDir });
}

/**
 * Waits until the job exists and its newest deployment, if it has one, has
 * ended (a rollback after it included), and answers its status. A job adopted
 * from its containers with nothing to roll out has no deployment. Lost when
 * the job does not show up, or its deployment does not end, in time.
 */
export async function settledJob(url: string, jobId: string, options: { token?: string; timeoutMs?: number; version?: number } = {}): Promise<JobStatusView> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const read = async () => {
    const answer = await http(url, 'GET', `/v1/job/${jobId}`, options.token ? { token: options.token } : {});
    return answer.status === 200 ? jsonOf<JobStatusView>(answer) : null;
  };
  for (;;) {
    const status = await waitFor(async () => {
      const view = await read();
      if (!view || (options.version !== undefined && view.version < options.version)) return undefined;
      return view;
    }, Math.max(deadline - Date.now(), 0));
    if (!status) throw new Lost(`job "${jobId}"${options.version === undefined ? '' : ` version ${options.version}`} did not show up within ${Math.round(timeoutMs / 1000)} s`);
    const deployment = status.latestDeployment;
    if (deployment?.status === 'running') {
      const ended: DeploymentView = await deploymentEnd(url, deployment.id, Math.max(deadline - Date.now(), 1000), options.token);
      if (ended.status === 'running') throw new Lost(`deployment ${deployment.id.slice(0, 8)} of "${jobId}" was still running after ${Math.round(timeoutMs / 1000)} s: ${ended.description}`);
      continue;
    }
    // A failed deployment may be followed by its rollback: look again once.
    const again = await read();
    if (again?.latestDeployment && again.latestDeployment.id !== deployment?.id) continue;
    return again ?? status;
  }
}

/** Sends a GitHub webhook delivery signed with `secret` (or unsigned when null). */
export async function sendWebhook(url: string, secret: string | null, event: string, payload: unknown, delivery: string, contentType = 'application/json'): Promise<number> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': contentType, 'x-github-event': event, 'x-github-delivery': delivery };
  if (secret !== null) headers['x-hub-signature-256'] = signBody(secret, Buffer.from(body));
  return (await http(url, 'POST', '/v1/webhooks/github', { body, headers })).status;
}

/** The agent's answer to a health probe: 200 and ok, or what it says instead. */
export async function healthy(url: string): Promise<boolean> {
  const answer = await http(url, 'GET', '/v1/agent/health', { timeoutMs: 5000 });
  return answer.status === 200;
}
