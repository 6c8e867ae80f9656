// Scenarios on a three-node test swarm (issue 16): the rollout engine with the
// Swarm driver, every allocation a one-replica service. S1 (a rolling update in
// batches, never more than the budget down), S3 (a canary beside the old version,
// promoted), S4/S6 (a version whose HEALTHCHECK fails: the deployment fails and
// goes back to the last stable version), node loss during an update (the update
// still ends with exactly the count, nothing orphaned), and an engine restarted
// mid-update adopting what runs and finishing it.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoImageUnhealthy, demoImageV1, demoImageV2, demoImageV3 } from '../../src/demo/images.js';
import type { DeckhandEvent } from '../../src/model/events.js';
import type { Job } from '../../src/model/job.js';
import { renderPath } from '../../src/render/tree.js';
import { RolloutEngine } from '../../src/rollout/engine.js';
import { SwarmDriver, swarmSupport } from '../../src/runtime/swarm/index.js';
import { openStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { readDirectoryTree } from '../../src/sync/directory.js';
import { SwarmCluster } from '../support/swarm/cluster.js';
import { ensureDemoImages, eventually, testLabel } from '../runtime/support.js';

const cli = { kind: 'cli' as const, commit: null, file: null, author: null, message: null, revertOf: null };
const engineErrors: unknown[] = [];

let cluster: SwarmCluster;
let labels: Record<string, string>;
let dataDir: string;

interface Running {
  store: Store;
  driver: SwarmDriver;
  engine: RolloutEngine;
  events: DeckhandEvent[];
  close(): Promise<void>;
}

async function startEngine(): Promise<Running> {
  const store = openStore(dataDir);
  const onError = (error: unknown, context: string) => {
    engineErrors.push(error);
    console.error(`engine error while ${context}:`, error);
  };
  const driver = new SwarmDriver({ docker: cluster.manager.docker, address: 'the test swarm', labels, stopTimeoutSeconds: 1, pollIntervalMs: 500, stopPollMs: 100, onError });
  const engine = new RolloutEngine({ store, driver, onError });
  const events: DeckhandEvent[] = [];
  engine.onProgress((event) => events.push(event));
  await engine.start();
  return {
    store, driver, engine, events,
    close: async () => {
      await engine.close();
      await driver.close();
      store.close();
    },
  };
}

let running: Running;

beforeAll(async () => {
  await ensureDemoImages();
  cluster = await SwarmCluster.start({ nodes: 3, images: [demoImageV1, demoImageV2, demoImageV3, demoImageUnhealthy], heartbeatMs: 1000 });
  labels = { [testLabel]: cluster.runId };
  dataDir = mkdtempSync(join(tmpdir(), 'deckhand-swarm-rollout-'));
  running = await startEngine();
}, 120_000);

afterEach(() => {
  expect(engineErrors).toEqual([]);
});

afterAll(async () => {
  await running?.close();
  await cluster?.destroy();
}, 60_000);

/** A job file rendered as the agent renders it under `--runtime swarm`: anything a service cannot carry is an error. */
async function render(file: string, text: string): Promise<{ job: Job; text: string }> {
  const root = mkdtempSync(join(tmpdir(), 'deckhand-swarm-job-'));
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, file), text);
  const tree = await readDirectoryTree(root);
  const result = renderPath(tree, file, { env: {}, vars: {}, varFiles: [], limits: { maxCount: 100, maxGroups: 10, maxTasks: 10, runtimeSupport: swarmSupport } });
  if (result.jobs.length !== 1) throw new Error(result.diagnostics.map((d) => `${d.file}:${d.line}: ${d.field}: ${d.message}`).join('\n'));
  return { job: result.jobs[0]!.job, text };
}

/** A Compose stack of one service on the demo image, whose HEALTHCHECK (1 s) gates every batch. */
const stack = (image: string, options: { replicas: number; order?: 'stop-first' | 'start-first'; failure?: 'rollback' | 'pause' }) => `
name: swarm-web
services:
  web:
    image: ${image}
    environment:
      PORT: "8080"
    deploy:
      replicas: ${options.replicas}
      restart_policy:
        condition: any
        delay: 1s
      update_config:
        parallelism: 2
        order: ${options.order ?? 'stop-first'}
        monitor: 1s
        failure_action: ${options.failure ?? 'rollback'}
`;

