// Renders a whole tree of files (a checkout, a folder) into jobs. One bad file
// never stops the others: its errors are reported and its jobs left out.
import type { Diagnostic, JobFormat, SourceTree } from '../model/index.js';
import { diagnostic, isError, maxJobFileBytes, sortDiagnostics } from '../model/index.js';
import type { RenderCache } from './cache.js';
import { renderOptionsKey } from './cache.js';
import type { DiscoveredFile } from './discover.js';
import { formatByContent, formatByName, makePathFilter, settingsFileName } from './discover.js';
import { linkOutsideMessage } from './links.js';
import { formats } from './formats.js';
import { readRepositorySettings } from './settings.js';
import type { FormatRenderer, MappedJob, RenderContext, RenderOptions } from './types.js';
import { validateJob } from './validate.js';

export type { SourceTree };

/** A job that rendered cleanly, with where its fields came from. */
export type RenderedJob = MappedJob;

export interface TreeRenderResult {
  jobs: RenderedJob[];
  /** Every job file found, rendered or not. */
  files: DiscoveredFile[];
  /** Files that hold at least one error. */
  failedFiles: string[];
  diagnostics: Diagnostic[];
}

export const maxFileBytes = maxJobFileBytes;

const renderers = new Map<JobFormat, FormatRenderer>(formats.map((f) => [f.format, f]));

export const defaultRenderOptions: RenderOptions = { env: {}, vars: {}, varFiles: [] };
const noJobFiles: ReadonlyMap<string, JobFormat> = new Map();

/**
 * Renders every job file of the tree. With a `cache` (cache.ts), files whose bytes,
 * surroundings and options did not change since an earlier render reuse its result.
 * `jobFiles` names files that held jobs before (path → their format): such a file is
 * read as a job file whatever its content says now, so a typo that hides what it is
 * (`service:` for `services:`, `kind: Deploymnet`) is an error, never a job that went away.
 */
export function renderTree(
  tree: SourceTree,
  options: RenderOptions = defaultRenderOptions,
  cache?: RenderCache,
  jobFiles: ReadonlyMap<string, JobFormat> = noJobFiles,
): TreeRenderResult {
  const diagnostics: Diagnostic[] = [];
  const settingsBytes = tree.files.get(settingsFileName);
  const settingsText = settingsBytes ? decodeText(settingsBytes) : undefined;
  const settings =
    settingsText === null
      ? { filter: { include: [], exclude: [] }, diagnostics: [diagnostic('error', 'unreadable', settingsFileName, { line: 1, col: 1 }, '', 'the file is not valid UTF-8 text')] }
      : readRepositorySettings(settingsText);
  diagnostics.push(...settings.diagnostics);
  // Without trustworthy settings we cannot tell which files are jobs: render none rather than guess (never destroy on doubt).
  if (settings.diagnostics.some(isError)) return { jobs: [], files: [], failedFiles: [settingsFileName], diagnostics: sortDiagnostics(diagnostics) };
  const accept = makePathFilter(settings.filter);

  const files: DiscoveredFile[] = [];
  const rendered: RenderedJob[] = [];
  // The cache compares the files a render read, not the links it was refused.
  const cached = tree.refused?.size ? undefined : cache;
  const optionsKey = cached ? renderOptionsKey(options) : '';
  for (const path of [...new Set([...tree.files.keys(), ...(tree.refused?.keys() ?? [])])].sort()) {
    // Other files (`.env`, READMEs) are read by the job files that need them.
    if (formatByName(path) === null || !accept(path)) continue;
    let result = cached
      ? cached.render(tree.files, tree.rootName, path, optionsKey, (files) => renderPath({ rootName: tree.rootName, files }, path, options))
      : renderPath(tree, path, options);
    const knownFormat = jobFiles.get(path);
    if (!result.file && knownFormat) result = renderPath(tree, path, options, false, knownFormat);
    if (result.file) files.push(result.file);
    rendered.push(...result.jobs);
    diagnostics.push(...result.diagnostics);
  }

  const jobs = dropDuplicateIds(rendered, diagnostics);
  const sorted = sortDiagnostics(diagnostics);
  const failedFiles = [...new Set(sorted.filter((d) => d.severity === 'error').map((d) => d.file))];
  return { jobs, files, failedFiles, diagnostics: sorted };
}

export interface PathRenderResult {
  /** Set when the path is a job file. */
  file: DiscoveredFile | null;
  jobs: RenderedJob[];
  diagnostics: Diagnostic[];
}

/**
 * Renders one path of the tree if it is a job file. `named` says the user pointed
 * at this file: then its content decides even when its name does not look like a job.
 * `knownFormat`: the file held jobs of that format before; when its content no
 * longer says what it is, it is read as that format, and never as no job at all.
 */
