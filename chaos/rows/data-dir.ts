// Data-directory loss: an agent follows a Git repository and has deployed it;
// its data directory is deleted and it is started again on an empty one. It must
// adopt the running containers from their labels (src/rollout/adopt.ts): for an
// unchanged job no container is created or replaced and the version stays; when
// the directory is lost in the middle of a rollout (the agent killed with it),
// the rollout is carried to the repository's version with no duplicate and no orphan.
import { rmSync } from 'node:fs';
import type { JobStatusView } from '../../src/api/views.js';
import { docker } from '../../test/runtime/support.js';
import type { ChaosContext } from '../context.js';
import { ContainerEvents, convergenceProblems, http, jobContainers, jsonOf, readStore, waitFor } from '../probes.js';
import type { ChaosRow, RowPlan, Tally } from '../row.js';
import { anotherTrial, held, lost } from '../row.js';
import { chaosJob, followRepository, gitServer, restartFollowing, settledJob } from '../setups.js';
import type { FollowingAgent } from '../setups.js';

const count = 2;

/** Waits until the agent has synced `sha` (GET /v1/sync), or says what it reports instead. */
async function synced(url: string, sha: string, timeoutMs = 60_000): Promise<{ ok: boolean; state: unknown }> {
  let state: unknown = null;
  const ok = await waitFor(async () => {
    const answer = await http(url, 'GET', '/v1/sync');
    state = jsonOf(answer);
    return (state as { sha?: string } | null)?.sha === sha;
  }, timeoutMs, 250);
  return { ok: ok === true, state };
}

export const dataDirRow: ChaosRow = {
  id: 'data-dir',
  fault: 'Data-directory loss',
  tried:
    'agent following a Git repository (2 allocations) deployed; stopped, data directory deleted, started on an empty one: no new container and the same version for an unchanged job; alternately killed mid-rollout and its directory deleted: the rollout ends on the repository version, no duplicate, no orphan',
  trials: { quick: 1, full: 2 },
  secondsPerTrial: 15,
  async run(ctx: ChaosContext, tally: Tally, plan: RowPlan): Promise<void> {
    const server = await gitServer(ctx);
    const repo = await server.createRepository('data-dir');
    let head = await repo.commitAndPush({ 'web.nomad': chaosJob({ count, image: 'deckhand-demo:v1' }) }, 'web v1');
    const runLabel = ctx.newRunLabel('data-dir');
    let following: FollowingAgent = await followRepository(ctx, repo, { runLabel });
    await settledJob(following.agent.url, 'web');
    const events = await ContainerEvents.watch(docker, runLabel);
    ctx.defer('stop watching container events', () => events.close());
    const images = ['deckhand-demo:v2', 'deckhand-demo:v1'];

    for (let n = 0; anotherTrial(tally, plan, this.secondsPerTrial); n++) {
      if (n % 2 === 0) {
        await tally.trial(`trial ${n + 1}: stopped, data directory deleted, started again`, async () => {
          const before = jsonOf<JobStatusView>(await http(following.agent.url, 'GET', '/v1/job/web'))!;
          const containers = (await jobContainers(docker, runLabel, 'web')).map((c) => c.id).sort();
          const startsBefore = events.seen.filter((e) => e.action === 'start').length;
          await following.agent.stop();
          rmSync(following.dataDir, { recursive: true, force: true });
          following = await restartFollowing(ctx, following);
          const sync = await synced(following.agent.url, head);
          if (!sync.ok) return lost(`the agent on an empty data directory did not sync ${head.slice(0, 7)}: ${JSON.stringify(sync.state)}`);
          const after = await settledJob(following.agent.url, 'web');
          const now = (await jobContainers(docker, runLabel, 'web')).map((c) => c.id).sort();
          const started = events.seen.filter((e) => e.action === 'start').length - startsBefore;
          const problems: string[] = [];
          if (JSON.stringify(now) !== JSON.stringify(containers)) problems.push(`containers changed: ${containers.length} before, ${now.length} after, ${now.filter((id) => !containers.includes(id)).length} new`);
          if (started > 0) problems.push(`${started} container start(s) for an unchanged job`);
          if (after.version !== before.version) problems.push(`version ${before.version} became ${after.version}`);
          problems.push(...convergenceProblems(readStore(following.dataDir, 'web'), await jobContainers(docker, runLabel, 'web'), count));
          return problems.length === 0 ? held() : lost(problems.join('; '));
        });
      } else {
        const image = images[Math.floor(n / 2) % images.length]!;
        await tally.trial(`trial ${n + 1}: killed mid-rollout to ${image}, data directory deleted, started again`, async () => {
          head = await repo.commitAndPush({ 'web.nomad': chaosJob({ count, image }) }, `web ${image}`);
          const firstNew = events.next(1, 60_000, (e) => e.action === 'start');
          await http(following.agent.url, 'POST', '/v1/sync');
          if (!(await firstNew)) return lost(`no container of the new version started within 60 s of the push`);
          await following.agent.stop('SIGKILL');
          rmSync(following.dataDir, { recursive: true, force: true });
          following = await restartFollowing(ctx, following);
          const sync = await synced(following.agent.url, head, 90_000);
          if (!sync.ok) return lost(`the agent on an empty data directory did not sync ${head.slice(0, 7)}: ${JSON.stringify(sync.state)}`);
          const status = await settledJob(following.agent.url, 'web', { timeoutMs: 120_000 });
          const deployment = status.latestDeployment;
          if (deployment && deployment.status !== 'successful') return lost(`the deployment ended ${deployment.status}: ${deployment.description}`);
          let problems: string[] = [];
          await waitFor(async () => {
            problems = convergenceProblems(readStore(following.dataDir, 'web'), await jobContainers(docker, runLabel, 'web'), count);
            return problems.length === 0;
          }, 30_000, 500);
          const store = readStore(following.dataDir, 'web');
          ctx.trace(`job version ${store.jobVersion}; deployments ${JSON.stringify(store.deployments)}; live ${JSON.stringify(store.allocations.filter((a) => a.desired === 'run'))}; events ${JSON.stringify(events.seen.slice(-8))}`);
          const running = [...new Set((await jobContainers(docker, runLabel, 'web')).map((c) => c.image))];
          if (running.length !== 1 || running[0] !== image) problems.push(`running ${running.join(', ')}, not ${image}`);
          return problems.length === 0 ? held() : lost(problems.join('; '));
        });
      }
    }
  },
};
