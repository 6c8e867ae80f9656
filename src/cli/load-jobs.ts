// Turns the paths a user typed into rendered jobs: a folder is one tree, a file is
// rendered on its own (with its folder around it for `.env` and `env_file`).
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../model/index.js';
import { sortDiagnostics } from '../model/index.js';
import type { DiscoveredFile, RenderedJob, RenderOptions, SettingUse, SourceFile } from '../render/index.js';
import { defaultJobLimits, jobFileKinds, renderPath, renderTree } from '../render/index.js';
import { readConfigSiblings } from './config-siblings.js';
import { readDirectoryTree, treeAroundFile } from '../sync/index.js';
import type { CliIO } from './io.js';
import { CliExit } from './io.js';
import { swarmSupport } from '../runtime/swarm/index.js';

export interface LoadedJobs {
  jobs: RenderedJob[];
  files: DiscoveredFile[];
  diagnostics: Diagnostic[];
  /** What deckhand does with each setting of the job files (`validate --explain`). */
  settings: SettingUse[];
}

export interface RenderFlags {
  var?: string[];
  varFile?: string[];
  /** The agent's allow-host-path, for checking bind mounts as it would (paths compared as written: the host may be another machine). */
  allowHostPath?: string[];
  /** The agent's runtime, for refusing what it cannot run as it would (`swarm`). */
  runtime?: string;
}

/** --var and --var-file flags, with the environment, as render options. */
export async function renderOptionsFrom(flags: RenderFlags, io: CliIO, sending: { toAgent: boolean } = { toAgent: false }): Promise<RenderOptions> {
  const vars: Record<string, string> = {};
  for (const pair of flags.var ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliExit(1, `--var "${pair}": expected name=value`);
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const varFiles: SourceFile[] = [];
  for (const path of flags.varFile ?? []) {
    try {
      varFiles.push({ path, text: await readFile(resolve(io.cwd, path), 'utf8') });
    } catch (error) {
      throw new CliExit(1, `--var-file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  const env = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
  const allowed = (flags.allowHostPath ?? []).map((dir) => (isAbsolute(dir) ? resolve(dir) : null));
  if (allowed.includes(null)) throw new CliExit(1, `--allow-host-path ${flags.allowHostPath![allowed.indexOf(null)]}: expected an absolute path`);
  // Files sent to an agent are judged there, by its allow-host-path, on the host the containers run on.
  const hostPaths = sending.toAgent ? { allowed: [], judgedByAgent: true } : { allowed: allowed as string[] };
  if (flags.runtime !== undefined && flags.runtime !== 'docker' && flags.runtime !== 'swarm') throw new CliExit(1, `--runtime ${flags.runtime}: expected docker or swarm`);
  return { env, vars, varFiles, limits: { ...defaultJobLimits, hostPaths, ...(flags.runtime === 'swarm' ? { runtimeSupport: swarmSupport } : {}) } };
}

/** Renders one path; diagnostics and file names come back as the user would type them. */
export async function loadJobs(path: string, options: RenderOptions, io: CliIO): Promise<LoadedJobs> {
  const absolute = resolve(io.cwd, path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(absolute)).isDirectory();
  } catch {
    throw new CliExit(1, `${path}: no such file or folder`);
  }
  const root = isDirectory ? absolute : dirname(absolute);
  // Paths come back the way the user wrote theirs: absolute stays absolute.
  const shown = (file: string) => (isAbsolute(path) ? join(root, file) : relative(io.cwd, join(root, file)) || file);
  // Variable files were named on the command line: their paths are already the user's.
  const outsideTree = new Set(options.varFiles.map((f) => f.path));
  const display = (loaded: LoadedJobs): LoadedJobs => ({
    jobs: loaded.jobs,
    files: loaded.files.map((f) => ({ ...f, path: shown(f.path) })),
    diagnostics: sortDiagnostics(loaded.diagnostics.map((d) => (outsideTree.has(d.file) ? d : { ...d, file: shown(d.file) }))),
    settings: loaded.settings.map((s) => ({ ...s, file: shown(s.file) })),
  });

  if (isDirectory) {
    const result = renderTree(await readDirectoryTree(absolute), options);
    return display(result);
  }
  const { tree, path: name } = treeAroundFile(absolute);
  readConfigSiblings(tree.files, dirname(absolute), name);
  const result = renderPath(tree, name, options, true);
  if (!result.file) {
    throw new CliExit(1, `${path}: not a job file (expected ${jobFileKinds()})`);
  }
  return display({ ...result, files: [result.file], settings: result.settings ?? [] });
}
