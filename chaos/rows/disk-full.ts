// Disk full: the agent's data directory is on a small tmpfs of its own (16 MiB),
// filled to the last byte once the first allocation of a rollout runs. While it
// is full, /v1/agent/health must say 503; once space is freed the rollout must
// resume by itself (no restart, no call) and end successfully, healthy again.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { docker } from '../../test/runtime/support.js';
import { bundleOf } from '../../test/support/agent-process.js';
import type { ChaosContext } from '../context.js';
import type { JobStatusView } from '../../src/api/views.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { ContainerEvents, convergenceProblems, describeJob, http, jobContainers, jsonOf, loggedProblems, readStore, waitFor } from '../probes.js';
import type { ChaosRow, RowPlan, Tally } from '../row.js';
import { anotherTrial, held, lost } from '../row.js';
import { chaosJob, settledJob } from '../setups.js';

const count = 3;
/** Once space is back, the rollout must be going again within this long (the issue saw > 90 s). */
const resumeWithinMs = 60_000;

/** What the agent logged since `since`, one line each with seconds relative to `zero`: for CHAOS_VERBOSE traces. */
function timeline(log: string, since: number, zero: number): string {
  const lines: string[] = [];
  for (const line of log.split('\n')) {
    try {
      const o = JSON.parse(line) as { time: number; msg: string; err?: { message: string } };
      if (o.time >= since) lines.push(`      ${((o.time - zero) / 1000).toFixed(1)} ${o.msg} ${o.err?.message ?? ''}`);
    } catch {
      // Not a log line.
    }
  }
  return lines.join('\n');
}

/**
 * Empties SQLite's write-ahead log (a checkpoint that truncates it), so the
 * agent's next write needs new space: SQLite reuses the log's file from its
 * start, and a disk filled behind a log that once grew does not bite at once.
 */
function emptyWal(dataDir: string): void {
  const db = openSqlite(join(dataDir, 'deckhand.db'), { busyTimeoutMs: 5000 });
  try {
    db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').all();
  } finally {
    db.close();
  }
}

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

