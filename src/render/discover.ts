// Which files of a tree are jobs, and in which format. Names decide first; a YAML
// file with another name is a job when its content says so (a top-level
// `services:`, or an apps/v1 Deployment).
import picomatch from 'picomatch';
import type { JobFormat } from '../model/job.js';

export interface JobFileFilter {
  /** Globs relative to the tree's root; when set, only matching files are considered. */
  include: string[];
  exclude: string[];
}

export interface DiscoveredFile {
  path: string;
  format: JobFormat;
}

/** Folders that never hold job files and may be huge: never read, whatever the filter says. */
export const skippedFolders: readonly string[] = ['.git', 'node_modules'];
const alwaysExcluded = skippedFolders.map((folder) => `**/${folder}/**`);

/** The repository's own settings file, not a job. */
export const settingsFileName = 'deckhand.yaml';

const nomadName = /\.nomad(\.hcl)?$/;
const composeName = /(^|\/)(compose\.ya?ml|docker-compose[^/]*\.ya?ml|[^/]*\.stack\.ya?ml)$/;
const yamlName = /\.ya?ml$/;

/** The format a file's name alone decides; 'yaml' when only its content can tell; null when it is no job. */
export function formatByName(path: string): JobFormat | 'yaml' | null {
  if (nomadName.test(path)) return 'nomad';
  if (composeName.test(path)) return 'compose';
  if (yamlName.test(path)) return path === settingsFileName ? null : 'yaml';
  return null;
}

/** `services:` holding a map: a key on the next indented line, or a flow map (a GitLab CI file's `services:` is a list). */
const topLevelServices = /^services\s*:\s*(\{|(#.*)?\n(\s*(#.*)?\n)*[ \t]+[^\s#-])/m;
const deploymentKind = /^kind\s*:\s*["']?Deployment["']?\s*$/m;
const appsV1 = /^apiVersion\s*:\s*["']?apps\/v1["']?\s*$/m;

/** Decides a YAML file's format from its text, cheaply: no full parse. */
export function formatByContent(text: string): JobFormat | null {
  if (topLevelServices.test(text)) return 'compose';
  if (deploymentKind.test(text) && appsV1.test(text)) return 'kubernetes';
  return null;
}

export function makePathFilter(filter: JobFileFilter): (path: string) => boolean {
  const options = { dot: true };
  const included = filter.include.length ? picomatch(filter.include, options) : () => true;
  const excluded = picomatch([...alwaysExcluded, ...filter.exclude], options);
  return (path) => included(path) && !excluded(path);
}