/** A Nomad job of one group with canaries, healthy when its task runs past its HEALTHCHECK for min_healthy_time. */
const nomadJob = (image: string, options: { count: number; canary: number; autoRevert?: boolean }) => `
job "swarm-api" {
  update {
    max_parallel      = 2
    canary            = ${options.canary}
    health_check      = "task_states"
    min_healthy_time  = "1s"
    healthy_deadline  = "20s"
    progress_deadline = "40s"
    auto_revert       = ${options.autoRevert ? 'true' : 'false'}
  }
  group "api" {
    count = ${options.count}
    network {
      port "http" { to = 8080 }
    }
    task "server" {
      driver = "docker"
      config {
        image = "${image}"
        ports = ["http"]
      }
      env {
        PORT = "8080"
      }
    }
  }
}
`;

/** The services of a job now, by the labels they carry. */
async function servicesOf(jobId: string): Promise<Array<{ name: string; version: number; alloc: string }>> {
  const services = await cluster.manager.docker.listServices({ filters: { label: [`com.docker.stack.namespace=${jobId}`, `${testLabel}=${cluster.runId}`] } });
  return services.map((service) => ({ name: service.Spec!.Name!, version: Number(service.Spec!.Labels!['deckhand.version']), alloc: service.Spec!.Labels!['deckhand.alloc']! }));
}

/** The containers of a job on every running node, with their image. */
async function containersOf(jobId: string): Promise<string[]> {
  const listed = await Promise.all(cluster.nodes.filter((node) => node.running).map((node) => node.docker.listContainers({ filters: { label: [`deckhand.job=${jobId}`, `${testLabel}=${cluster.runId}`] } })));
  return listed.flat().map((container) => container.Image).sort();
}

const store = () => running.store;
const versionsRunning = (jobId: string) => running.store.listAllocations(jobId).filter((a) => a.desired === 'run').map((a) => a.jobVersion).sort();

