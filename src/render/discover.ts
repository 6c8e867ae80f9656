// Which files of a tree are jobs, and in which format, as the formats (formats.ts)
// say. Names decide first; a YAML file with another name is a job when its content
// says so (a top-level `services:`, or an apps/v1 Deployment).
import picomatch from 'picomatch';
import { parseAllDocuments } from 'yaml';
import type { JobFormat } from '../model/index.js';
import { mayHoldJobs, settingsFileName, skippedFolders } from '../model/index.js';
import { formats } from './formats.js';

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

/** The format a file's name alone decides; 'yaml' when only its content can tell; null when it is no job. */
export function formatByName(path: string): JobFormat | 'yaml' | null {
  // Asked of every file of every tree: names that can hold no job go first.
  if (!mayHoldJobs(path)) return null;
  for (const format of formats) if (format.claimsName(path)) return format.format;
  return path.endsWith('.yaml') || path.endsWith('.yml') ? 'yaml' : null;
}

/**
 * Decides a YAML file's format from its text: each format's cheap look first; a
 * file that merely mentions the words (flow style, tags, anchors) is parsed to be sure.
 */
export function formatByContent(text: string): JobFormat | null {
  const maybe = [];
  for (const format of formats) {
    const claim = format.claimsText?.(text) ?? false;
    if (claim === true) return format.format;
    if (claim === 'maybe') maybe.push(format);
  }
  if (maybe.length === 0) return null;
  let documents: unknown[];
  try {
    documents = parseAllDocuments(text, { merge: true }).map((d) => (d.errors.length ? null : d.toJS({ maxAliasCount: 100 })));
  } catch {
    return null;
  }
  return maybe.find((format) => format.claimsDocuments?.(documents))?.format ?? null;
}

export function makePathFilter(filter: JobFileFilter): (path: string) => boolean {
  const options = { dot: true };
  const included = filter.include.length ? picomatch(filter.include, options) : () => true;
  const excluded = picomatch([...alwaysExcluded, ...filter.exclude], options);
  return (path) => included(path) && !excluded(path);
}
