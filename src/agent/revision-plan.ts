// What one revision of the repository asks for, decided without touching
// anything: which jobs to submit (and which of them repeat an earlier version:
// a revert commit), which files failed to render, which jobs lost their file.
// Pure: the rendered revision and what the store knows come in as values.
import type { Diagnostic, Job, JobFormat } from '../model/index.js';
import { isError, jobSpecHash } from '../model/index.js';

/** A job the repository put there before, as the store remembers it. */
export interface KnownJob {
  id: string;
  /** Its file at its newest version. */
  file: string | null;
  /** The format that file was read as. */
  format: JobFormat;
  stopped: boolean;
  /** Newest first. */
  versions: Array<{ version: number; specHash: string; stable: boolean }>;
}

export interface RenderedRevision {
  jobs: Array<{ job: Job; file: string }>;
  diagnostics: Diagnostic[];
  /** Every file path of the revision. */
  files: string[];
}

export interface JobSubmission {
  job: Job;
  file: string;
  /** Set when the job equals an earlier version (a revert commit): the version it rolls back to. */
  revertOf: number | null;
}

export interface RevisionDecision {
  submit: JobSubmission[];
  /** Files that failed to render, with the jobs they held the last time they rendered. */
  renderErrors: Array<{ file: string; jobIds: string[]; diagnostics: Diagnostic[] }>;
  /** Warnings and notices (deprecated forms, settings read another way), by file, with the jobs the file holds now or held before. */
  renderWarnings: Array<{ file: string; jobIds: string[]; diagnostics: Diagnostic[] }>;
  /** Jobs whose file is gone (or no longer defines them): stopped only with prune. */
  removed: Array<{ jobId: string; file: string | null; stop: boolean }>;
  /** The revision holds no job file while jobs run: refused (nothing is touched) unless allowed. */
  refusedEmpty: boolean;
}

export interface RevisionOptions {
  prune: boolean;
  allowEmpty: boolean;
}

export function decideRevision(rendered: RenderedRevision, known: KnownJob[], options: RevisionOptions): RevisionDecision {
  const failedFiles = new Map<string, Diagnostic[]>();
  for (const d of rendered.diagnostics.filter(isError)) failedFiles.set(d.file, [...(failedFiles.get(d.file) ?? []), d]);
  const renderErrors = [...failedFiles].map(([file, diagnostics]) => ({
    file,
    jobIds: known.filter((k) => k.file === file).map((k) => k.id),
    diagnostics,
  }));

  const renderWarnings = warningsByFile(rendered, known);

  const running = known.filter((k) => !k.stopped);
  const noJobFiles = rendered.jobs.length === 0 && failedFiles.size === 0;
  if (noJobFiles && running.length > 0 && !options.allowEmpty) return { submit: [], renderErrors, renderWarnings, removed: [], refusedEmpty: true };

  const byId = new Map(known.map((k) => [k.id, k]));
  const submit = rendered.jobs.map(({ job, file }) => ({ job, file, revertOf: revertTarget(job, byId.get(job.id)) }));

  const present = new Set(rendered.jobs.map((j) => j.job.id));
  // A job whose file failed to render is in doubt, not removed: it keeps running as it is.
  const removed = running
    .filter((k) => !present.has(k.id) && !(k.file !== null && failedFiles.has(k.file)))
    .map((k) => ({ jobId: k.id, file: k.file, stop: options.prune }));
  return { submit, renderErrors, renderWarnings, removed, refusedEmpty: false };
}

/** Warnings travel as errors do: every file that has some, with its jobs. */
function warningsByFile(rendered: RenderedRevision, known: KnownJob[]): RevisionDecision['renderWarnings'] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of rendered.diagnostics.filter((d) => !isError(d))) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  return [...byFile].map(([file, diagnostics]) => {
    const jobIds = new Set([...rendered.jobs.filter((j) => j.file === file).map((j) => j.job.id), ...known.filter((k) => k.file === file).map((k) => k.id)]);
    return { file, jobIds: [...jobIds], diagnostics };
  });
}

/** The newest earlier version with the same spec, when the job's spec moves back to it. */
export function revertTarget(job: Job, known: KnownJob | undefined): number | null {
  if (!known || known.versions.length === 0) return null;
  const hash = jobSpecHash(job);
  const [latest, ...earlier] = known.versions;
  if (latest!.specHash === hash) return null;
  return earlier.find((v) => v.specHash === hash)?.version ?? null;
}