describe('rollouts on a three-node swarm', () => {
  it('refuses, at its line, what a service cannot carry: a /dev/shm size', async () => {
    await expect(render('refused.yaml', 'services:\n  web:\n    image: x\n    shm_size: 64m\n')).rejects.toThrow(/refused\.yaml:4: services\.web\.shm_size: not supported by --runtime swarm: task "web": shmSizeBytes/);
  });

  it('S1: a rolling update in batches of 2, stop-first, ends with every allocation on the new version and the old services gone', async () => {
    const v1 = await render('docker-compose.yaml', stack(demoImageV1, { replicas: 4 }));
    const first = running.engine.submit({ job: v1.job, source: cli, sourceText: v1.text });
    expect(await running.engine.waitForDeployment(first.deployment!.id, 90_000)).toMatchObject({ status: 'successful' });
    const stable = first.version.version;
    expect((await servicesOf('swarm-web')).map((service) => service.version)).toEqual(Array(4).fill(stable));

    const from = running.events.length;
    const v2 = await render('docker-compose.yaml', stack(demoImageV2, { replicas: 4 }));
    const second = running.engine.submit({ job: v2.job, source: cli, sourceText: v2.text });
    expect(await running.engine.waitForDeployment(second.deployment!.id, 90_000)).toMatchObject({ status: 'successful', groups: [{ healthy: 4, unhealthy: 0 }] });
    // Stop-first in batches of 2: never fewer than 2 of 4 meant to run, never more than 4.
    let live = 4;
    let fewest = 4;
    let most = 4;
    for (const event of running.events.slice(from)) {
      if (event.type !== 'allocation') continue;
      if (/^placing allocation/.test(event.message)) live++;
      if (/ stopped: /.test(event.message)) live--;
      fewest = Math.min(fewest, live);
      most = Math.max(most, live);
    }
    expect(fewest).toBe(2);
    expect(most).toBe(4);
    const services = await servicesOf('swarm-web');
    expect(services.map((service) => service.version)).toEqual(Array(4).fill(second.version.version));
    expect(second.version.version).toBe(stable + 1);
    expect(services.map((service) => service.name).every((name) => /^swarm-web_web_[0-3]_[0-9a-f]{8}$/.test(name))).toBe(true);
    await eventually(async () => (await containersOf('swarm-web')).join() === Array(4).fill(demoImageV2).join() || undefined, 'four v2 containers across the nodes', 30_000);
  }, 240_000);

  it('S4/S6: a version whose HEALTHCHECK fails fails its deployment and goes back to the last stable version', async () => {
    const bad = await render('docker-compose.yaml', stack(demoImageUnhealthy, { replicas: 4 }));
    const submitted = running.engine.submit({ job: bad.job, source: cli, sourceText: bad.text });
    const failed = await running.engine.waitForDeployment(submitted.deployment!.id, 120_000);
    expect(failed).toMatchObject({ status: 'failed' });
    const stable = running.store.listVersions('swarm-web').find((version) => version.stable && version.version < submitted.version.version)!.version;
    expect(failed.description).toMatch(new RegExp(`rolling back to job version ${stable}$`));
    const revert = await eventually(async () => {
      const latest = running.store.listDeployments('swarm-web')[0]!;
      return latest.id !== failed.id && latest;
    }, 'the revert deployment', 30_000);
    expect(await running.engine.waitForDeployment(revert.id, 120_000)).toMatchObject({ status: 'successful' });
    await eventually(async () => (await containersOf('swarm-web')).join() === Array(4).fill(demoImageV2).join() || undefined, 'four v2 containers again', 60_000);
    expect(await servicesOf('swarm-web')).toHaveLength(4);
  }, 300_000);

  it('S3: a canary runs beside the old version until promoted; promote replaces the rest, ending at exactly the count', async () => {
    const v1 = await render('api.nomad', nomadJob(demoImageV1, { count: 3, canary: 1 }));
    const first = running.engine.submit({ job: v1.job, source: cli, sourceText: v1.text });
    expect(await running.engine.waitForDeployment(first.deployment!.id, 90_000)).toMatchObject({ status: 'successful' });

    const v2 = await render('api.nomad', nomadJob(demoImageV3, { count: 3, canary: 1 }));
    const submitted = running.engine.submit({ job: v2.job, source: cli, sourceText: v2.text });
    const id = submitted.deployment!.id;
    await eventually(async () => running.store.getDeployment(id)?.description === 'Deployment is running but requires manual promotion' || undefined, 'the canary waiting for promotion', 60_000);
    const [old, next] = [first.version.version, submitted.version.version];
    expect((await servicesOf('swarm-api')).map((service) => service.version).sort()).toEqual([old, old, old, next]);

    running.engine.promote('swarm-api');
    expect(await running.engine.waitForDeployment(id, 120_000)).toMatchObject({ status: 'successful' });
    expect((await servicesOf('swarm-api')).map((service) => service.version)).toEqual([next, next, next]);
    await eventually(async () => (await containersOf('swarm-api')).join() === Array(3).fill(demoImageV3).join() || undefined, 'three v3 containers', 30_000);
  }, 300_000);

  it("node loss during an update: Swarm moves the lost node's tasks, the update ends with exactly the count, nothing orphaned", async () => {
    const third = cluster.nodes[2]!;
    const v3 = await render('docker-compose.yaml', stack(demoImageV3, { replicas: 4 }));
    const submitted = running.engine.submit({ job: v3.job, source: cli, sourceText: v3.text });
    // Once the first new allocation runs, the third node dies.
    await eventually(async () => running.store.listAllocations('swarm-web').some((a) => a.jobVersion === submitted.version.version && a.healthy === true) || undefined, 'a healthy allocation of the new version', 60_000);
    await third.kill();
    let image = demoImageV3;
    try {
      // Either way is right, as the issue says: the update succeeds, or a new allocation lost with
      // the node fails it (failure_action rollback) and the revert to the last stable version succeeds.
      const ended = await running.engine.waitForDeployment(submitted.deployment!.id, 180_000);
      let final = ended;
      if (ended.status === 'failed') {
        expect(ended.description).toMatch(/rolling back to job version \d+$/);
        const revert = store().listDeployments('swarm-web')[0]!;
        expect(revert.id).not.toBe(ended.id);
        final = await running.engine.waitForDeployment(revert.id, 180_000);
        image = demoImageV2;
      }
      expect(final).toMatchObject({ status: 'successful' });
      // Swarm may find the node lost only after the update ended (a rollout no longer waits for its
      // stops to be decided again): its allocations are then replaced outside the deployment, once
      // their stops have given up on the node, and the count is whole again.
      await eventually(async () => versionsRunning('swarm-web').join() === Array(4).fill(final.jobVersion).join() || undefined, 'four allocations of the final version', 90_000);
      // One service per allocation meant to run, no other (a revert updates the allocations of its spec in place: their labels keep their version).
      const meant = store().listAllocations('swarm-web').filter((a) => a.desired === 'run').map((a) => a.id).sort();
      expect((await servicesOf('swarm-web')).map((service) => service.alloc).sort()).toEqual(meant);
    } finally {
      await third.start();
    }
    // Back, the node shuts down whatever it still ran: exactly four containers, nothing duplicated or orphaned.
    await eventually(async () => (await containersOf('swarm-web')).join() === Array(4).fill(image).join() || undefined, 'exactly four containers of the final version once the node is back', 90_000);
  }, 300_000);

  it('node loss with nothing rolling out: Swarm moves the tasks, deckhand places and stops nothing, the same allocations run', async () => {
    const before = (await servicesOf('swarm-web')).map((service) => service.alloc).sort();
    const deployments = store().listDeployments('swarm-web').length;
    const from = running.events.length;
    const second = cluster.nodes[1]!;
    const secondId = ((await second.docker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    const onSecond = (await running.driver.observe()).filter((alloc) => alloc.jobId === 'swarm-web' && alloc.nodeId === secondId).map((alloc) => alloc.allocId);
    // The node to lose runs some of the job (the third node came back empty from the test before).
    expect(onSecond.length).toBeGreaterThan(0);
    await second.kill();
    try {
      // Every allocation of the lost node runs again, on another node.
      await eventually(async () => {
        const now = (await running.driver.observe()).filter((alloc) => alloc.jobId === 'swarm-web');
        return now.length === 4 && now.every((alloc) => alloc.nodeId !== secondId && alloc.tasks[0].state === 'running' && alloc.tasks[0].health !== 'starting') || undefined;
      }, 'every allocation running off the lost node', 60_000);
      expect((await servicesOf('swarm-web')).map((service) => service.alloc).sort()).toEqual(before);
      expect(store().listDeployments('swarm-web')).toHaveLength(deployments);
      const acted = running.events.slice(from).filter((event) => event.type === 'allocation' && event.jobId === 'swarm-web' && /^placing|stopped:/.test(event.message));
      expect(acted).toEqual([]);
    } finally {
      await second.start();
    }
    await eventually(async () => (await containersOf('swarm-web')).length === 4 || undefined, 'exactly four containers once the node is back', 90_000);
  }, 180_000);

  it("passes the file's placement to Swarm: a constraint on a node label puts every allocation on that node", async () => {
    const second = cluster.nodes[1]!;
    const secondId = ((await second.docker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    const node = await cluster.manager.docker.getNode(secondId).inspect();
    await cluster.manager.docker.getNode(secondId).update({ version: node.Version.Index, ...node.Spec, Labels: { ...node.Spec.Labels, zone: 'b' } });
    const pinned = await render('pinned.yaml', `name: swarm-pinned
services:
  web:
    image: ${demoImageV1}
    environment:
      PORT: "8080"
    deploy:
      replicas: 3
      placement:
        constraints: [node.labels.zone == b]
`);
    const submitted = running.engine.submit({ job: pinned.job, source: cli, sourceText: pinned.text });
    expect(await running.engine.waitForDeployment(submitted.deployment!.id, 90_000)).toMatchObject({ status: 'successful' });
    const observed = (await running.driver.observe()).filter((alloc) => alloc.jobId === 'swarm-pinned');
    expect(observed.map((alloc) => alloc.nodeId)).toEqual([secondId, secondId, secondId]);
    await running.engine.stopJob('swarm-pinned', true);
    await eventually(async () => (await servicesOf('swarm-pinned')).length === 0 || undefined, 'the pinned job gone', 60_000);
  }, 180_000);

  it('an engine restarted mid-update adopts what runs from the store and the services, and finishes the update', async () => {
    const v4 = await render('docker-compose.yaml', stack(demoImageV1, { replicas: 4 }));
    const submitted = running.engine.submit({ job: v4.job, source: cli, sourceText: v4.text });
    await eventually(async () => running.store.listAllocations('swarm-web').some((a) => a.jobVersion === submitted.version.version && a.status === 'running') || undefined, 'a placed allocation of the new version', 60_000);
    await running.close();
    running = await startEngine();
    expect(await running.engine.waitForDeployment(submitted.deployment!.id, 180_000)).toMatchObject({ status: 'successful' });
    expect((await servicesOf('swarm-web')).map((service) => service.version)).toEqual(Array(4).fill(submitted.version.version));
    await eventually(async () => (await containersOf('swarm-web')).join() === Array(4).fill(demoImageV1).join() || undefined, 'four v1 containers', 60_000);
  }, 300_000);
});
