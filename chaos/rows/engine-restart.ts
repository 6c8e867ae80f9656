// Engine restart: the agent runs against a Docker engine of the run's own
// (test/support/private-dockerd.ts: its own socket, data root and network
// namespace, never the machine's engine) through DOCKER_HOST; its containers
// publish on the namespace's address, where the agent's checks reach them. In the middle of a rollout that
// engine is stopped as `systemctl stop docker` stops it (its containers with it),
// and started again. The rollout must resume and succeed, with nothing lost: the
// job's allocations, one per index, each with its one running container.
import { buildDemoImages } from '../../src/demo/images.js';
import { bundleOf } from '../../test/support/agent-process.js';
import { PrivateDockerd } from '../../test/support/private-dockerd.js';
import type { ChaosContext } from '../context.js';
import { ContainerEvents, convergenceProblems, http, jobContainers, readStore, waitFor } from '../probes.js';
import type { ChaosRow, RowPlan, Tally } from '../row.js';
import { anotherTrial, held, lost } from '../row.js';
import { chaosJob, settledJob } from '../setups.js';

const count = 3;

export const engineRestartRow: ChaosRow = {
  id: 'engine-restart',
  fault: 'Docker engine restart',
  tried:
    'a private dockerd (own socket, data root and network namespace) stopped (SIGTERM, its containers stopped with it) once the first new allocation of a rollout (3, one at a time) runs, started again 2 s later: health 503 meanwhile, the rollout resumes and succeeds, one running container per allocation, no orphan',
  trials: { quick: 1, full: 2 },
  secondsPerTrial: 25,
  async run(ctx: ChaosContext, tally: Tally, plan: RowPlan): Promise<void> {
    const dockerd = new PrivateDockerd();
    ctx.defer(`destroy the private dockerd in ${dockerd.dir}`, () => dockerd.destroy());
    await dockerd.start();
    await buildDemoImages(dockerd.docker);
    const runLabel = ctx.newRunLabel('engine');
    const dataDir = ctx.tempDir('engine');
    const agent = await ctx.startAgent({ runId: runLabel, dataDir, env: { DOCKER_HOST: `unix://${dockerd.socketPath}`, DECKHAND_PUBLISH_ADDRESS: dockerd.address } });
    const submit = (image: string) => http(agent.url, 'POST', '/v1/jobs', { body: JSON.stringify(bundleOf(chaosJob({ count, image, maxParallel: 1 }))), headers: { 'content-type': 'application/json' } });
    await submit('deckhand-demo:v1');
    await settledJob(agent.url, 'web');
    const images = ['deckhand-demo:v2', 'deckhand-demo:v1'];

    for (let n = 0; anotherTrial(tally, plan, this.secondsPerTrial); n++) {
      const image = images[n % images.length]!;
      await tally.trial(`trial ${n + 1}: engine stopped mid-rollout to ${image}`, async () => {
        // A fresh event stream each time: the engine's goes away with it.
        const events = await ContainerEvents.watch(dockerd.docker, runLabel);
        let firstStarted;
        try {
          firstStarted = events.next(1, 60_000, (e) => e.action === 'start');
          const answer = await submit(image);
          if (answer.status !== 200) return lost(`the submit answered ${answer.status}: ${answer.text.slice(0, 200)}`);
          if (!(await firstStarted)) return lost('no new allocation started within 60 s');
        } finally {
          events.close();
        }
        const version = Number(JSON.parse((await http(agent.url, 'GET', '/v1/job/web')).text).version);
        await dockerd.stop();
        const sick = await waitFor(async () => (await http(agent.url, 'GET', '/v1/agent/health', { timeoutMs: 5000 })).status === 503, 15_000, 100);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await dockerd.start();
        if (!sick) return lost('/v1/agent/health did not say 503 while the engine was stopped');
        const status = await settledJob(agent.url, 'web', { version, timeoutMs: 150_000 });
        const deployment = status.latestDeployment;
        if (!deployment || deployment.status !== 'successful') return lost(`after the engine came back the deployment ended ${deployment?.status ?? 'nowhere'}: ${deployment?.description ?? ''}`);
        let problems: string[] = [];
        await waitFor(async () => {
          problems = convergenceProblems(readStore(dataDir, 'web'), await jobContainers(dockerd.docker, runLabel, 'web'), count);
          return problems.length === 0;
        }, 30_000, 500);
        const running = [...new Set((await jobContainers(dockerd.docker, runLabel, 'web')).map((c) => c.image))];
        if (running.length !== 1 || running[0] !== image) problems.push(`running ${running.join(', ')}, not ${image}`);
        return problems.length === 0 ? held() : lost(problems.join('; '));
      });
    }
  },
};
