// The data directory's disk fills up in the middle of a rollout: the agent stops
// changing anything, says why (health, metrics, `deckhand status`), and once
// space is freed the rollout resumes by itself. The disk is a real tmpfs.
import { execFileSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { agentClient, api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { containersOf } from '../e2e/support.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'deckhand-disk-'));
const runId = newRunId();
let agent: AgentProcess | undefined;

beforeAll(async () => {
  await ensureDemoImages();
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'deckhand-test-disk', mountPoint]);
});

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await removeRunContainers(runId);
  execFileSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes zeros until the file system refuses another byte. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a full disk mid-rollout: nothing changes, health, metrics and status say why, and the rollout resumes once space is freed', async () => {
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  agent = await startAgentProcess({ runId, dataDir });
  const first = await api<{ jobs: Array<{ deploymentId: string }> }>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 3 })));
  expect((await deploymentEnd(agent.url, first.body.jobs[0]!.deploymentId)).status).toBe('successful');

  // The update: one allocation at a time; the disk fills once the first new one runs.
  const client = agentClient(agent.url);
  let firstStarted!: () => void;
  const started = new Promise<void>((resolve) => (firstStarted = resolve));
  const stream = await client.events({ job: 'web' }, (event) => {
    if (event.type === 'allocation' && event.allocation?.version === 1 && event.allocation.status === 'running') firstStarted();
  });
  const update = await api<{ jobs: Array<{ deploymentId: string }> }>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 3, image: 'deckhand-demo:v2' })));
  const deploymentId = update.body.jobs[0]!.deploymentId;
  await started;
  stream.close();
  // SQLite's log reuses what it grew to; emptied, the next write must grow it, and the full disk bites at once.
  const db = new DatabaseSync(join(dataDir, 'deckhand.db'));
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  const fill = join(mountPoint, 'fill');
  fillDisk(fill);

  const health = () => api<{ ok: boolean; problems: string[] }>(agent!.url, 'GET', '/v1/agent/health');
  const sick = await until(health, (h) => h.status === 503, 'the agent to report the full disk');
  // It stays said while the disk is full, whatever rounds come and go meanwhile.
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await health()).status).toBe(503);
  }
  expect(sick.body.problems).toEqual([expect.stringMatching(/^the store cannot be written: .*(full|disk)/i)]);
  const metrics = await fetch(`${agent.url}/metrics`).then((r) => r.text());
  expect(metrics).toMatch(/^deckhand_store_writable 0$/m);
  expect(metrics).toMatch(/^deckhand_errors_total\{kind="store"\} [1-9]/m);
  const status = await cli(['status', 'web'], { env: { DECKHAND_ADDR: agent.url } });
  expect(status.stderr).toMatch(/^Warning: the store cannot be written: /m);
  // Nothing moves while the disk is full: the deployment is still running, with old and new allocations side by side.
  const during = await containersOf(runId, 'web');
  expect(during.length).toBeGreaterThanOrEqual(3);

  rmSync(fill);
  const ended = await deploymentEnd(agent.url, deploymentId, 120_000);
  expect(ended).toMatchObject({ status: 'successful', jobVersion: 1 });
  expect((await health()).body).toEqual({ ok: true, problems: [] });
  expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v2', 'deckhand-demo:v2', 'deckhand-demo:v2']);
}, 180_000);
