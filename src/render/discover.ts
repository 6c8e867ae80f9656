// Which files of a tree are jobs, and in which format. Names decide first; a YAML
// file with another name is a job when its content says so (a top-level
// `services:`, or an apps/v1 Deployment).
import picomatch from 'picomatch';
import { parseAllDocuments } from 'yaml';
import type { JobFormat } from '../model/job.js';
import { settingsFileName, skippedFolders } from '../model/source-tree.js';

export { settingsFileName, skippedFolders };

export interface JobFileFilter {
  /** Globs relative to the tree's root; when set, only matching files are considered. */
  include: string[];
  exclude: string[];
}

export interface DiscoveredFile {
  path: string;
  format: JobFormat;
}

const alwaysExcluded = skippedFolders.map((folder) => `**/${folder}/**`);


const composeName = /(^|\/)(compose\.ya?ml|docker-compose[^/]*\.ya?ml|[^/]*\.stack\.ya?ml)$/;

/** The format a file's name alone decides; 'yaml' when only its content can tell; null when it is no job. */
export function formatByName(path: string): JobFormat | 'yaml' | null {
  // Asked of every file of every tree: the endings first, the patterns only for YAML names.
  if (path.endsWith('.nomad') || path.endsWith('.nomad.hcl')) return 'nomad';
  if (!path.endsWith('.yaml') && !path.endsWith('.yml')) return null;
  if (composeName.test(path)) return 'compose';
  return path === settingsFileName ? null : 'yaml';
}

/** Line patterns that decide most files without parsing them. */
const key = (name: string) => `^["']?${name}["']?\\s*:\\s*`;
const servicesMap = new RegExp(`${key('services')}(&\\S+\\s*)?(\\{|(#.*)?\\n(\\s*(#.*)?\\n)*[ \\t]+[^\\s#-])`, 'm');
const deploymentKind = new RegExp(`${key('kind')}["']?Deployment["']?\\s*(#.*)?$`, 'm');
const appsV1 = new RegExp(`${key('apiVersion')}["']?apps/v1["']?\\s*(#.*)?$`, 'm');

/**
 * Decides a YAML file's format from its text: cheap line patterns first; a file
 * that merely mentions the words (flow style, tags, anchors) is parsed to be sure.
 */
export function formatByContent(text: string): JobFormat | null {
  if (servicesMap.test(text)) return 'compose';
  if (deploymentKind.test(text) && appsV1.test(text)) return 'kubernetes';
  const mentionsServices = /\bservices\b/.test(text);
  const mentionsDeployment = /\bDeployment\b/.test(text) && /apps\/v1/.test(text);
  if (!mentionsServices && !mentionsDeployment) return null;
  return formatByParsing(text);
}

function formatByParsing(text: string): JobFormat | null {
  let documents: unknown[];
  try {
    documents = parseAllDocuments(text, { merge: true }).map((d) => (d.errors.length ? null : d.toJS({ maxAliasCount: 100 })));
  } catch {
    return null;
  }
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (documents.length > 0 && isMap(documents[0]) && isMap(documents[0].services)) return 'compose';
  if (documents.some((d) => isMap(d) && d.kind === 'Deployment' && d.apiVersion === 'apps/v1')) return 'kubernetes';
  return null;
}

export function makePathFilter(filter: JobFileFilter): (path: string) => boolean {
  const options = { dot: true };
  const included = filter.include.length ? picomatch(filter.include, options) : () => true;
  const excluded = picomatch([...alwaysExcluded, ...filter.exclude], options);
  return (path) => included(path) && !excluded(path);
}
