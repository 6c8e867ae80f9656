// `deckhand plan [PATH...]`: what submitting these job files would change.
// Exit codes as `nomad job plan`: 0 no changes, 1 changes, 255 error.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { formatDiagnostic } from '../../model/index.js';
import type { Diagnostic, Job } from '../../model/index.js';
import { formatPlansMarkdown, formatPlanText, planJson } from '../../plan/index.js';
import type { JobPlan, MarkdownJob } from '../../plan/index.js';
import { planAgainstStore } from '../../api/index.js';
import type { RenderOptions } from '../../render/index.js';
import { bundleJobFile } from '../bundle.js';
import { AgentClient, agentExit } from '../client.js';
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
  const options = await renderOptionsFrom(flags, io, { toAgent: !flags.dataDir });
  const diagnostics: Diagnostic[] = [];
  const loaded: Array<{ job: Job; file: string }> = [];
  for (const path of paths.length ? paths : ['.']) {
    const result = await loadJobs(path, options, io);
    diagnostics.push(...result.diagnostics);
    for (const { job } of result.jobs) loaded.push({ job, file: result.files.find((f) => f.path.endsWith(job.source.file))?.path ?? job.source.file });
  }
  // --data-dir plans offline against a store; otherwise the running agent plans against what runs.
  const planned = flags.dataDir ? planOffline(loaded, flags, io) : await planWithAgent(loaded, options, io);
  for (const p of planned) p.newText = await readFile(resolve(io.cwd, p.file), 'utf8').catch(() => null);
  // What only the agent can tell: images neither on its engine nor obtainable, registries that gave no digest.
  for (const p of planned) diagnostics.push(...(p.agentWarnings ?? []));

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

interface PlannedJob {
  plan: JobPlan;
  file: string;
  oldText: string | null;
  newText: string | null;
  agentWarnings?: Diagnostic[];
}

function planOffline(loaded: Array<{ job: Job; file: string }>, flags: PlanFlags, io: CliIO): PlannedJob[] {
  const store = openCliStore(flags, io);
  try {
    return loaded.map(({ job, file }) => ({ ...planAgainstStore(store, job), file, newText: null }));
  } finally {
    store.close();
  }
}

async function planWithAgent(loaded: Array<{ job: Job; file: string }>, options: RenderOptions, io: CliIO): Promise<PlannedJob[]> {
  const client = new AgentClient(io);
  const out: PlannedJob[] = [];
  for (const { job, file } of loaded) {
    const { bundle, result } = bundleJobFile(resolve(io.cwd, file), options);
    // Alone, the file's folder is its root: what it reads from beyond (a link, ../x) is not sent, so the plan would differ.
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new CliExit(1, errors.map((d) => formatDiagnostic({ ...d, file: join(dirname(file), d.file) })).join('\n'));
    try {
      const answer = await client.post<{ plan: JobPlan; oldText: string | null; diagnostics?: Diagnostic[] }>(`/v1/job/${encodeURIComponent(job.id)}/plan`, bundle);
      const agentWarnings = (answer.diagnostics ?? []).filter((d) => d.code.startsWith('image-')).map((d) => ({ ...d, file: join(dirname(file), d.file) }));
      out.push({ plan: answer.plan, oldText: answer.oldText, file, newText: null, agentWarnings });
    } catch (error) {
      agentExit(error, `planning job "${job.id}"`, (bundled) => join(dirname(file), bundled));
    }
  }
  return out;
}
