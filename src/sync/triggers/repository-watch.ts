// Local mode's trigger: a chokidar watch on the repository's Git folder. Only
// HEAD, packed-refs and refs/ are watched: they move on commit, checkout, reset,
// revert, merge and fetch, and only committed content is deployed, so the
// working tree need not be watched (an edit does nothing until it is committed).
import { relative, sep } from 'node:path';
import { watch } from 'chokidar';
import type { StoppableTrigger } from './triggers.js';
import type { TimerHandle, Timers } from '../timers.js';
import { realTimers } from '../timers.js';

export interface RepositoryWatchOptions {
  /** Quiet time before firing: one commit touches several refs files. Default 100 ms. */
  debounceMs?: number;
  timers?: Timers;
  /** A watch error (the folder vanished, too many watches); the watch goes on where it can. */
  onError?: (error: Error) => void;
}

export interface RepositoryWatch extends StoppableTrigger {
  /** Resolves when the initial scan is done: changes after this fire. */
  ready: Promise<void>;
}

export function watchRepository(gitdir: string, fire: () => void, options: RepositoryWatchOptions = {}): RepositoryWatch {
  const timers = options.timers ?? realTimers;
  const debounceMs = options.debounceMs ?? 100;
  let pending: TimerHandle | null = null;
  let stopped = false;

  const watcher = watch(gitdir, {
    ignoreInitial: true,
    ignored: (path: string) => !isWatchedGitPath(relative(gitdir, path).split(sep).join('/')),
  });
  const onChange = () => {
    if (stopped) return;
    if (pending !== null) timers.clearTimeout(pending);
    pending = timers.setTimeout(() => {
      pending = null;
      if (!stopped) fire();
    }, debounceMs);
  };
  watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
  watcher.on('error', (error) => options.onError?.(error instanceof Error ? error : new Error(String(error))));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  return {
    ready,
    stop: async () => {
      stopped = true;
      if (pending !== null) timers.clearTimeout(pending);
      await watcher.close();
    },
  };
}

/** Paths relative to the Git folder that say "the commit a ref points at may have moved". */
export function isWatchedGitPath(path: string): boolean {
  if (path === '' || path === 'HEAD' || path === 'packed-refs') return true;
  if (path === 'refs' || path.startsWith('refs/')) return !path.endsWith('.lock');
  return false;
}
