// The GitOps loop: each sync reads the branch head, renders the job folder,
// decides what the revision asks for (revision-plan.ts) and carries it out
// through the rollout engine, with the commit as each version's source. One sync
// at a time (SyncLoop); what runs is never touched because of a failed fetch, a
// rewritten history, an empty revision or a file that does not render.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { formatDiagnostic, jobSpecHash } from '../model/index.js';
import type { DeckhandEvent, Diagnostic, Job, VersionSource } from '../model/index.js';
import { defaultRenderOptions, RenderCache, renderTree } from '../render/index.js';
import type { JobLimits } from '../render/index.js';
import { RolloutError } from '../rollout/index.js';
import type { RolloutEngine } from '../rollout/index.js';
import type { Metrics } from '../status/index.js';
import type { EventBus } from '../util/index.js';
import type { Store } from '../store/index.js';
import type { Revision, RevisionSource, RunOutcome, TriggerReason } from '../sync/index.js';
import { SyncLoop } from '../sync/index.js';
import type { KnownJob } from './revision-plan.js';
import { decideRevision, revertTarget } from './revision-plan.js';

export interface GitOpsOptions {
  source: RevisionSource;
  engine: RolloutEngine;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  /** Where what a commit started or could not carry out goes: the agent's bus (journal, reporters, the API). */
  events: EventBus<DeckhandEvent>;
  dataDir: string;
  prune: boolean;
  allowEmpty: boolean;
  /** Accept a head that does not descend from the deployed commit (a force-push). */
  allowRewrite: boolean;
  backoff?: { initialMs?: number; maxMs?: number };
  /** The agent's max-count, max-groups, max-tasks; default validate.ts's. */
  limits?: JobLimits;
  /** Put Git's version back at each sync over a manual run, revert or stop of a job Git defines (Argo CD's selfHeal). */
  selfHeal?: boolean;
}

/** What the agent last did with the repository, for the API and for restarts. */
export interface SyncState {
  /** The last commit carried out. */
  sha: string | null;
  /** Its job folder's tree: an equal tree means no job file changed. */
  pathTreeOid: string | null;
  lastSyncAt: number | null;
  /** Why the last sync failed (nothing was changed); null after a good one. */
  lastError: string | null;
  /** What the last synced commit could not carry out: files that do not render, refused jobs, removed files. */
  problems: string[];
  /** The warnings and notices of the last synced commit's job files (deprecated forms, settings read another way), as `file:line:col: warning: ...`. */
  warnings: string[];
  /** Every diagnostic of the last synced commit's job files, errors and warnings, for each job's status. */
  diagnostics: Diagnostic[];
  /** Jobs whose version from the last synced commit was refused, with why. */
  refused: Array<{ jobId: string; message: string }>;
  /** Jobs whose file is gone from the last synced commit and which keep running (no prune). */
  removed: Array<{ jobId: string; file: string | null }>;
  /** The jobs the last synced commit defines (a file that does not render keeps the jobs it held); null until a commit is carried out. */
  jobIds: string[] | null;
}

export class GitOps {
  readonly loop: SyncLoop;
  private state: SyncState;
  private readonly stateFile: string;
  /** Files unchanged since the last commit are not rendered again. */
  private readonly renderCache = new RenderCache();
  /** What registries last said of each job's moving tags, while they give no digest. */
  private readonly tagProblems = new Map<string, string>();
  /** The commit the last webhook announced, until a sync takes it. */
  private pushedSha: string | null = null;

  constructor(private readonly options: GitOpsOptions) {
    this.stateFile = join(options.dataDir, 'sync-state.json');
    this.state = readState(this.stateFile);
    this.loop = new SyncLoop({
      run: (reasons) => this.syncOnce(reasons),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onEvent: (event) => {
        if (event.type === 'run-failed') {
          options.logger.warn({ retryInMs: event.retryInMs, failures: event.consecutiveFailures }, `sync failed: ${(event.error as Error).message ?? String(event.error)}; retrying in ${Math.round(event.retryInMs / 1000)}s`);
        }
        if (event.type === 'run-succeeded' || event.type === 'run-failed') options.metrics.observeSync(event.durationMs / 1000, event.type === 'run-succeeded' ? 'ok' : 'error');
      },
    });
  }

