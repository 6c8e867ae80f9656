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
import { attachServices } from './kubernetes/attach.js';
import { attachConfigs } from './kubernetes/attach-configs.js';
import type { ConfigSource, FormatRenderer, MappedJob, RenderContext, RenderOptions, ServiceDefinition } from './types.js';
import { locate, validateJob } from './validate.js';
import { checkRuntimeSupport } from './runtime-support.js';
import { checkHostPaths, mountsHostPaths } from './host-paths.js';
import type { SettingUse } from './explain.js';

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
  /** What deckhand does with each setting of the job files (explain.ts). */
  settings: SettingUse[];
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
  if (settings.diagnostics.some(isError)) return { jobs: [], files: [], failedFiles: [settingsFileName], diagnostics: sortDiagnostics(diagnostics), settings: [] };
  const accept = makePathFilter(settings.filter);

  const files: DiscoveredFile[] = [];
  const rendered: RenderedJob[] = [];
  const services: ServiceDefinition[] = [];
  const configSources: ConfigSource[] = [];
  const settingUses: SettingUse[] = [];
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
    services.push(...result.services);
    configSources.push(...(result.configSources ?? []));
    diagnostics.push(...result.diagnostics);
    settingUses.push(...(result.settings ?? []));
  }

  const unique = attachConfigs(dropDuplicateIds(rendered, diagnostics), configSources, diagnostics);
  const jobs = dropDuplicatePorts(attachServices(unique, services, diagnostics, options.limits), diagnostics);
  const sorted = sortDiagnostics(diagnostics);
  const failedFiles = [...new Set(sorted.filter((d) => d.severity === 'error').map((d) => d.file))];
  return { jobs, files, failedFiles, diagnostics: sorted, settings: settingUses };
}

export interface PathRenderResult {
  /** Set when the path is a job file. */
  file: DiscoveredFile | null;
  /** Before the tree's Services are attached; a path named alone (`named`) has its own file's attached. */
  jobs: RenderedJob[];
  /** Kubernetes Services of the file, for the tree to put in front of the Deployments they select. */
  services: ServiceDefinition[];
  /** Kubernetes Secrets and ConfigMaps of the file, for the tree's Deployments that use them. */
  configSources?: ConfigSource[];
  diagnostics: Diagnostic[];
  /** What deckhand does with each setting of the file (explain.ts). */
  settings?: SettingUse[];
  /** Its jobs mount host paths, which were checked on the host: the result holds only for now, and is not cached. */
  readsHost?: boolean;
}

/**
 * Renders one path of the tree if it is a job file. `named` says the user pointed
 * at this file: then its content decides even when its name does not look like a job.
 * `knownFormat`: the file held jobs of that format before; when its content no
 * longer says what it is, it is read as that format, and never as no job at all.
 */
export function renderPath(tree: SourceTree, path: string, options: RenderOptions, named = false, knownFormat?: JobFormat): PathRenderResult {
  const none: PathRenderResult = { file: null, jobs: [], services: [], diagnostics: [] };
  const bytes = tree.files.get(path);
  const byName = formatByName(path) ?? (named ? 'yaml' : null);
  if (byName === null) return none;
  const target = bytes === undefined ? tree.refused?.get(path) : undefined;
  if (target !== undefined) {
    // A YAML file may not be a job at all: then the link is only worth a warning.
    const job = byName !== 'yaml' || named;
    const problem = diagnostic(job ? 'error' : 'warning', 'link-outside', path, { line: 1, col: 1 }, '', linkOutsideMessage('the file', target), job ? `name ${target} itself to use it` : undefined);
    return { file: job ? { path, format: byName === 'yaml' ? 'compose' : byName } : null, jobs: [], services: [], diagnostics: [problem] };
  }
  if (bytes === undefined) return none;
  const loaded = loadText(path, bytes);
  if ('problem' in loaded) {
    // A YAML file we cannot read may not be a job at all; a named job file is.
    if (byName === 'yaml' && !named) return none;
    return { file: { path, format: byName === 'yaml' ? 'compose' : byName }, jobs: [], services: [], diagnostics: [loaded.problem] };
  }
  const detected = byName === 'yaml' ? formatByContent(loaded.text) : byName;
  const format = detected ?? knownFormat ?? null;
  if (format === null) return none;
  const rendered: Omit<PathRenderResult, 'file'> = renderFile({ path, text: loaded.text }, format, tree, options);
  if (rendered.jobs.some((j) => mountsHostPaths(j.job)) || rendered.diagnostics.some((d) => d.code === 'host-path-not-allowed')) rendered.readsHost = true;
  if (detected === null && !rendered.diagnostics.some(isError)) {
    // Read as what it was, it says nothing wrong, yet it no longer looks like a job file: still an error, never a removal.
    rendered.diagnostics.push(diagnostic('error', 'no-longer-a-job-file', path, { line: 1, col: 1 }, '', `this file held jobs before and no longer reads as a ${formatNames[format]} file; what runs from it keeps running`, formatHints[format]));
    rendered.jobs = [];
  }
  if (named) {
    // Rendered alone (a bundle sent to the agent): only this file's Services can be attached.
    const diagnostics = [...rendered.diagnostics];
    const withConfigs = attachConfigs(rendered.jobs, [...(rendered.configSources ?? []), ...siblingConfigSources(tree, path, rendered.jobs, options)], diagnostics, 'file');
    const jobs = dropDuplicatePorts(attachServices(withConfigs, rendered.services, diagnostics, options.limits), diagnostics);
    return { file: { path, format }, jobs, services: rendered.services, configSources: rendered.configSources, diagnostics: sortDiagnostics(diagnostics), settings: rendered.settings, ...(rendered.readsHost ? { readsHost: true } : {}) };
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
): { jobs: RenderedJob[]; services: ServiceDefinition[]; configSources: ConfigSource[]; diagnostics: Diagnostic[]; settings: SettingUse[] } {
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
    if (mappedCleanly) {
      for (const mapped of result.jobs) diagnostics.push(...validateJob(mapped.job, mapped.fields, options.limits), ...checkHostPaths(mapped.job, mapped.fields, options.limits?.hostPaths), ...checkRuntimeSupport(mapped.job, mapped.fields, options.limits?.runtimeSupport));
    }
    // A file with any error is not trusted at all: none of its jobs is deployed, and its Services hold back what they select.
    const failed = diagnostics.some(isError);
    const jobs = failed ? [] : result.jobs;
    const services = (result.services ?? []).map((service) => (failed ? { ...service, broken: true } : service));
    const configSources = (result.configSources ?? []).map((source) => (failed ? { ...source, broken: true } : source));
    return { jobs, services, configSources, diagnostics: sortDiagnostics(diagnostics), settings: result.settings ?? [] };
  } catch (error) {
    const stackOverflow = error instanceof RangeError && /call stack/i.test(error.message);
    const message = stackOverflow ? 'the file is nested too deeply to read' : `deckhand could not render this file: ${(error as Error).message}`;
    return { jobs: [], services: [], configSources: [], diagnostics: [{ severity: 'error', code: 'internal', file: file.path, line: 1, col: 1, field: '', message }], settings: [] };
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
        hint: idFromFolder(rendered)
          ? `a Compose file without a top-level "name:" takes its folder's name as job id: give this file its own, e.g. name: ${id}-${fileStem(rendered.job.source.file)}`
          : 'job ids must be unique across the repository',
      });
    }
  }
  return kept;
}