export function renderPath(tree: SourceTree, path: string, options: RenderOptions, named = false, knownFormat?: JobFormat): PathRenderResult {
  const none: PathRenderResult = { file: null, jobs: [], diagnostics: [] };
  const bytes = tree.files.get(path);
  const byName = formatByName(path) ?? (named ? 'yaml' : null);
  if (byName === null) return none;
  const target = bytes === undefined ? tree.refused?.get(path) : undefined;
  if (target !== undefined) {
    // A YAML file may not be a job at all: then the link is only worth a warning.
    const job = byName !== 'yaml' || named;
    const problem = diagnostic(job ? 'error' : 'warning', 'link-outside', path, { line: 1, col: 1 }, '', linkOutsideMessage('the file', target), job ? `name ${target} itself to use it` : undefined);
    return { file: job ? { path, format: byName === 'yaml' ? 'compose' : byName } : null, jobs: [], diagnostics: [problem] };
  }
  if (bytes === undefined) return none;
  const loaded = loadText(path, bytes);
  if ('problem' in loaded) {
    // A YAML file we cannot read may not be a job at all; a named job file is.
    if (byName === 'yaml' && !named) return none;
    return { file: { path, format: byName === 'yaml' ? 'compose' : byName }, jobs: [], diagnostics: [loaded.problem] };
  }
  const detected = byName === 'yaml' ? formatByContent(loaded.text) : byName;
  const format = detected ?? knownFormat ?? null;
  if (format === null) return none;
  const rendered = renderFile({ path, text: loaded.text }, format, tree, options);
  if (detected === null && !rendered.diagnostics.some(isError)) {
    // Read as what it was, it says nothing wrong, yet it no longer looks like a job file: still an error, never a removal.
    rendered.diagnostics.push(diagnostic('error', 'no-longer-a-job-file', path, { line: 1, col: 1 }, '', `this file held jobs before and no longer reads as a ${formatNames[format]} file; what runs from it keeps running`, formatHints[format]));
    rendered.jobs = [];
  }
  return { file: { path, format }, ...rendered };
}

const formatNames: Record<JobFormat, string> = { nomad: 'Nomad job', compose: 'Compose', kubernetes: 'Kubernetes Deployment' };
const formatHints: Record<JobFormat, string> = {
  nomad: 'a Nomad job file holds a job "name" { ... } block',
  compose: 'a Compose file has a top-level "services:" map',
  kubernetes: 'a Deployment has "apiVersion: apps/v1" and "kind: Deployment"',
};

/** Renders one file of a known format and validates its jobs. Never throws. */
export function renderFile(
  file: { path: string; text: string },
  format: JobFormat,
  tree: SourceTree,
  options: RenderOptions,
): { jobs: RenderedJob[]; diagnostics: Diagnostic[] } {
  const context: RenderContext = {
    ...options,
    rootName: tree.rootName,
    readFile: (path) => {
      const bytes = tree.files.get(path);
      return bytes ? decodeText(bytes) ?? undefined : undefined;
    },
    linkOutside: (path) => (tree.files.has(path) ? undefined : tree.refused?.get(path)),
  };
  try {
    const result = renderers.get(format)!.render(file, context);
    const diagnostics = [...result.diagnostics];
    // Shared rules run on cleanly mapped jobs only: a half-mapped job would add echoes of the first error.
    const mappedCleanly = !diagnostics.some(isError);
    if (mappedCleanly) for (const mapped of result.jobs) diagnostics.push(...validateJob(mapped.job, mapped.fields, options.limits));
    // A file with any error is not trusted at all: none of its jobs is deployed.
    const jobs = diagnostics.some(isError) ? [] : result.jobs;
    return { jobs, diagnostics: sortDiagnostics(diagnostics) };
  } catch (error) {
    const stackOverflow = error instanceof RangeError && /call stack/i.test(error.message);
    const message = stackOverflow ? 'the file is nested too deeply to read' : `deckhand could not render this file: ${(error as Error).message}`;
    return { jobs: [], diagnostics: [{ severity: 'error', code: 'internal', file: file.path, line: 1, col: 1, field: '', message }] };
  }
}

/** Two files defining one job id: neither is trusted, and each error names the other file. */
function dropDuplicateIds(jobs: RenderedJob[], diagnostics: Diagnostic[]): RenderedJob[] {
  const byId = new Map<string, RenderedJob[]>();
  for (const rendered of jobs) byId.set(rendered.job.id, [...(byId.get(rendered.job.id) ?? []), rendered]);
  const kept: RenderedJob[] = [];
  for (const [id, group] of byId) {
    if (group.length === 1) {
      kept.push(group[0]!);
      continue;
    }
    for (const rendered of group) {
      const here = rendered.fields.get('id')?.pos ?? { line: 1, col: 1 };
      const others = group
        .filter((other) => other !== rendered)
        .map((other) => {
          const at = other.fields.get('id')?.pos ?? { line: 1, col: 1 };
          return `${other.job.source.file}:${at.line}:${at.col}`;
        });
      diagnostics.push({
        severity: 'error',
        code: 'duplicate-id',
        file: rendered.job.source.file,
        line: here.line,
        col: here.col,
        field: rendered.fields.get('id')?.field ?? 'id',
        message: `job id "${id}" is also defined in ${others.join(', ')}`,
        hint: 'job ids must be unique across the repository',
      });
    }
  }
  return kept;
}

type Loaded = { text: string } | { problem: Diagnostic };

function loadText(path: string, bytes: Uint8Array): Loaded {
  const problem = (message: string): Loaded => ({
    problem: { severity: 'error', code: 'unreadable', file: path, line: 1, col: 1, field: '', message },
  });
  if (bytes.byteLength > maxFileBytes) {
    return problem(`the file is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MiB; job files may be at most 1 MiB`);
  }
  if (bytes.includes(0)) return problem('the file is binary (it holds NUL bytes), not a job file');
  const text = decodeText(bytes);
  if (text === null) return problem('the file is not valid UTF-8 text');
  return { text };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeText(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}