  get syncState(): SyncState {
    return { ...this.state };
  }

  get selfHeal(): boolean {
    return this.options.selfHeal ?? false;
  }

  trigger(reason: TriggerReason, urgent = false): void {
    this.loop.trigger(reason, { urgent });
  }

  /** A webhook's push to the followed branch: synced at once, without a fetch when the commit is already here. */
  pushed(sha: string): void {
    this.pushedSha = sha;
    this.loop.trigger('webhook', { urgent: true });
  }

  /** One sync: fetch, render, decide, carry out. Errors are outcomes, never throws. */
  private async syncOnce(reasons: TriggerReason[] = []): Promise<RunOutcome> {
    const { source, logger } = this.options;
    const started = performance.now();
    // Only a run for pushes alone may skip the fetch: any other reason asks to look at the remote.
    const pushed = reasons.length > 0 && reasons.every((r) => r === 'webhook') ? this.pushedSha : null;
    this.pushedSha = null;
    const result = await source.sync({ baseline: this.state.sha, pushed });
    if (!result.ok) return this.failed(`${source.description}: ${result.error.message}`);
    const { revision, relation } = result;
    if (relation === 'rewritten' && !this.options.allowRewrite) {
      return this.failed(
        `${source.description}: the history was rewritten (${revision.sha.slice(0, 7)} does not descend from the deployed ${this.state.sha?.slice(0, 7)}); nothing was changed. Push a commit on top, or start the agent with --allow-force-push to accept it`,
      );
    }
    if (revision.pathTreeOid === this.state.pathTreeOid && !this.healNeeded()) {
      // No job file changed; a tag pulled always may point at a new image all the same.
      await this.followTags(revision.sha);
      this.save({ sha: revision.sha, lastError: null });
      return { ok: true };
    }
    logger.info({ commit: revision.sha, relation }, `syncing ${revision.sha.slice(0, 7)}: ${firstLine(revision.message)}`);
    if (revision.pathTreeOid === this.state.pathTreeOid) logger.info({ commit: revision.sha }, `self-heal: putting back Git's version of jobs changed by hand (--self-heal=false leaves them)`);
    const synced = performance.now();
    const outcome = await this.apply(revision, (phases) => {
      // Where a push's time went before the rollout took over (the gitops benchmark reads it).
      const { fetchMs = null, readMs = null } = result.timings ?? {};
      const ms = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
      logger.debug({ commit: revision.sha, reasons, fetchMs: ms(fetchMs), readMs: ms(readMs), syncMs: ms(synced - started), ...phases }, `sync timings of ${revision.sha.slice(0, 7)}`);
    });
    if (!outcome.ok) return outcome;
    this.save({ sha: revision.sha, pathTreeOid: revision.pathTreeOid, lastError: null });
    return { ok: true };
  }

