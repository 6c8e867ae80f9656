// Shared by the runtime tests: model builders, a Docker client, clean-up by the
// run's label, and waiting for events or conditions with a deadline (no sleeps).
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import Docker from 'dockerode';
import { buildDemoImages } from '../../src/demo/images.js';
import type { Group, RestartPolicy, Task, UpdateStrategy } from '../../src/model/job.js';
import type { Driver, PlacementRequest, RuntimeEvent } from '../../src/runtime/driver.js';

export const docker = new Docker();

export const testLabel = 'deckhand-test.run';

export function newRunId(): string {
  return `rt-${randomBytes(4).toString('hex')}`;
}

export function newAllocId(): string {
  return randomBytes(16).toString('hex');
}

let images: Promise<unknown> | null = null;
/** Builds the demo images once per test file (fast when they exist). */
export function ensureDemoImages(): Promise<unknown> {
  images ??= buildDemoImages(docker);
  return images;
}

/** Removes every container of a test run, whatever state it is in, then the networks it made. */
export function removeRunContainers(runId: string): Promise<void> {
  return removeRunObjects(docker, runId);
}

export async function removeRunObjects(client: Docker, runId: string): Promise<void> {
  const listed = await client.listContainers({ all: true, filters: { label: [`${testLabel}=${runId}`] } });
  await Promise.allSettled(listed.map((item) => client.getContainer(item.Id).remove({ force: true, v: true })));
  const networks = await client.listNetworks({ filters: { label: [`${testLabel}=${runId}`] } });
  await Promise.allSettled(networks.map((item) => client.getNetwork(item.Id).remove()));
  // deckhand never removes a volume; a test run removes its own.
  const { Volumes: volumes } = await client.listVolumes({ filters: { label: [`${testLabel}=${runId}`] } });
  await Promise.allSettled((volumes ?? []).map((item) => client.getVolume(item.Name).remove()));
}

export const update: UpdateStrategy = {
  maxParallel: 1,
  canary: 0,
  autoPromote: false,
  autoRevert: false,
  minHealthyTimeMs: 0,
  monitorMs: 0,
  healthyDeadlineMs: 0,
  progressDeadlineMs: 0,
  healthCheck: 'checks',
  order: 'stop-first',
  delayMs: 0,
  failureAction: 'pause',
  maxFailureRatio: 0,
  onUnhealthy: 'replace',
  maxSurge: null,
  maxUnavailable: null,
};

export const noRestart: RestartPolicy = { condition: 'none', maxAttempts: 0, delayMs: 0, windowMs: 0 };

export function task(overrides: Partial<Task> & { name: string }): Task {
  return {
    driver: 'docker',
    image: 'deckhand-demo:v1',
    command: null,
    args: null,
    entrypoint: null,
    env: {},
    ports: [],
    resources: { cpu: null, cpuLimit: null, memoryMB: null },
    checks: [],
    imageHealthcheck: 'use',
    shutdownDelayMs: 0,
    killTimeoutMs: null,
    meta: {},
    ...overrides,
  };
}

/** A one-task group serving the demo image on a dynamic port `http`. */
export function webTask(image = 'deckhand-demo:v1', name = 'web'): Task {
  return task({ name, image, env: { PORT: '${NOMAD_PORT_http}' }, ports: [{ label: 'http', static: null, to: null }] });
}

export function group(tasks: Task[], overrides: Partial<Group> = {}): Group {
  return { name: 'g', count: 1, update, rollback: null, restart: noRestart, network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] }, meta: {}, tasks, ...overrides };
}

export function request(jobId: string, groupSpec: Group, overrides: Partial<PlacementRequest> = {}): PlacementRequest {
  return { allocId: newAllocId(), jobId, jobVersion: 1, deploymentId: 'dep12345', group: groupSpec, index: 0, specHash: 'hash-1', ...overrides };
}

/** Polls until `probe` returns a value other than undefined/false, or fails at the deadline. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Records a driver's events from now on; `next` waits for one that matches. */
export class EventLog {
  readonly events: RuntimeEvent[] = [];
  private waiters: Array<{ match: (event: RuntimeEvent) => boolean; resolve: (event: RuntimeEvent) => void }> = [];
  readonly unsubscribe: () => void;

  constructor(driver: Pick<Driver, 'subscribe'>) {
    this.unsubscribe = driver.subscribe((event) => {
      this.events.push(event);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(event)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(event);
        }
      }
    });
  }

  /** The first matching event at or after position `from`, waiting up to `timeoutMs`. */
  next(match: (event: RuntimeEvent) => boolean, { from = 0, timeoutMs = 10_000 } = {}): Promise<RuntimeEvent> {
    const seen = this.events.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs}ms; saw ${JSON.stringify(this.events.map((e) => e.kind))}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }
}

export function httpGet(port: number, path = '/', host = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
