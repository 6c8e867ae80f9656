// Auth on every endpoint: an agent started with --api-token-file answers every
// endpoint (read from src/api/*.ts) with 401 without a token, 403 with a
// wrong one, and lets the right one through; the health check and the webhook
// (which carries its own signature) stay open; nothing changes because of a
// refused call; and without a token the agent refuses to listen beyond loopback.
import { randomBytes } from 'node:crypto';
import type { JobStatusView } from '../../src/api/views.js';
import type { ChaosContext } from '../context.js';
import { http, jsonOf } from '../probes.js';
import type { HttpAnswer } from '../probes.js';
import { apiRoutes, fillPath, isOpenRoute } from '../routes.js';
import type { Route } from '../routes.js';
import type { ChaosRow, Tally } from '../row.js';
import { held, lost } from '../row.js';
import { chaosJob, followRepository, gitServer, sendWebhook, settledJob } from '../setups.js';

/** A body the route's schema accepts the shape of, so a 400 cannot hide what auth did; destructive calls aim at a job that does not exist. */
function bodyFor(route: Route): string | undefined {
  if (route.method === 'GET' || route.method === 'DELETE') return undefined;
  return '{}';
}

export const authRow: ChaosRow = {
  id: 'auth',
  fault: 'Auth on every endpoint',
  tried:
    'with --api-token-file: every endpoint of src/api/*.ts without a token (401), with a wrong one (403), with the right one (neither); health and the GitHub webhook open; refused calls change nothing; no token + --listen 0.0.0.0 / [::] refused',
  trials: { quick: 1, full: 1 },
  secondsPerTrial: 10,
  async run(ctx: ChaosContext, tally: Tally): Promise<void> {
    const routes = apiRoutes();
    if (routes.length < 10) throw new Error(`found only ${routes.length} routes in src/api: the route reader is broken`);
    const token = `chaos-api-${randomBytes(12).toString('hex')}`;
    const server = await gitServer(ctx);
    const repo = await server.createRepository('auth');
    await repo.commitAndPush({ 'web.nomad': chaosJob({ count: 1 }) }, 'web');
    const runLabel = ctx.newRunLabel('auth');
    const { agent } = await followRepository(ctx, repo, { runLabel, apiToken: token, webhookSecret: 'auth-webhook-secret' });
    const before = await settledJob(agent.url, 'web', { token });
    const deploymentId = before.latestDeployment!.id;
    const allocId = before.allocations[0]?.id ?? 'none';
    const ids = { job: 'web', deployment: deploymentId, allocation: allocId };
    // Calls that would change something when let through aim at a job that does not exist.
    const harmless = { job: 'chaos-absent-job', deployment: 'chaos-absent-deployment', allocation: 'chaos-absent-allocation' };

    for (const route of routes) {
      if (isOpenRoute(route.path)) continue;
      const path = fillPath(route.path, ids);
      const body = bodyFor(route);
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      const send = (p: string, extra: { token?: string } = {}) => http(agent.url, route.method, p, { headers, ...(body === undefined ? {} : { body }), ...extra, timeoutMs: 10_000 });
      await tally.trial(`${route.method} ${path} without a token`, async () => {
        const answer = await send(path);
        return answer.status === 401 ? held() : lost(`${route.method} ${path} without a token answered ${describe(answer)}, not 401`);
      });
      await tally.trial(`${route.method} ${path} with a wrong token`, async () => {
        const answer = await send(path, { token: `${token}x` });
        return answer.status === 403 ? held() : lost(`${route.method} ${path} with a wrong token answered ${describe(answer)}, not 403`);
      });
      const allowedPath = route.method === 'GET' ? path : fillPath(route.path, harmless);
      await tally.trial(`${route.method} ${allowedPath} with the right token`, async () => {
        const answer = await send(allowedPath, { token });
        if (answer.status === 401 || answer.status === 403) return lost(`${route.method} ${allowedPath} with the right token answered ${describe(answer)}`);
        if (answer.status >= 500) return lost(`${route.method} ${allowedPath} with the right token answered ${describe(answer)}`);
        return held();
      });
    }

    await tally.trial('GET /v1/agent/health without a token', async () => {
      const answer = await http(agent.url, 'GET', '/v1/agent/health');
      return answer.status === 200 ? held() : lost(`GET /v1/agent/health without a token answered ${describe(answer)}, not 200`);
    });
    await tally.trial('POST /v1/webhooks/github without a token, signed', async () => {
      const status = await sendWebhook(agent.url, 'auth-webhook-secret', 'ping', { zen: 'chaos', hook_id: 1 }, `auth-${randomBytes(4).toString('hex')}`);
      if (status === 401 || status === 403 || status >= 500) return lost(`a signed webhook delivery without a bearer token answered ${status}`);
      return held();
    });
    await tally.trial('POST /v1/webhooks/github without a token, unsigned', async () => {
      const status = await sendWebhook(agent.url, null, 'push', { ref: 'refs/heads/main' }, `auth-${randomBytes(4).toString('hex')}`);
      return status === 401 ? held() : lost(`an unsigned webhook delivery answered ${status}, not 401`);
    });

    await tally.trial('nothing changed by the refused calls', async () => {
      const after = jsonOf<JobStatusView>(await http(agent.url, 'GET', '/v1/job/web', { token }));
      if (!after) return lost('GET /v1/job/web with the right token did not answer a job');
      const changes: string[] = [];
      if (after.version !== before.version) changes.push(`version ${before.version} → ${after.version}`);
      if (after.stopped) changes.push('the job was stopped');
      if (after.latestDeployment?.id !== deploymentId) changes.push('a new deployment started');
      return changes.length === 0 ? held() : lost(`refused calls changed the job: ${changes.join(', ')}`);
    });

    for (const listen of ['0.0.0.0:0', '[::]:0']) {
      await tally.trial(`--listen ${listen} without a token`, async () => {
        const started = await ctx
          .startAgent({ runId: ctx.newRunLabel('auth-listen'), dataDir: ctx.tempDir('listen'), extraArgs: ['--listen', listen] })
          .then((a) => ({ agent: a }))
          .catch((error: unknown) => ({ error: error as Error }));
        if ('agent' in started) {
          await started.agent.stop('SIGKILL');
          return lost(`the agent listened on ${listen} without a token (${started.agent.url})`);
        }
        return /token/i.test(started.error.message) ? held() : lost(`the agent did not start, but without saying why in terms of a token: ${started.error.message.slice(0, 200)}`);
      });
    }
  },
};

function describe(answer: HttpAnswer): string {
  const code = jsonOf<{ error?: { code?: string } }>(answer)?.error?.code;
  return code ? `${answer.status} (${code})` : String(answer.status);
}
