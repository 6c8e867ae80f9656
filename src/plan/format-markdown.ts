// Plans for pull requests, laid out as Atlantis lays them out: per job a one-line
// summary that stays visible, then the plan and the job file's diff, collapsed.
import { createTwoFilesPatch } from 'diff';
import { redactSourceText } from '../model/index.js';
import { formatPlanText, updateCounts } from './format-text.js';
import type { JobPlan } from './plan.js';

export interface MarkdownJob {
  plan: JobPlan;
  /** The job file, relative to the repository root. */
  file: string;
  /** The file's text in the version that runs now; null when the job is new. */
  oldText: string | null;
  /** The file's text in the pull request; null when the file was removed. */
  newText: string | null;
}

export interface MarkdownError {
  file: string;
  /** Formatted diagnostics, `file:line:col: message`. */
  lines: string[];
}

/** Errors first (nothing of those files is deployed), then the warnings of files that render. */
export function formatPlansMarkdown(jobs: MarkdownJob[], errors: MarkdownError[] = [], warnings: MarkdownError[] = []): string {
  const parts: string[] = [];
  for (const error of errors) {
    parts.push(`:x: **\`${error.file}\`** does not render; nothing in it will be deployed.`, '', '```', ...error.lines, '```', '');
  }
  for (const warning of warnings) {
    const count = warning.lines.length === 1 ? 'a warning' : `${warning.lines.length} warnings`;
    parts.push(`:warning: **\`${warning.file}\`** renders with ${count}.`, '', '```', ...warning.lines, '```', '');
  }
  for (const job of jobs) parts.push(...jobSection(job), '');
  if (jobs.length === 0 && errors.length === 0) parts.push('No job files changed.');
  return `${parts.join('\n').trimEnd()}\n`;
}

/** `web` (jobs/web.nomad): 6 create/destroy update in 3 batches. */
export function planSummary(plan: JobPlan, file: string): string {
  const counts = plan.groups.map((g) => updateCounts(g)).filter(Boolean).join('; ');
  const batches = Math.max(0, ...plan.groups.map((g) => g.batches));
  const what = !plan.changes ? 'no changes' : counts ? `${counts}${batches > 1 ? ` in ${batches} batches` : ''}` : 'changes applied in place';
  return `\`${plan.id}\` (\`${file}\`): ${what}`;
}

function jobSection(job: MarkdownJob): string[] {
  const icon = !job.plan.changes ? ':white_check_mark:' : job.plan.diff.type === 'Deleted' ? ':wastebasket:' : ':pencil2:';
  const lines = [`${icon} ${planSummary(job.plan, job.file)}`, '', '<details><summary>Plan</summary>', '', '```diff', formatPlanText(job.plan, job.file, { color: false, checkIndexHint: false }).trimEnd(), '```'];
  // Comments are read by more people than the repository's files: secret values are masked on both sides.
  const oldText = job.oldText === null ? null : redactSourceText(job.oldText);
  const newText = job.newText === null ? null : redactSourceText(job.newText);
  if (oldText !== newText) {
    const patch = createTwoFilesPatch(`a/${job.file}`, `b/${job.file}`, oldText ?? '', newText ?? '', '', '', { context: 3 });
    // The first line of the patch is a separator the diff package writes; GitHub's ```diff does not need it.
    const body = patch.split('\n').filter((line) => !line.startsWith('====')).join('\n').trimEnd();
    lines.push('', `Changes to \`${job.file}\`:`, '', '```diff', body, '```');
  }
  lines.push('', '</details>');
  return lines;
}
