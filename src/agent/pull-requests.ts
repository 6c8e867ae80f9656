// Plans for pull requests: the head of each open pull request is read, its job
// folder rendered, and every job whose spec differs from what runs is planned
// against the store; the plan goes to the forge as the pull request's one
// comment. Nothing from a pull request is ever deployed.
import type { Logger } from 'pino';
import { formatDiagnostic, isError } from '../model/index.js';
import type { Diagnostic } from '../model/index.js';
import type { MarkdownError, MarkdownJob } from '../plan/index.js';
import { formatPlansMarkdown } from '../plan/index.js';
import { defaultRenderOptions, RenderCache, renderTree } from '../render/index.js';
import type { JobLimits } from '../render/index.js';
import type { DeckhandEvent } from '../model/index.js';
import type { PullRequestRef, PullRequestSource } from '../status/index.js';
import type { EventBus } from '../util/index.js';
import type { Store } from '../store/index.js';
import type { RevisionSource } from '../sync/index.js';
import { planAgainstStore } from '../api/index.js';
import type { PullRequestPlanView } from '../api/index.js';

export interface PullRequestPlannerOptions {
  store: Store;
  /** Where plans go (the forge's reports listen there). */
  events: EventBus<DeckhandEvent>;
  /** Lists open pull requests (the polling fallback); null when the forge cannot. */
  pullRequests: PullRequestSource | null;
  /** A source that reads the named branch: the pull request's head. */
  sourceFor: (branch: string) => RevisionSource;
  logger: Logger;
  /** The agent's max-count, max-groups, max-tasks; default validate.ts's. */
  limits?: JobLimits;
}

interface Wanted extends PullRequestRef {
  headRef: string;
}

export class PullRequestPlanner {
  /** Pull request → the head sha last planned: a head is planned once. */
  private readonly planned = new Map<number, string>();
  private readonly sources = new Map<string, RevisionSource>();
  private readonly wanted = new Map<number, Wanted>();
  private running: Promise<void> | null = null;
  /** Its own cache: pull-request heads differ from the branch the loop follows. */
  private readonly renderCache = new RenderCache();
  /** The last plan of each pull request, for the API and the dashboard (in memory: the forge keeps the comment). */
  private readonly latest = new Map<number, PullRequestPlanView>();

  constructor(private readonly options: PullRequestPlannerOptions) {}

  /** A pull request was opened or pushed to (webhook): plan its head, the newest request winning. */
  request(pullRequest: Wanted): void {
    this.wanted.set(pullRequest.number, pullRequest);
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** The fallback when webhooks do not arrive: plan every open pull request whose head is new. */
  async poll(): Promise<void> {
    if (!this.options.pullRequests) return;
    try {
      for (const pr of await this.options.pullRequests.openPullRequests()) {
        if (this.planned.get(pr.number) !== pr.headSha) this.request({ number: pr.number, headSha: pr.headSha, headRef: pr.headRef });
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, `listing open pull requests failed: ${(error as Error).message}`);
    }
  }

  /** The last plan of each pull request planned since the agent started, newest pull request first. */
  plans(): PullRequestPlanView[] {
    return [...this.latest.values()].sort((a, b) => b.number - a.number);
  }

  /** Resolves when no plan is being made (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (let next = this.takeNext(); next; next = this.takeNext()) await this.plan(next);
  }

  private takeNext(): Wanted | undefined {
    const [first] = this.wanted.values();
    if (first) this.wanted.delete(first.number);
    return first;
  }

  private keep(plan: PullRequestPlanView): void {
    this.latest.set(plan.number, plan);
    const oldest = [...this.latest.keys()].sort((a, b) => a - b).slice(0, Math.max(0, this.latest.size - keptPlans));
    for (const number of oldest) this.latest.delete(number);
  }

  private async plan(pr: Wanted): Promise<void> {
    const { events, store, logger } = this.options;
    const ref: PullRequestRef = { number: pr.number, headSha: pr.headSha };
    events.publish({ type: 'plan-started', jobId: null, pullRequest: ref.number, headSha: ref.headSha, message: `planning pull request #${ref.number} at ${ref.headSha.slice(0, 7)}` });
    let source = this.sources.get(pr.headRef);
    if (!source) this.sources.set(pr.headRef, (source = this.options.sourceFor(pr.headRef)));
    const result = await source.sync();
    if (!result.ok) {
      const reason = `reading ${pr.headRef}: ${result.error.message}`;
      events.publish({ type: 'plan-failed', jobId: null, pullRequest: ref.number, headSha: ref.headSha, reason, message: `pull request #${ref.number} could not be planned: ${reason}` });
      return;
    }
    const { revision } = result;
    // The branch may have moved on since the event: plan what is there, say which commit.
    const planned = { number: pr.number, headSha: revision.sha };
    const rendered = renderTree(revision.tree, { ...defaultRenderOptions, ...(this.options.limits ? { limits: this.options.limits } : {}) }, this.renderCache);
    const decoder = new TextDecoder();
    const jobs: MarkdownJob[] = [];
    for (const { job } of rendered.jobs) {
      const { plan, oldText } = planAgainstStore(store, job);
      if (!plan.changes) continue;
      const bytes = revision.tree.files.get(job.source.file);
      jobs.push({ plan, file: job.source.file, oldText, newText: bytes ? decoder.decode(bytes) : null });
    }
    const errors = byFile(rendered.diagnostics.filter(isError));
    // Warnings of the files that render; a file that does not render shows its errors.
    const failed = new Set(errors.map((e) => e.file));
    const warned = rendered.diagnostics.filter((d) => !isError(d) && !failed.has(d.file));
    const warnings = byFile(warned);
    const markdown = formatPlansMarkdown(jobs, errors, warnings);
    this.keep({ number: planned.number, headSha: planned.headSha, markdown, changedJobs: jobs.length, failedFiles: errors.length, warnings: warned.length, plannedAt: Date.now() });
    events.publish({
      type: 'plan', jobId: null, pullRequest: planned.number, headSha: planned.headSha, markdown, changedJobs: jobs.length, failedFiles: errors.length, warnings: warned.length,
      message: `pull request #${planned.number} at ${planned.headSha.slice(0, 7)}: ${jobs.length} job(s) would change, ${errors.length} file(s) do not render, ${warned.length} warning(s)`,
    });
    this.planned.set(pr.number, revision.sha);
    logger.info({ pullRequest: pr.number, commit: revision.sha }, `planned pull request #${pr.number} at ${revision.sha.slice(0, 7)}: ${jobs.length} job(s) would change, ${errors.length} file(s) do not render`);
  }
}

/** How many pull requests' plans are kept: the newest numbers. */
const keptPlans = 50;

/** Formatted diagnostics by file, in the order the files first appear. */
function byFile(diagnostics: Diagnostic[]): MarkdownError[] {
  const files = new Map<string, string[]>();
  for (const d of diagnostics) files.set(d.file, [...(files.get(d.file) ?? []), formatDiagnostic(d)]);
  return [...files].map(([file, lines]) => ({ file, lines }));
}
