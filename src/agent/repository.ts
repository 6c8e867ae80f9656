// The agent's repository: a remote one (cloned and fetched) or a local one (read
// in place), and what makes it sync: an interval, a cron schedule, or a watch.
import type { Logger } from 'pino';
import { findGitdir, GitSource, LocalRepositorySource } from '../sync/git/index.js';
import { startPolling, startSchedule, watchRepository } from '../sync/triggers/index.js';
import type { RevisionSource } from '../sync/index.js';
import type { StoppableTrigger } from '../sync/triggers/index.js';
import type { AgentConfig } from './config.js';

export function isRemote(repo: string): boolean {
  return /^https?:\/\//i.test(repo);
}

export function revisionSource(config: AgentConfig, gitToken: string | null): RevisionSource {
  const repo = config.repo!;
  const path = config.path === '.' ? '' : config.path;
  if (isRemote(repo)) return new GitSource({ url: repo, branch: config.branch ?? 'main', path, dataDir: config.dataDir, token: gitToken });
  // A local repository follows its checked-out branch unless one is named.
  return new LocalRepositorySource({ dir: repo, path, ...(config.branch ? { branch: config.branch } : {}) });
}

/** A watch needs a local repository to watch: said at the start, before the agent listens. */
export function checkWatchable(config: AgentConfig): void {
  if (!config.watch) return;
  if (isRemote(config.repo!)) throw new Error('--watch needs a local repository (--repo ./path)');
  findGitdir(config.repo!);
}

export function startTriggers(config: AgentConfig, fire: (reason: 'poll' | 'schedule' | 'watch') => void, logger: Logger): StoppableTrigger[] {
  const triggers: StoppableTrigger[] = [];
  if (config.watch) {
    if (isRemote(config.repo!)) throw new Error('--watch needs a local repository (--repo ./path)');
    triggers.push(watchRepository(findGitdir(config.repo!), () => fire('watch'), { onError: (error) => logger.warn({ err: error }, 'repository watch error') }));
  }
  if (config.schedule) {
    const scheduled = startSchedule(config.schedule, () => fire('schedule'));
    if (!scheduled.ok) throw new Error(scheduled.message);
    triggers.push(scheduled.trigger);
  } else {
    // Polling stays on beside a watch or webhooks: GitHub never redelivers a failed webhook.
    triggers.push(startPolling(() => fire('poll'), { intervalMs: config.intervalMs }));
  }
  return triggers;
}
