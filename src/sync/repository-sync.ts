// The Git half of the GitOps loop, assembled: a source, the sync loop, and its
// triggers. Each run syncs; when there is news (a new head, or a new baseline)
// the caller's `onRevision` gets the revision, how it relates to the baseline and,
// for a fast-forward, which files changed. The caller renders, plans and submits.
import { LocalRepositorySource } from './local-source.js';
import { watchRepository } from './repository-watch.js';
import type { ChangedFile, HeadRelation, Revision, RevisionSource } from './revision.js';
import type { BackoffOptions, RunOutcome, SyncLoopEvent, TriggerReason } from './sync-loop.js';
import { SyncLoop } from './sync-loop.js';
import type { Timers } from './timers.js';
import type { StoppableTrigger } from './triggers.js';
import { defaultPollIntervalMs, startPolling, startSchedule } from './triggers.js';

export interface RevisionUpdate {
  revision: Revision;
  relation: HeadRelation;
  baseline: string | null;
  /**
   * Files under the path that changed since the baseline, for a fast-forward
   * (empty when the commit touched nothing under the path); null otherwise: the
   * first sync, rewritten history, or a baseline the clone cannot compare against.
   */
  changedFiles: ChangedFile[] | null;
  reasons: TriggerReason[];
}

export interface TriggerOptions {
  /** Poll every this many ms (with jitter); default 30 s; null turns polling off. */
  intervalMs?: number | null;
  jitter?: number;
  /** A cron expression (5 fields, or 6 with seconds); runs beside polling unless polling is off. */
  schedule?: string | null;
  /** A repository on this machine only: sync when its HEAD or refs move. */
  watch?: boolean;
}

export interface RepositorySyncOptions {
  /** From `openSource`; `watch` needs a LocalRepositorySource. */
  source: RevisionSource;
  triggers: TriggerOptions;
  /** The sha the caller last accepted (e.g. the last deployed commit, from the store); asked on every run. */
  baseline: () => string | null;
  /** Handles news. Its outcome drives the backoff: an error here is retried like a fetch error. */
  onRevision: (update: RevisionUpdate) => Promise<RunOutcome>;
  onEvent?: (event: SyncLoopEvent) => void;
  backoff?: BackoffOptions;
  timers?: Timers;
}

export interface RepositorySync {
  /** `trigger('webhook', { urgent: true })` from the webhook route; `trigger('manual')` from the API. */
  trigger(reason: TriggerReason, options?: { urgent?: boolean }): void;
  /** Resolves when no run is going or due (for tests and shutdown). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the triggers and a first run at once. An error value when a trigger cannot start. */
export function startRepositorySync(options: RepositorySyncOptions): { ok: true; sync: RepositorySync } | { ok: false; message: string } {
  let lastHandled: { sha: string; baseline: string | null } | null = null;
  const loop = new SyncLoop({
    timers: options.timers,
    backoff: options.backoff,
    onEvent: options.onEvent,
    run: async (reasons) => {
      const baseline = options.baseline();
      const result = await options.source.sync({ baseline });
      if (!result.ok) return result;
      const { revision, relation } = result;
      // Nothing new since the last handled run: no call (a refused rewrite is not offered again on every poll).
      if (lastHandled && lastHandled.sha === revision.sha && lastHandled.baseline === baseline) return { ok: true };
      const changedFiles = relation === 'fast-forward' || relation === 'unchanged' ? await changedSinceBaseline(options.source, baseline, revision) : null;
      const outcome = await options.onRevision({ revision, relation, baseline, changedFiles, reasons });
      if (outcome.ok) lastHandled = { sha: revision.sha, baseline };
      return outcome;
    },
  });

  const fire = (reason: TriggerReason) => () => loop.trigger(reason);
  const { intervalMs = defaultPollIntervalMs, jitter, schedule, watch } = options.triggers;
  // Everything that can fail is checked before anything starts.
  let gitdir: string | null = null;
  if (watch) {
    const found = options.source instanceof LocalRepositorySource ? options.source.gitdir() : null;
    if (!found) return { ok: false, message: `--watch needs a repository on this machine, not ${options.source.description}` };
    if (!found.ok) return { ok: false, message: found.error.describe() };
    gitdir = found.gitdir;
  }
  const triggers: StoppableTrigger[] = [];
  if (schedule) {
    const started = startSchedule(schedule, fire('schedule'));
    if (!started.ok) return { ok: false, message: started.message };
    triggers.push(started.trigger);
  }
  if (gitdir) triggers.push(watchRepository(gitdir, fire('watch'), { timers: options.timers }));
  if (intervalMs !== null) triggers.push(startPolling(fire('poll'), { intervalMs, jitter, timers: options.timers }));
  loop.trigger('start');
  return {
    ok: true,
    sync: {
      trigger: (reason, triggerOptions) => loop.trigger(reason, triggerOptions),
      settled: () => loop.settled(),
      stop: async () => {
        await Promise.all(triggers.map((trigger) => trigger.stop()));
        await loop.stop();
      },
    },
  };
}

async function changedSinceBaseline(source: RevisionSource, baseline: string | null, revision: Revision): Promise<ChangedFile[] | null> {
  if (!baseline) return null;
  const result = await source.changedFiles(baseline, revision.sha);
  return result.ok ? result.files : null;
}
