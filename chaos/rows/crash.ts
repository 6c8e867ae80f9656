// Crash trials: the agent (bin/deckhand.js agent, its own data directory) is
// killed with SIGKILL in the middle of a rollout — at a seeded random moment
// after the submit (some land during the POST itself), or when the engine reports
// the nth container start or die — started again, killed a second time while it
// recovers, and started once more. It must then converge: the deployment ends
// (successfully: the deadlines are far beyond what the rollout needs), exactly
// `count` allocations run the job's version, one per index, every container
// belongs to one of them, and SQLite's integrity check passes.
import { seededRandom } from '../../test/support/seeded-random.js';
import { bundleOf } from '../../test/support/agent-process.js';
import type { AgentProcess } from '../../test/support/agent-process.js';
import { docker } from '../../test/runtime/support.js';
import type { ChaosContext } from '../context.js';
import type { JobStatusView } from '../../src/api/views.js';
import { ContainerEvents, convergenceProblems, http, jobContainers, jsonOf, readStore, waitFor } from '../probes.js';
import type { ChaosRow, RowPlan, Tally } from '../row.js';
import { Lost, anotherTrial, held, lost } from '../row.js';
import { chaosJob, settledJob } from '../setups.js';

const count = 3;
const images = ['deckhand-demo:v2', 'deckhand-demo:v3', 'deckhand-demo:v1'];
/** A stop-first rollout of 3 prints 6 container events (die, start, ...): kills land anywhere in it. */
const eventsPerRollout = 2 * count;

export const crashRow: ChaosRow = {
  id: 'crash',
  fault: 'Crash (kill -9)',
  tried:
    'agent SIGKILLed during a rollout (3 allocations, one at a time) at a seeded random moment after the submit (some during the POST) or on the nth container start/die event, killed again while it recovers (within 1 s of listening, or at its first container event), restarted; then: deployment ended successfully, one allocation per index, no orphan or leftover container, no stuck deployment, PRAGMA integrity_check ok',
  trials: { quick: 2, full: 6, more: true },
  secondsPerTrial: 15,
  async run(ctx: ChaosContext, tally: Tally, plan: RowPlan): Promise<void> {
    const random = seededRandom(ctx.seed);
    const runLabel = ctx.newRunLabel('crash');
    const dataDir = ctx.tempDir('crash');
    const events = await ContainerEvents.watch(docker, runLabel);
    ctx.defer('stop watching container events', () => events.close());
    const start = () => ctx.startAgent({ runId: runLabel, dataDir });
    let agent = await start();
    const submit = (a: AgentProcess, image: string) =>
      http(a.url, 'POST', '/v1/jobs', { body: JSON.stringify(bundleOf(chaosJob({ count, image, maxParallel: 1 }))), headers: { 'content-type': 'application/json' }, timeoutMs: 30_000 });
    const first = await submit(agent, 'deckhand-demo:v1');
    if (first.status !== 200) throw new Error(`the first submit answered ${first.status}: ${first.text.slice(0, 200)}`);
    await settledJob(agent.url, 'web');
    // One update without a kill, timed: random kills are drawn within how long a rollout takes on this machine now.
    const warmUpStarted = Date.now();
    await submit(agent, 'deckhand-demo:v3');
    await settledJob(agent.url, 'web', { version: 1 });
    const rolloutMs = Math.max(1000, Date.now() - warmUpStarted);
    const landings = { first: new Map<Landing, number>(), secondDuringRecovery: 0 };

    for (let n = 0; anotherTrial(tally, plan, this.secondsPerTrial); n++) {
      // Another image than the one running (a submit killed before it landed left the old one).
      const current = (await jobContainers(docker, runLabel, 'web'))[0]?.image;
      const image = images[n % images.length] === current ? images[(n + 1) % images.length]! : images[n % images.length]!;
      const byEvent = n % 2 === 1;
      const firstKill = byEvent ? { event: 1 + Math.floor(random() * eventsPerRollout) } : { afterMs: Math.floor(random() * rolloutMs) };
      const secondKill = random() < 0.5 ? { event: 1 } : { afterMs: Math.floor(random() * 1000) };
      const what = `trial ${n + 1}: ${describeKill(firstKill, 'the submit')}, again ${describeKill(secondKill, 'the restart')}`;
      await tally.trial(what, async () => {
        // 1. The submit, and the first kill.
        let posting = true;
        const submitted = submit(agent, image).then(
          (answer) => (answer.status === 200 ? (JSON.parse(answer.text) as { jobs: Array<{ version: number }> }).jobs[0]!.version : null),
          () => null,
        );
        void submitted.finally(() => (posting = false));
        const first = await killWhen(agent, firstKill, events, { eventTimeoutMs: 20_000, posting: () => posting });
        const version = await submitted;
        // 2. Recovery, killed once more: at a random moment within 1 s of listening, or at its first container event (2 s at most).
        agent = await restart(start, 'after the first kill');
        const second = await killWhen(agent, secondKill, events, { eventTimeoutMs: 2_000 });
        agent = await restart(start, 'after the second kill');
        landings.first.set(first, (landings.first.get(first) ?? 0) + 1);
        if (second === 'mid-rollout') landings.secondDuringRecovery += 1;
        // 3. Convergence.
        const status = await settledJob(agent.url, 'web', { timeoutMs: 150_000, ...(version === null ? {} : { version }) });
        const deployment = status.latestDeployment;
        if (!deployment) return lost('the job has no deployment after the restarts');
        if (deployment.status !== 'successful') return lost(`the deployment ended ${deployment.status}: ${deployment.description}`);
        let problems: string[] = [];
        const converged = await waitFor(async () => {
          problems = convergenceProblems(readStore(dataDir, 'web'), await jobContainers(docker, runLabel, 'web'), count);
          return problems.length === 0;
        }, 30_000, 500);
        if (!converged) return lost(problems.join('; '));
        const containers = await jobContainers(docker, runLabel, 'web');
        // The POST answered: its image runs. It did not (killed during it): the old image or the new, but one of them everywhere.
        const running = [...new Set(containers.map((c) => c.image))];
        if (version !== null && (running.length !== 1 || running[0] !== image)) return lost(`version ${version} (${image}) was accepted, but ${running.join(', ')} runs`);
        if (running.length !== 1) return lost(`two images run side by side after the rollout ended: ${running.join(', ')}`);
        return held();
      });
    }
    // Where the kills landed, counted honestly: a kill after the rollout had ended tested less than one in the middle of it.
    const judged = [...landings.first.values()].reduce((a, b) => a + b, 0);
    tally.note(
      `an update without kills took ${(rolloutMs / 1000).toFixed(1)} s here; first kills: ${(['mid-POST', 'mid-rollout', 'after the rollout'] as const).map((l) => `${landings.first.get(l) ?? 0} ${l}`).join(', ')}; second kills during the resumed rollout: ${landings.secondDuringRecovery} of ${judged}`,
    );
  },
};

