// Git outage: the agent follows a repository through a proxy (chaos/fault-proxy.ts)
// in front of the smart-HTTP server, polling every second. A commit is pushed
// while the server answers 500, is stopped (connection refused) or hangs
// (connections accepted, never answered). Meanwhile nothing may change (same
// containers, same version) and GET /v1/sync must report the failure; once the
// server is back the agent must deploy the commit by itself (no restart, no call).
import type { JobStatusView } from '../../src/api/views.js';
import { docker } from '../../test/runtime/support.js';
import type { ChaosContext } from '../context.js';
import { FaultProxy } from '../fault-proxy.js';
import { http, jobContainers, jsonOf, waitFor } from '../probes.js';
import type { ChaosRow, RowPlan, Tally } from '../row.js';
import { anotherTrial, held, lost } from '../row.js';
import { chaosJob, followRepository, gitServer, settledJob } from '../setups.js';

type Outage = '500' | 'stopped' | 'hang';
const outages: Outage[] = ['500', 'stopped', 'hang'];
/** The agent's idle timeout for a Git request (src/sync/http-client.ts). */
const gitIdleTimeoutMs = 60_000;

export const gitOutageRow: ChaosRow = {
  id: 'git-outage',
  fault: 'Git outage',
  tried:
    'a commit pushed while the Git server answers 500, is stopped (connection refused) or hangs (never answers; held past the agent\'s 60 s idle timeout in a full run, 6 s in --quick): nothing touched meanwhile, GET /v1/sync reports it, the commit deployed by itself once the server is back',
  trials: { quick: 3, full: 3 },
  secondsPerTrial: 30,
  async run(ctx: ChaosContext, tally: Tally, plan: RowPlan): Promise<void> {
    const server = await gitServer(ctx);
    const repo = await server.createRepository('outage');
    await repo.commitAndPush({ 'web.nomad': chaosJob({ image: 'deckhand-demo:v1' }) }, 'web v1');
    const proxy = await FaultProxy.start(server.baseUrl);
    ctx.defer('close the fault proxy', () => proxy.close());
    const runLabel = ctx.newRunLabel('git-outage');
    const proxied = { ...repo, url: proxy.url(repo.url) };
    const { agent } = await followRepository(ctx, proxied, { runLabel, interval: '1s' });
    await settledJob(agent.url, 'web');
    const images = ['deckhand-demo:v2', 'deckhand-demo:v3', 'deckhand-demo:v1'];
    const resumed: string[] = [];

    for (let n = 0; anotherTrial(tally, plan, this.secondsPerTrial); n++) {
      const outage = outages[n % outages.length]!;
      const image = images[n % images.length]!;
      // A hang is reported only when the agent gives up on the request: worth the wait in a full run only.
      const holdMs = outage === 'hang' ? (plan.quick ? 6_000 : gitIdleTimeoutMs + 15_000) : 20_000;
      await tally.trial(`trial ${n + 1}: ${outage}`, async () => {
        const before = jsonOf<JobStatusView>(await http(agent.url, 'GET', '/v1/job/web'))!;
        const containers = (await jobContainers(docker, runLabel, 'web')).map((c) => c.id).sort();
        if (outage === '500') server.failWith(500);
        else await proxy.set(outage === 'stopped' ? 'refuse' : 'hang');
        try {
          // The commit lands in the bare repository directly (the server's own disk), as a push that beat the outage.
          await repo.commitAndPush({ 'web.nomad': chaosJob({ image }) }, `web ${image} (${outage})`);
          const sawError = await waitFor(async () => {
            const sync = jsonOf<{ lastError: string | null }>(await http(agent.url, 'GET', '/v1/sync'));
            return sync?.lastError ?? undefined;
          }, holdMs, 250);
          ctx.trace(`reported as: ${sawError}`);
          // The outage goes on a little after it was reported: polls keep failing, and still nothing may change.
          await new Promise((resolve) => setTimeout(resolve, 3000));
          const now = (await jobContainers(docker, runLabel, 'web')).map((c) => c.id).sort();
          const during = jsonOf<JobStatusView>(await http(agent.url, 'GET', '/v1/job/web'))!;
          if (JSON.stringify(now) !== JSON.stringify(containers) || during.version !== before.version) {
            return lost(`something changed during the outage: version ${before.version} → ${during.version}, containers ${containers.length} → ${now.length}`);
          }
          const mustReport = outage !== 'hang' || !plan.quick;
          if (mustReport && !sawError) return lost(`GET /v1/sync reported no error during ${Math.round(holdMs / 1000)} s of outage`);
        } finally {
          server.failWith(null);
          await proxy.set('pass');
        }
        const backAt = Date.now();
        const watch = setInterval(() => {
          void http(agent.url, 'GET', '/v1/sync').then((a) => ctx.trace(`${((Date.now() - backAt) / 1000).toFixed(1)} s after: ${a.text.slice(0, 300)}`), () => undefined);
        }, 5000);
        ctx.defer('stop tracing', () => clearInterval(watch));
        const status = await settledJob(agent.url, 'web', { version: before.version + 1, timeoutMs: 120_000 }).catch((error: Error) => error);
        clearInterval(watch);
        if (status instanceof Error) return lost(`after the server came back: ${status.message}`);
        if (status.latestDeployment?.status !== 'successful') return lost(`after the server came back the deployment ended ${status.latestDeployment?.status}: ${status.latestDeployment?.description}`);
        const running = [...new Set((await jobContainers(docker, runLabel, 'web')).map((c) => c.image))];
        if (running.length !== 1 || running[0] !== image) return lost(`after the server came back ${running.join(', ')} runs, not ${image}`);
        resumed.push(`${outage}: ${((Date.now() - backAt) / 1000).toFixed(0)} s`);
        return held(outage === 'hang' && plan.quick ? 'the hang was held 6 s only (--quick): not long enough for the agent to report it' : undefined);
      });
    }
    if (resumed.length > 0) tally.note(`deployed after the server came back in ${resumed.join(', ')}`);
  },
};
