// `deckhand render FILE`: the normalized Job, as text or JSON.
import { formatDiagnostic } from '../../model/index.js';
import type { CliIO } from '../io.js';
import { jobText } from '../job-text.js';
import type { RenderFlags } from '../load-jobs.js';
import { loadJobs, renderOptionsFrom } from '../load-jobs.js';

export async function renderCommand(file: string, flags: RenderFlags & { output: string }, io: CliIO): Promise<number> {
  const options = await renderOptionsFrom(flags, io);
  const loaded = await loadJobs(file, options, io);
  for (const d of loaded.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return 1;
  const jobs = loaded.jobs.map((j) => j.job);
  if (flags.output === 'json') {
    // One job prints as an object (docs/spec.md); a file of several Deployments as a list.
    io.stdout(`${JSON.stringify(jobs.length === 1 ? jobs[0] : jobs, null, 2)}\n`);
  } else {
    io.stdout(jobs.map(jobText).join('\n'));
  }
  return 0;
}