/** A Compose job whose id is its folder's name: the file has no `name:` (project.ts points the id at `services`). */
function idFromFolder(rendered: RenderedJob): boolean {
  return rendered.job.source.format === 'compose' && rendered.fields.get('id')?.field !== 'name';
}

/** `stack/db.compose.yml` → `db`; the usual `docker-compose.yml` → `compose`. */
function fileStem(file: string): string {
  const base = file.split('/').pop()!.replace(/\.(ya?ml)$/, '').replace(/\.(docker-)?compose$/, '').replace(/^docker-/, '');
  return base.toLowerCase().replace(/[^a-z0-9_-]/g, '-') || 'compose';
}

/**
 * A host port published by two jobs (an endpoint, or a fixed port) would fail the
 * second at placement: the second job, in path order, is an error instead, naming the first.
 */
function dropDuplicatePorts(jobs: RenderedJob[], diagnostics: Diagnostic[]): RenderedJob[] {
  const owners = new Map<number, { job: RenderedJob; path: string }>();
  return jobs.filter((rendered) => {
    const { job, fields } = rendered;
    const mine = new Map<number, string>();
    job.endpoints.forEach((endpoint, ei) => mine.set(endpoint.port, `endpoints.${ei}.port`));
    job.groups.forEach((group, gi) =>
      group.tasks.forEach((task, ti) =>
        task.ports.forEach((port, pi) => {
          if (port.static !== null && !mine.has(port.static)) mine.set(port.static, `groups.${gi}.tasks.${ti}.ports.${pi}.static`);
        }),
      ),
    );
    let clash = false;
    for (const [port, path] of mine) {
      const owner = owners.get(port);
      if (!owner) continue;
      clash = true;
      const here = locate(fields, path);
      const there = locate(owner.job.fields, owner.path);
      const file = here.file ?? job.source.file;
      diagnostics.push({
        severity: 'error',
        code: 'duplicate-port',
        file,
        line: here.pos.line,
        col: here.pos.col,
        field: here.field,
        message: `host port ${port} is already published by job "${owner.job.job.id}" (${there.file ?? owner.job.job.source.file}:${there.pos.line})`,
        hint: 'each host port can be published by one job',
      });
      if (file !== job.source.file) {
        const at = fields.get('id') ?? { field: '', pos: { line: 1, col: 1 } };
        diagnostics.push({ severity: 'error', code: 'held-back', file: job.source.file, line: at.pos.line, col: at.pos.col, field: at.field, message: `job "${job.id}" is held back: host port ${port} is already published by job "${owner.job.job.id}"` });
      }
    }
    if (clash) return false;
    for (const [port, path] of mine) owners.set(port, { job: rendered, path });
    return true;
  });
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

/**
 * Secrets and ConfigMaps of the other YAML files the tree holds, for a Kubernetes file
 * rendered alone whose Deployments use some (`deckhand plan app.yaml` beside secret.yaml).
 * Only their Secrets and ConfigMaps count: their own jobs and problems are not this file's.
 */
function siblingConfigSources(tree: SourceTree, path: string, jobs: RenderedJob[], options: RenderOptions): ConfigSource[] {
  if (!jobs.some((j) => j.configRefs?.length)) return [];
  return [...tree.files.keys()]
    .filter((other) => other !== path && /\.ya?ml$/.test(other))
    .flatMap((other) => {
      const text = decodeText(tree.files.get(other)!);
      return text === null ? [] : renderFile({ path: other, text }, 'kubernetes', tree, options).configSources;
    });
}