  /**
   * Renders the revision and submits what it asks for before it reports the rest, so
   * that the rollouts start placing first: render errors and each submission's own
   * report (the forge's pending status) follow. Warnings go first, as the statuses
   * of the submitted deployments carry them.
   */
  private async apply(revision: Revision, timed: (phases: { renderMs: number; submitMs: number }) => void): Promise<RunOutcome> {
    const { engine, logger, events } = this.options;
    const commit = revision.sha;
    const at = `commit ${revision.sha.slice(0, 7)}`;
    const problems: string[] = [];
    const refused: SyncState['refused'] = [];
    const removed: SyncState['removed'] = [];
    const renderStarted = performance.now();
    const known = this.knownJobs();
    // A file that held a running job is read as a job file even when a typo hides what it is: an error, never a removal.
    const jobFiles = new Map(known.filter((k) => !k.stopped && k.file !== null).map((k) => [k.file!, k.format]));
    const rendered = renderTree(revision.tree, { ...defaultRenderOptions, ...(this.options.limits ? { limits: this.options.limits } : {}) }, this.renderCache, jobFiles);
    const jobs = rendered.jobs.map(({ job }) => ({ job, file: job.source.file }));
    const decision = decideRevision({ jobs, diagnostics: rendered.diagnostics, files: [...revision.tree.files.keys()] }, known, {
      prune: this.options.prune,
      allowEmpty: this.options.allowEmpty,
    });
    if (decision.refusedEmpty) {
      return this.failed(`commit ${revision.sha.slice(0, 7)} holds no job files while jobs run; nothing was changed (start the agent with --allow-empty to accept such a commit)`);
    }
    const renderedAt = performance.now();
    /** Reports that wait until every job is submitted. */
    const reports: Array<() => void> = [];

    for (const failure of decision.renderErrors) {
      const text = failure.diagnostics.map(formatDiagnostic).join('; ');
      problems.push(text);
      reports.push(() => {
        logger.error({ commit: revision.sha, file: failure.file }, `commit ${revision.sha.slice(0, 7)}: ${failure.file} does not render; its jobs keep running as they are: ${text}`);
        this.options.metrics.countError('render');
        for (const jobId of failure.jobIds.length ? failure.jobIds : [null]) {
          events.publish({ type: 'render-error', jobId, commit, file: failure.file, diagnostics: failure.diagnostics, message: `${at}: ${text}` });
        }
      });
    }

    const warnings: string[] = [];
    for (const warned of decision.renderWarnings) {
      const lines = warned.diagnostics.map(formatDiagnostic);
      warnings.push(...lines);
      const text = lines.join('; ');
      // Before the submits: the statuses their deployments report carry the job's warnings.
      logger.warn({ commit: revision.sha, file: warned.file }, `commit ${revision.sha.slice(0, 7)}: ${warned.file}: ${text}`);
      for (const jobId of warned.jobIds.length ? warned.jobIds : [null]) {
        events.publish({ type: 'render-warning', jobId, commit, file: warned.file, diagnostics: warned.diagnostics, message: `${at}: ${text}` });
      }
    }

    const decoder = new TextDecoder();
    const author = `${revision.author.name} <${revision.author.email}>`;
    // Jobs changed by hand that this commit puts back (self-heal, or any commit that changes job files).
    const healing = new Set(decision.submit.map((d) => d.job.id).filter((id) => (this.state.jobIds?.includes(id) ?? true) && this.changedByHand(id)));
    try {
      for (const submission of decision.submit) {
        const { file } = submission;
        const { job, revertOf } = await this.withDigests(submission.job, submission.revertOf, known, problems, at);
        const commitMessage = revision.message.trimEnd();
        const message = revertOf === null ? commitMessage : `Rolling back to job version ${revertOf} (commit ${revision.sha.slice(0, 7)})\n\n${commitMessage}`;
        const source: VersionSource = { kind: 'git', commit: revision.sha, file, author, message, revertOf };
        const bytes = revision.tree.files.get(file);
        try {
          // Jobs are independent: one refused never holds back the others.
          const submitted = engine.submit({ job, source, sourceText: bytes ? decoder.decode(bytes) : null });
          if (!submitted.changed) continue;
          const version = revertOf === null ? `version ${submitted.version.version}` : `version ${submitted.version.version}, rolling back to job version ${revertOf}`;
          const what = healing.has(job.id) ? `self-heal: Git's version back over a change by hand, ${version}` : version;
          logger.info({ job: job.id, commit: revision.sha }, `job "${job.id}": ${what} from commit ${revision.sha.slice(0, 7)}`);
          const { deployment } = submitted;
          if (deployment) reports.push(() => events.publish({ type: 'submitted', jobId: job.id, commit, deploymentId: deployment.id, description: deployment.description, message: `${at}: ${what}` }));
        } catch (error) {
          if (!(error instanceof RolloutError)) throw error;
          logger.warn({ job: job.id, commit: revision.sha }, error.message);
          problems.push(error.message);
          refused.push({ jobId: job.id, message: error.message });
          reports.push(() => events.publish({ type: 'submit-refused', jobId: job.id, commit, message: `${at}: ${error.message}` }));
        }
      }
      timed({ renderMs: Math.round((renderedAt - renderStarted) * 10) / 10, submitMs: Math.round((performance.now() - renderedAt) * 10) / 10 });
    } finally {
      // Said also when a submit failed unexpectedly (the sync then fails and is tried again).
      for (const report of reports) report();
    }

    for (const gone of decision.removed) {
      if (gone.stop) {
        logger.info({ job: gone.jobId }, `job "${gone.jobId}": its file ${gone.file ?? ''} is gone; stopping it (--prune)`);
        await engine.stopJob(gone.jobId);
      } else {
        const message = `job "${gone.jobId}": its file ${gone.file ?? ''} is no longer in the repository at ${revision.sha.slice(0, 7)}; it keeps running (start the agent with --prune to stop such jobs)`;
        logger.warn({ job: gone.jobId }, message);
        problems.push(message);
        removed.push({ jobId: gone.jobId, file: gone.file });
        events.publish({ type: 'file-removed', jobId: gone.jobId, commit, file: gone.file, message });
      }
    }
    const jobIds = new Set([...decision.submit.map((s) => s.job.id), ...decision.renderErrors.flatMap((f) => f.jobIds)]);
    this.save({ problems, warnings, diagnostics: rendered.diagnostics, refused, removed, jobIds: [...jobIds] });
    return { ok: true };
  }

