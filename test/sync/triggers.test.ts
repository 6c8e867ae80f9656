// Triggers: polling with jitter on a fake clock, cron schedules (a fake scheduler,
// and node-cron for real once), which Git paths the watch listens to, and the
// pieces wired together: a commit → the watch → the loop → a new revision.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRepositorySource } from '../../src/sync/git/local-source.js';
import { isWatchedGitPath, watchRepository } from '../../src/sync/triggers/repository-watch.js';
import type { Revision } from '../../src/sync/revision.js';
import { SyncLoop } from '../../src/sync/sync-loop.js';
import { jitteredInterval, startPolling, startSchedule } from '../../src/sync/triggers/triggers.js';
import { isolatedGitEnv, runGit } from '../support/git-server.js';
import { FakeTimers } from './fake-timers.js';
import { removeTempDirs, tempDir } from './support.js';

afterAll(() => removeTempDirs());

describe('polling', () => {
  it('fires every interval, each wait jittered within ± the jitter fraction', async () => {
    const timers = new FakeTimers();
    const randoms = [0, 1 - Number.EPSILON, 0.5];
    const waits: number[] = [];
    let fired = 0;
    const polling = startPolling(() => fired++, { intervalMs: 30_000, jitter: 0.1, timers, random: () => randoms.shift() ?? 0.5 });
    for (let tick = 0; tick < 3; tick++) {
      const wait = timers.waiting[0]!;
      waits.push(wait);
      timers.advance(wait - 1);
      expect(fired).toBe(tick);
      timers.advance(1);
      expect(fired).toBe(tick + 1);
    }
    expect(waits).toEqual([27_000, 33_000, 30_000]);
    await polling.stop();
    timers.advance(60_000);
    expect(fired).toBe(3);
    expect(timers.waiting).toEqual([]);
  });

  it('keeps jittered waits inside the bounds', () => {
    for (let i = 0; i <= 100; i++) {
      const wait = jitteredInterval(1000, 0.2, i / 100);
      expect(wait).toBeGreaterThanOrEqual(800);
      expect(wait).toBeLessThanOrEqual(1200);
    }
    expect(jitteredInterval(1000, 0, 0.9)).toBe(1000);
  });
});

describe('cron schedule', () => {
  it('hands the expression to the scheduler and stops the task', async () => {
    let task: (() => void) | null = null;
    let destroyed = false;
    let fired = 0;
    const started = startSchedule('*/5 * * * *', () => fired++, {
      scheduler: (expression, fire) => {
        expect(expression).toBe('*/5 * * * *');
        task = fire;
        return { destroy: () => void (destroyed = true) };
      },
    });
    expect(started.ok).toBe(true);
    task!();
    task!();
    expect(fired).toBe(2);
    if (started.ok) await started.trigger.stop();
    expect(destroyed).toBe(true);
  });

  it('refuses an invalid expression with a message', () => {
    const started = startSchedule('every five minutes', () => undefined);
    expect(started.ok).toBe(false);
    if (!started.ok) expect(started.message).toContain("--schedule 'every five minutes' is not a valid cron expression");
  });

  it('fires on a real node-cron schedule (every second)', async () => {
    let resolveFired: () => void = () => undefined;
    const fired = new Promise<void>((resolve) => {
      resolveFired = resolve;
    });
    const started = startSchedule('* * * * * *', () => resolveFired());
    if (!started.ok) throw new Error(started.message);
    try {
      await fired;
    } finally {
      await started.trigger.stop();
    }
  });
});

describe('repository watch', () => {
  it('listens to HEAD, packed-refs and refs, not to objects, the index or lock files', () => {
    for (const path of ['', 'HEAD', 'packed-refs', 'refs', 'refs/heads', 'refs/heads/main', 'refs/heads/feature/x', 'refs/remotes/origin/main']) expect(isWatchedGitPath(path)).toBe(true);
    for (const path of ['index', 'objects', 'objects/ab/cdef', 'logs/HEAD', 'ORIG_HEAD', 'refs/heads/main.lock', 'HEAD.lock', 'config', 'COMMIT_EDITMSG']) expect(isWatchedGitPath(path)).toBe(false);
  });

  it('a commit in a local repository reaches the loop and yields the new revision', async () => {
    const dir = tempDir('deckhand-wired-');
    const env = isolatedGitEnv(tempDir('deckhand-home-'));
    const git = (...args: string[]) => runGit(dir, env, args);
    await git('init', '--quiet', '--initial-branch=main');
    writeFileSync(join(dir, 'web.nomad'), 'job "web" {}\n');
    await git('add', '--all');
    await git('commit', '--quiet', '-m', 'v1');

    const source = new LocalRepositorySource({ dir });
    const revisions: Revision[] = [];
    const waiters: Array<() => void> = [];
    const loop = new SyncLoop({
      run: async () => {
        const result = await source.sync({ baseline: revisions.at(-1)?.sha ?? null });
        if (result.ok) revisions.push(result.revision);
        waiters.shift()?.();
        return result;
      },
    });
    const synced = () => new Promise<void>((resolve) => waiters.push(resolve));
    const gitdir = source.gitdir();
    if (!gitdir.ok) throw gitdir.error;
    const watch = watchRepository(gitdir.gitdir, () => loop.trigger('watch'), { debounceMs: 50 });
    try {
      await watch.ready;
      const first = synced();
      loop.trigger('start');
      await first;

      const second = synced();
      writeFileSync(join(dir, 'web.nomad'), 'job "web" { v2 }\n');
      await git('commit', '--quiet', '-am', 'v2');
      await second;
      expect(revisions.map((r) => r.message)).toEqual(['v1\n', 'v2\n']);
    } finally {
      await watch.stop();
      await loop.stop();
    }
  });
});