export const diskFullRow: ChaosRow = {
  id: 'disk-full',
  fault: 'Disk full',
  tried: `data directory on a 16 MiB tmpfs, its SQLite log emptied and the disk filled to the last byte when the first new container of a rollout (3, one at a time) is created or has started, freed once /v1/agent/health says 503: health 503 meanwhile, the rollout resumes by itself within ${resumeWithinMs / 1000} s and succeeds, health 200 after`,
  trials: { quick: 2, full: 4 },
  secondsPerTrial: 15,
  async run(ctx: ChaosContext, tally: Tally, plan: RowPlan): Promise<void> {
    const mountPoint = ctx.tempDir('disk');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'deckhand-chaos-disk', mountPoint]);
    ctx.defer(`unmount ${mountPoint}`, () => void execFileSync('umount', ['-l', mountPoint]));
    const dataDir = join(mountPoint, 'data');
    mkdirSync(dataDir);
    const runLabel = ctx.newRunLabel('disk-full');
    const agent = await ctx.startAgent({ runId: runLabel, dataDir });
    const events = await ContainerEvents.watch(docker, runLabel);
    ctx.defer('stop watching container events', () => events.close());
    const submit = (image: string) => http(agent.url, 'POST', '/v1/jobs', { body: JSON.stringify(bundleOf(chaosJob({ count, image, maxParallel: 1 }))), headers: { 'content-type': 'application/json' } });
    await submit('deckhand-demo:v1');
    await settledJob(agent.url, 'web');
    const images = ['deckhand-demo:v2', 'deckhand-demo:v1'];
    const fill = join(mountPoint, 'fill');
    const resumedAfter: number[] = [];
    const endedAfters: number[] = [];

    for (let n = 0; anotherTrial(tally, plan, this.secondsPerTrial); n++) {
      const image = images[n % images.length]!;
      // Alternately as the first new container is created (its placement is recorded after it starts) and once it runs.
      const moment = n % 2 === 0 ? 'start' : 'create';
      await tally.trial(`trial ${n + 1}: disk filled at the first container ${moment} of a rollout to ${image}`, async () => {
        const firstStarted = events.next(1, 60_000, (e) => e.action === moment);
        const answer = await submit(image);
        if (answer.status !== 200) return lost(`the submit answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        const version = (JSON.parse(answer.text) as { jobs: Array<{ version: number }> }).jobs[0]!.version;
        if (!(await firstStarted)) return lost(`no container ${moment} within 60 s of the submit`);
        emptyWal(dataDir);
        const filledAt = Date.now();
        fillDisk(fill);
        ctx.trace(`filled; health ${(await http(agent.url, 'GET', '/v1/agent/health')).text}`);
        let neverSick: string | null = null;
        try {
          const sick = await waitFor(async () => (await http(agent.url, 'GET', '/v1/agent/health', { timeoutMs: 5000 })).status === 503, 30_000, 100);
          if (!sick) {
            const { status, latestDeployment } = await http(agent.url, 'GET', '/v1/job/web').then((a) => ({ status: a.status, latestDeployment: (JSON.parse(a.text) as { latestDeployment?: { status: string } }).latestDeployment }));
            // The rollout may have finished before the disk filled: nothing was written after, so nothing could fail.
            if (status === 200 && latestDeployment?.status === 'successful') throw new Error('the rollout ended before the disk was full: no verdict (a faster machine needs a longer rollout)');
            ctx.trace(`the agent logged (s after the disk filled):\n${timeline(agent.log(), filledAt, filledAt)}`);
            const job = describeJob(jsonOf<JobStatusView>(await http(agent.url, 'GET', '/v1/job/web'))!, await jobContainers(docker, runLabel, 'web'));
            neverSick = `/v1/agent/health never said 503 within 30 s of the disk filling up, though the agent logged: ${loggedProblems(agent.log(), filledAt).join(' | ') || 'nothing'}; 30 s after: ${job}`;
          } else {
            ctx.trace(`health 503 ${Date.now() - filledAt} ms after the disk filled`);
          }
        } finally {
          rmSync(fill, { force: true });
        }
        const freedAt = Date.now();
        // Going on: a container event, or the deployment ending (its last steps may touch no container).
        const ended = settledJob(agent.url, 'web', { version, timeoutMs: 120_000 });
        ended.catch(() => undefined);
        const resumed = await Promise.race([events.next(1, resumeWithinMs, (e) => e.action === 'start' || e.action === 'die'), ended.then(() => 'ended' as const, () => null)]);
        if (!resumed) {
          const health = (await http(agent.url, 'GET', '/v1/agent/health')).text;
          const logged = loggedProblems(agent.log(), filledAt).join(' | ');
          ctx.trace(`the agent logged (s after space was freed):\n${timeline(agent.log(), filledAt, freedAt)}`);
          const job = describeJob(jsonOf<JobStatusView>(await http(agent.url, 'GET', '/v1/job/web'))!, await jobContainers(docker, runLabel, 'web'));
          const stood = `the rollout did not go on within ${resumeWithinMs / 1000} s after space was freed (health now: ${health}; the agent logged: ${logged || 'nothing'}; ${job})`;
          return lost(neverSick ? `${neverSick}; ${stood}` : stood);
        }
        if (neverSick) {
          const wentOn = ((Date.now() - freedAt) / 1000).toFixed(1);
          // Its deployment ends before the next trial submits: each trial is judged on its own.
          const end = await ended.then((view) => `and its deployment ended ${view.latestDeployment?.status ?? 'nowhere'}`, (error: Error) => error.message);
          return lost(`${neverSick}; after space was freed it went on in ${wentOn} s, ${end}`);
        }
        resumedAfter.push((Date.now() - freedAt) / 1000);
        const status = await ended;
        const endedAfter = (Date.now() - freedAt) / 1000;
        endedAfters.push(endedAfter);
        if (endedAfter > 20) ctx.trace(`slow: ended ${endedAfter.toFixed(1)} s after space was freed; the agent logged (s after space was freed):\n${timeline(agent.log(), filledAt, freedAt)}`);
        const deployment = status.latestDeployment;
        if (!deployment || deployment.status !== 'successful') return lost(`after space was freed the deployment ended ${deployment?.status ?? 'nowhere'}: ${deployment?.description ?? ''}`);
        const healthy = await waitFor(async () => (await http(agent.url, 'GET', '/v1/agent/health')).status === 200, 10_000);
        if (!healthy) return lost('the rollout ended but /v1/agent/health does not say 200');
        const problems = convergenceProblems(readStore(dataDir, 'web'), await jobContainers(docker, runLabel, 'web'), count);
        return problems.length === 0 ? held() : lost(problems.join('; '));
      });
    }
    if (resumedAfter.length > 0) tally.note(`after space was freed the rollout went on in ${resumedAfter.map((s) => `${s.toFixed(1)} s`).join(', ')} and ended in ${endedAfters.map((s) => `${s.toFixed(1)} s`).join(', ')}`);
  },
};