  /**
   * The job with its moving tags resolved to digests (rollout/images.ts). Whether it
   * repeats an earlier version is decided again on the resolved spec: a tag back on an
   * older image is a rollback to that version.
   */
  private async withDigests(job: Job, revertOf: number | null, known: KnownJob[], problems: string[], at: string): Promise<{ job: Job; revertOf: number | null }> {
    const { engine, logger } = this.options;
    const resolved = await engine.resolveImages(job);
    for (const { message } of resolved.problems) {
      logger.warn({ job: job.id }, `${at}: job "${job.id}": ${message}`);
      problems.push(`job "${job.id}": ${message}`);
    }
    if (resolved.job === job) return { job, revertOf };
    return { job: resolved.job, revertOf: revertTarget(resolved.job, known.find((k) => k.id === job.id)) };
  }

  /**
   * Asks the registries again for the tags of jobs pulled always, as a sync of an
   * unchanged commit: a digest that moved is a new version of the job, from the same
   * commit, rolled out as any change is. A registry that does not answer changes nothing.
   */
  private async followTags(commit: string): Promise<void> {
    const { engine, store, logger, events } = this.options;
    for (const record of store.listJobs()) {
      if (record.stopped) continue;
      const latest = store.getVersion(record.id, record.version);
      if (!latest || latest.source.kind !== 'git' || !engine.followsTags(latest.job)) continue;
      const resolved = await engine.resolveImages(latest.job);
      // A registry that stays away is said once, not at every poll.
      const said = resolved.problems.map((p) => p.message).join('; ');
      if (said !== '' && this.tagProblems.get(record.id) !== said) logger.warn({ job: record.id }, `job "${record.id}": ${said}`);
      if (said === '') this.tagProblems.delete(record.id);
      else this.tagProblems.set(record.id, said);
      if (jobSpecHash(resolved.job) === latest.specHash) continue;
      const moved = movedDigests(latest.job, resolved.job);
      const source: VersionSource = { ...latest.source, commit: latest.source.commit ?? commit, message: `image pushed anew: ${moved.join(', ')}`, revertOf: null };
      try {
        const submitted = engine.submit({ job: resolved.job, source, sourceText: latest.sourceText });
        if (!submitted.changed) continue;
        logger.info({ job: record.id }, `job "${record.id}": version ${submitted.version.version}: ${source.message}`);
        if (submitted.deployment) {
          events.publish({ type: 'submitted', jobId: record.id, commit: source.commit!, deploymentId: submitted.deployment.id, description: submitted.deployment.description, message: `job "${record.id}": version ${submitted.version.version}: ${source.message}` });
        }
      } catch (error) {
        if (!(error instanceof RolloutError)) throw error;
        logger.warn({ job: record.id }, error.message);
        events.publish({ type: 'submit-refused', jobId: record.id, commit: source.commit!, message: error.message });
      }
    }
  }

