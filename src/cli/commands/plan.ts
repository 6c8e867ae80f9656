// `deckhand plan [PATH...]`: what submitting these job files would change.
// Exit codes as `nomad job plan`: 0 no changes, 1 changes, 255 error.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDiagnostic } from '../../model/diagnostic.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { Job } from '../../model/job.js';
import { formatPlansMarkdown } from '../../plan/format-markdown.js';
import type { MarkdownJob } from '../../plan/format-markdown.js';
import { planJson } from '../../plan/format-json.js';
import { formatPlanText } from '../../plan/format-text.js';
import { liveStateOf } from '../../plan/live-state.js';
import type { JobPlan } from '../../plan/plan.js';
import { planJob } from '../../plan/plan.js';
import type { Store } from '../../store/store.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';
import type { RenderFlags } from '../load-jobs.js';
import { loadJobs, renderOptionsFrom } from '../load-jobs.js';
import { openCliStore } from '../data-dir.js';

export const planExit = { noChanges: 0, changes: 1, error: 255 } as const;

export interface PlanFlags extends RenderFlags {
  output: string;
  dataDir?: string;
  verbose?: boolean;
}

export async function planCommand(paths: string[], flags: PlanFlags, io: CliIO): Promise<number> {
  try {
    return await planPaths(paths, flags, io);
  } catch (error) {
    // Every failure of plan exits 255, as `nomad job plan` does.
    if (error instanceof CliExit) throw new CliExit(planExit.error, error.message);
    throw error;
  }
}

async function planPaths(paths: string[], flags: PlanFlags, io: CliIO): Promise<number> {
  const options = await renderOptionsFrom(flags, io);
  const diagnostics: Diagnostic[] = [];
  const planned: Array<{ plan: JobPlan; file: string; newText: string | null; oldText: string | null }> = [];
  const store = openCliStore(flags, io);
  try {
    for (const path of paths.length ? paths : ['.']) {
      const loaded = await loadJobs(path, options, io);
      diagnostics.push(...loaded.diagnostics);
      for (const { job } of loaded.jobs) {
        const file = loaded.files.find((f) => f.path.endsWith(job.source.file))?.path ?? job.source.file;
        planned.push({ ...planOne(store, job), file, newText: await readFile(join(io.cwd, file), 'utf8').catch(() => null) });
      }
    }
  } finally {
    store.close();
  }

  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (flags.output === 'json') {
    io.stdout(planJson(planned.map((p) => p.plan), errors.map((d) => ({ file: d.file, line: d.line, col: d.col, message: formatDiagnostic(d) }))));
  } else if (flags.output === 'markdown') {
    const byFile = new Map<string, string[]>();
    for (const d of errors) byFile.set(d.file, [...(byFile.get(d.file) ?? []), formatDiagnostic(d)]);
    const jobs: MarkdownJob[] = planned.map((p) => ({ plan: p.plan, file: p.file, oldText: p.oldText, newText: p.newText }));
    io.stdout(formatPlansMarkdown(jobs, [...byFile].map(([file, lines]) => ({ file, lines }))));
  } else {
    for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stdout(planned.map((p) => formatPlanText(p.plan, p.file, { color: io.isTTY, verbose: flags.verbose })).join('\n'));
  }
  if (errors.length) return planExit.error;
  return planned.some((p) => p.plan.changes) ? planExit.changes : planExit.noChanges;
}

function planOne(store: Store, job: Job): { plan: JobPlan; oldText: string | null } {
  const record = store.getJob(job.id);
  const latest = record ? store.getVersion(job.id, record.version) : undefined;
  const current = record && latest ? { job: latest.job, specHash: latest.specHash, version: latest.version, modifyIndex: record.modifyIndex, stopped: record.stopped } : null;
  const plan = planJob({ job, current, live: liveStateOf(store.listAllocations(job.id)) });
  return { plan, oldText: latest?.sourceText ?? null };
}
