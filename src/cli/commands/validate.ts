// `deckhand validate [PATH...]`: 0 when every job file is valid, 1 otherwise.
import { formatDiagnostic, sortDiagnostics } from '../../model/index.js';
import { explainFile } from '../../render/index.js';
import { formatExplanation } from '../format/explain.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';
import type { LoadedJobs, RenderFlags } from '../load-jobs.js';
import { loadJobs, renderOptionsFrom } from '../load-jobs.js';

export async function validateCommand(paths: string[], flags: RenderFlags & { output: string; explain?: boolean }, io: CliIO): Promise<number> {
  const options = await renderOptionsFrom(flags, io);
  const loaded: LoadedJobs[] = [];
  for (const path of paths.length ? paths : ['.']) loaded.push(await loadJobs(path, options, io));
  const files = loaded.flatMap((l) => l.files);
  const diagnostics = sortDiagnostics(loaded.flatMap((l) => l.diagnostics));
  const settings = loaded.flatMap((l) => l.settings);
  const jobs = loaded.flatMap((l) => l.jobs);
  const jobFiles = new Set(files.map((f) => f.path));
  const failed = new Set(diagnostics.filter((d) => d.severity === 'error' && jobFiles.has(d.file)).map((d) => d.file));
  const otherErrors = diagnostics.some((d) => d.severity === 'error' && !jobFiles.has(d.file));
  const valid = files.length > 0 && failed.size === 0 && !otherErrors;

  if (flags.output === 'json') {
    const described = files.map((f) => ({ ...f, valid: !failed.has(f.path), settings: explainFile(f.path, settings, diagnostics) }));
    io.stdout(`${JSON.stringify({ valid, files: described, jobs: jobs.map((j) => j.job.id), diagnostics }, null, 2)}\n`);
    return valid ? 0 : 1;
  }
  for (const d of diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
  if (files.length === 0) throw new CliExit(1, `no job files found in ${paths.join(', ') || '.'}`);
  if (flags.explain) {
    for (const f of files) io.stdout(`\n${formatExplanation(f.path, explainFile(f.path, settings, diagnostics))}`);
    io.stdout('\n');
  }
  const summary = failed.size || otherErrors
    ? `${failed.size} of ${files.length} job file${files.length === 1 ? '' : 's'} invalid${otherErrors ? ', and errors outside job files' : ''}`
    : `${files.length} job file${files.length === 1 ? '' : 's'} valid (${jobs.length} job${jobs.length === 1 ? '' : 's'})`;
  io.stdout(`${summary}\n`);
  return valid ? 0 : 1;
}