  /**
   * Whether an unchanged commit must be carried out again all the same: self-heal is
   * on and a job the commit defines was run, reverted or stopped by hand since. Before
   * the first commit carried out by this version of the agent the jobs it defines are
   * not known: it is carried out once.
   */
  private healNeeded(): boolean {
    if (!this.selfHeal) return false;
    const { jobIds } = this.state;
    if (jobIds === null) return true;
    return jobIds.some((id) => this.changedByHand(id));
  }

  /** Run (`cli`), reverted or stopped by hand since Git's last version of it. */
  private changedByHand(jobId: string): boolean {
    const { store } = this.options;
    const record = store.getJob(jobId);
    if (!record) return false;
    const kind = store.getVersion(jobId, record.version)?.source.kind;
    return record.stopped || kind === 'cli' || kind === 'revert';
  }

  /** Jobs this repository put there: some version of theirs came from Git. */
  private knownJobs(): KnownJob[] {
    const { store } = this.options;
    return store.listJobs().flatMap((record) => {
      const versions = store.listVersions(record.id);
      if (!versions.some((v) => v.source.kind === 'git')) return [];
      return [{ id: record.id, file: versions[0]?.source.file ?? null, format: versions[0]!.job.source.format, stopped: record.stopped, versions: versions.map((v) => ({ version: v.version, specHash: v.specHash, stable: v.stable })) }];
    });
  }

  private failed(message: string): RunOutcome {
    const { metrics, events } = this.options;
    metrics.countError('sync');
    // A repeat of the same failure (a retry with backoff) is said once, not every few seconds.
    const repeated = this.state.lastError === message;
    this.save({ lastError: message });
    if (!repeated) {
      // In each followed job's events too: whoever looks at a job learns why its newest commit did not arrive.
      const jobs = this.knownJobs().filter((k) => !k.stopped);
      for (const jobId of [null, ...jobs.map((k) => k.id)]) events.publish({ type: 'sync-error', jobId, message });
    }
    return { ok: false, error: new Error(message) };
  }

  private save(change: Partial<SyncState>): void {
    this.state = { ...this.state, lastSyncAt: Date.now(), ...change };
    // Written whole and renamed: a crash leaves the old state or the new, never half.
    writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(`${this.stateFile}.tmp`, this.stateFile);
  }
}

function readState(file: string): SyncState {
  const empty: SyncState = { sha: null, pathTreeOid: null, lastSyncAt: null, lastError: null, problems: [], warnings: [], diagnostics: [], refused: [], removed: [], jobIds: null };
  if (!existsSync(file)) return empty;
  try {
    return { ...empty, ...(JSON.parse(readFileSync(file, 'utf8')) as Partial<SyncState>) };
  } catch {
    return empty;
  }
}

/** `web: 127.0.0.1:5000/app:main sha256:1a2b… → sha256:3c4d…`, for each task whose digest moved. */
function movedDigests(before: Job, after: Job): string[] {
  const shortDigest = (digest: string | undefined) => (digest ? `${digest.slice(0, 19)}…` : 'none');
  return after.groups.flatMap((group) =>
    group.tasks.flatMap((task) => {
      const old = before.groups.find((g) => g.name === group.name)?.tasks.find((t) => t.name === task.name);
      return old?.imageDigest === task.imageDigest ? [] : [`${task.name}: ${task.image} ${shortDigest(old?.imageDigest)} → ${shortDigest(task.imageDigest)}`];
    }),
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
