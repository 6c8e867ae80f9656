// The update done by deckhand on its Swarm runtime, as `deckhand agent --runtime
// swarm` does it: the rollout engine and the Swarm driver in this process, against
// the manager's socket, every allocation a one-replica service on the job's own
// attachable overlay (the driver makes it; the benchmark's overlay is not used).
// The job is a Compose file rendered as the agent renders one under
// `--runtime swarm`, with the update of the Swarm side: parallel 2, no delay,
// monitor 1 s (Swarm's meaning: a failure-watch window that holds no batch), pause
// on failure, the round's order, a 1 s restart delay, 3 s to stop; the tasks' health
// is the image's HEALTHCHECK, as on the Swarm side. Done is the deployment's end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoImageV1, demoImageV2 } from '../src/demo/images.js';
import type { Job } from '../src/model/job.js';
import type { Deployment } from '../src/model/state.js';
import { renderTree } from '../src/render/tree.js';
import { RolloutEngine } from '../src/rollout/engine.js';
import { SwarmDriver, swarmSupport } from '../src/runtime/swarm/index.js';
import { openStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import type { UpdateRunner, UpdateSetup } from './swarm-cluster-update.js';
import { monitorMs, parallel, replicas, restartDelayMs, stopGraceSeconds, UpdateFailed } from './swarm-cluster-update.js';

const cli = { kind: 'cli' as const, commit: null, file: null, author: null, message: null, revertOf: null };
const timeoutMs = 120_000;

/** The job at `image`, rendered as the agent renders it under `--runtime swarm`. */
function composeJob(setup: UpdateSetup, image: string): Job {
  const text = [
    `name: ${setup.name}`,
    'services:',
    '  web:',
    `    image: ${image}`,
    '    environment:',
    '      PORT: "8000"',
    `    stop_grace_period: ${stopGraceSeconds}s`,
    '    deploy:',
    `      replicas: ${replicas}`,
    '      restart_policy:',
    '        condition: any',
    `        delay: ${restartDelayMs / 1000}s`,
    '      update_config:',
    `        parallelism: ${parallel}`,
    `        monitor: ${monitorMs / 1000}s`,
    `        order: ${setup.order}`,
    '        delay: 0s',
    '        failure_action: pause',
    '',
  ].join('\n');
  const options = { env: {}, vars: {}, varFiles: [], limits: { maxCount: 100, maxGroups: 10, maxTasks: 10, runtimeSupport: swarmSupport } };
  const result = renderTree({ rootName: setup.name, files: new Map([['docker-compose.yml', new TextEncoder().encode(text)]]) }, options);
  const job = result.jobs[0]?.job;
  if (!job || result.jobs.length !== 1) throw new Error(`the benchmark's compose job does not render under --runtime swarm: ${result.diagnostics.map((d) => `${d.field}: ${d.message}`).join('; ')}`);
  return job;
}

/** Resolves with the deployment once it ends or pauses (a paused one would otherwise hold the benchmark until the timeout). */
function deploymentEnd(engine: RolloutEngine, jobId: string, deploymentId: string): Promise<Deployment> {
  const ended = (d: Deployment | undefined) => d !== undefined && d.id === deploymentId && d.status !== 'running';
  return new Promise((resolve, reject) => {
    const finish = (d: Deployment) => {
      clearTimeout(timer);
      off();
      resolve(d);
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`deckhand: deployment ${deploymentId.slice(0, 8)} of ${jobId} did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.onProgress((event) => {
      if (event.type === 'deployment' && ended(event.deployment)) finish(event.deployment);
    });
    const now = engine.latestDeployment(jobId);
    if (ended(now)) finish(now!);
  });
}

interface Running {
  dataDir: string;
  store: Store;
  driver: SwarmDriver;
  engine: RolloutEngine;
}

export class DeckhandSwarmRunner implements UpdateRunner {
  readonly name = 'deckhand';
  private running: Running | null = null;
  private errors: string[] = [];

  async prepare(setup: UpdateSetup): Promise<void> {
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bench-swarm-'));
    const store = openStore(dataDir);
    const onError = (error: unknown, context: string) => this.errors.push(`while ${context}: ${String(error)}`);
    // The agent's driver but for its labels: the update's, so the benchmark finds its tasks and containers.
    const driver = new SwarmDriver({ docker: setup.cluster.manager.docker, address: `the test swarm ${setup.cluster.runId}`, labels: setup.labels, stopTimeoutSeconds: stopGraceSeconds, onError });
    const engine = new RolloutEngine({ store, driver, onError });
    this.running = { dataDir, store, driver, engine };
    await engine.start();
    await this.deploy(setup, demoImageV1, 'the first version');
  }

  async update(setup: UpdateSetup): Promise<void> {
    await this.deploy(setup, demoImageV2, 'the update');
  }

  /** Stops the job (its services, then its overlay) and closes the engine; engine errors seen meanwhile are printed (the cluster's teardown removes anything left). */
  async remove(setup: UpdateSetup): Promise<void> {
    const running = this.running;
    this.running = null;
    if (!running) return;
    try {
      await running.engine.stopJob(setup.name, true);
    } finally {
      await running.engine.close();
      await running.driver.close();
      running.store.close();
      rmSync(running.dataDir, { recursive: true, force: true });
    }
    for (const error of this.takeErrors()) process.stderr.write(`  deckhand: ${setup.name}: after the measurement, an engine error ${error}\n`);
  }

  private takeErrors(): string[] {
    const errors = this.errors;
    this.errors = [];
    return errors;
  }

  private async deploy(setup: UpdateSetup, image: string, what: string): Promise<void> {
    const { engine, store } = this.running!;
    const submitted = engine.submit({ job: composeJob(setup, image), source: cli, sourceText: null });
    const done = await deploymentEnd(engine, setup.name, submitted.deployment!.id);
    // An engine error (a manager that did not answer) may have cost the deployment time: the round is left out.
    const errors = this.takeErrors();
    if (errors.length > 0) throw new UpdateFailed(`deckhand: engine errors during ${what}: ${errors.join('; ')}`);
    if (done.status === 'successful') return;
    const why = store.listAllocations(setup.name).filter((a) => a.healthy === false || a.status === 'failed').map((a) => a.description);
    throw new UpdateFailed(`deckhand: ${what} ended ${done.status} (${done.description}): ${[...new Set(why)].join('; ') || 'no allocation says why'}`);
  }
}
