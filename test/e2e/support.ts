// End-to-end rollouts on the real Docker engine: a store, the Docker driver with
// the run's label (so a test sees and removes only its own containers), and the engine.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Job, UpdateStrategy } from '../../src/model/job.js';
import { renderPath } from '../../src/render/tree.js';
import { RolloutEngine } from '../../src/rollout/engine.js';
import type { EngineOptions } from '../../src/rollout/engine.js';
import type { DeckhandEvent } from '../../src/model/events.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import type { DockerDriverOptions } from '../../src/runtime/docker/driver.js';
import { openStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { readDirectoryTree } from '../../src/sync/directory.js';
import { docker, ensureDemoImages, newRunId, removeRunContainers, testLabel } from '../runtime/support.js';

export { removeRunContainers };

export interface Harness {
  runId: string;
  store: Store;
  dataDir: string;
  driver: DockerDriver;
  engine: RolloutEngine;
  events: DeckhandEvent[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Another engine than the machine's (a fault test's own dockerd, with its images built). */
  docker?: Docker;
  driver?: Omit<DockerDriverOptions, 'labels'>;
  engine?: Pick<EngineOptions, 'runtimeRetryDelayMs' | 'onError' | 'traffic'>;
  /** Leaves start() to the test (e.g. while the engine cannot be reached). */
  start?: boolean;
}

export async function startHarness(runId: string, dataDir = mkdtempSync(join(tmpdir(), 'deckhand-e2e-')), options: HarnessOptions = {}): Promise<Harness> {
  if (!options.docker) await ensureDemoImages();
  const store = openStore(dataDir);
  const driver = new DockerDriver(options.docker ?? docker, { stopTimeoutSeconds: 1, filesDir: join(dataDir, 'files'), ...options.driver, labels: { [testLabel]: runId } });
  const engine = new RolloutEngine({ store, driver, onError: (error, context) => console.error(`engine error while ${context}:`, error), ...options.engine });
  const events: DeckhandEvent[] = [];
  engine.onProgress((e) => {
    events.push(e);
    // Failures are expected in some scenarios; printed, they explain an unexpected one in CI's log.
    if (e.type === 'allocation' && /unhealthy|failed to start/.test(e.message)) process.stderr.write(`[${runId}] ${e.jobId}: ${e.message}\n`);
  });
  if (options.start !== false) await engine.start();
  return {
    runId, store, dataDir, driver, engine, events,
    close: async () => {
      await engine.close();
      await driver.close();
      store.close();
    },
  };
}

/** A fixture's job, scaled down for tests: fewer allocations, shorter waits. */
export async function fixtureJob(folder: string, scale: { count?: number; update?: Partial<UpdateStrategy>; restartDelayMs?: number } = {}): Promise<{ job: Job; text: string }> {
  const root = join(process.cwd(), 'fixtures', folder);
  const tree = await readDirectoryTree(root);
  const path = [...tree.files.keys()].find((p) => !p.endsWith('.golden.json'))!;
  const result = renderPath(tree, path, { env: {}, vars: {}, varFiles: [] });
  if (result.jobs.length !== 1) throw new Error(`${folder}: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  const job = structuredClone(result.jobs[0]!.job);
  for (const group of job.groups) {
    if (scale.count !== undefined) group.count = scale.count;
    group.update = { ...group.update, ...scale.update };
    if (group.rollback) group.rollback = { ...group.rollback, ...scale.update };
    if (scale.restartDelayMs !== undefined) group.restart = { ...group.restart, delayMs: scale.restartDelayMs };
    // Checks probe every half second, so health shows well within the scaled-down deadlines.
    for (const task of group.tasks) task.checks = task.checks.map((c) => ({ ...c, intervalMs: Math.min(c.intervalMs, 500), timeoutMs: Math.min(c.timeoutMs, 500) }));
  }
  return { job, text: readFileSync(join(root, path), 'utf8') };
}

export const cli = { kind: 'cli' as const, commit: null, file: null, author: null, message: null, revertOf: null };

/** Images of the containers that run for a job now. */
export async function runningImages(runId: string, jobId: string): Promise<string[]> {
  const listed = await docker.listContainers({ filters: { label: [`${testLabel}=${runId}`, `deckhand.job=${jobId}`] } });
  return listed.map((c) => c.Image).sort();
}

/** Resolves with the first progress event that matches (already seen ones count too). */
export function waitForEvent(h: Harness, match: (e: DeckhandEvent) => boolean, timeoutMs = 60_000): Promise<DeckhandEvent> {
  const seen = h.events.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('the awaited event did not come'));
    }, timeoutMs);
    const off = h.engine.onProgress((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Containers of a job now, with their allocation labels. */
export async function containersOf(runId: string, jobId: string, client: Docker = docker): Promise<Array<{ id: string; image: string; index: number; alloc: string }>> {
  const listed = await client.listContainers({ filters: { label: [`${testLabel}=${runId}`, `deckhand.job=${jobId}`] } });
  return listed.map((c) => ({ id: c.Id, image: c.Image, index: Number(c.Labels['deckhand.index']), alloc: c.Labels['deckhand.alloc']! }));
}

/**
 * A harness for the tests of one describe block: started before them, closed and
 * its containers removed after them, even when a test fails.
 */
export function useHarness(): () => Harness {
  const runId = newRunId();
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness(runId);
  });
  afterAll(async () => {
    await harness?.close();
    await removeRunContainers(runId);
  });
  return () => harness!;
}