type Kill = { afterMs: number } | { event: number };

function describeKill(kill: Kill, after: string): string {
  return 'afterMs' in kill ? `kill -9 ${kill.afterMs} ms after ${after}` : `kill -9 at container event #${kill.event} after ${after}`;
}

/** Where a kill landed: in the middle of the submit, of the rollout, or after the rollout had ended (a kill that tested less). */
type Landing = 'mid-POST' | 'mid-rollout' | 'after the rollout';

/**
 * Kills the agent at the moment `kill` names (an event that has not come after
 * `eventTimeoutMs`: then), and says where the kill landed: the agent is asked
 * about its deployment a moment before (a few ms: it answers at once).
 */
async function killWhen(agent: AgentProcess, kill: Kill, events: ContainerEvents, options: { eventTimeoutMs: number; posting?: () => boolean }): Promise<Landing> {
  if ('afterMs' in kill) await new Promise((resolve) => setTimeout(resolve, kill.afterMs));
  else await events.next(kill.event, options.eventTimeoutMs, (e) => e.action === 'start' || e.action === 'die');
  let landing: Landing = 'after the rollout';
  if (options.posting?.()) landing = 'mid-POST';
  else {
    const view = await http(agent.url, 'GET', '/v1/job/web', { timeoutMs: 500 }).then(
      (answer) => jsonOf<JobStatusView>(answer),
      () => null,
    );
    if (view?.latestDeployment?.status === 'running') landing = 'mid-rollout';
  }
  await agent.stop('SIGKILL');
  return landing;
}

async function restart(start: () => Promise<AgentProcess>, when: string): Promise<AgentProcess> {
  try {
    return await start();
  } catch (error) {
    throw new Lost(`the agent did not start again ${when}: ${(error as Error).message.split('\n').slice(0, 3).join(' ').slice(0, 300)}`);
  }
}
