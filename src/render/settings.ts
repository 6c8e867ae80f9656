// The repository's `deckhand.yaml`: which files are jobs (include/exclude globs).
// Other keys belong to the agent and are left alone here.
import type { Diagnostic } from '../model/index.js';
import type { JobFileFilter } from './discover.js';
import { settingsFileName } from './discover.js';
import { loadYaml } from './yaml/document.js';

export interface RepositorySettings {
  filter: JobFileFilter;
  diagnostics: Diagnostic[];
}

export function readRepositorySettings(text: string | undefined): RepositorySettings {
  const filter: JobFileFilter = { include: [], exclude: [] };
  if (text === undefined) return { filter, diagnostics: [] };
  const { documents, diagnostics } = loadYaml({ path: settingsFileName, text });
  const doc = documents[0];
  if (!doc || doc.value === null || doc.value === undefined) return { filter, diagnostics };
  if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    diagnostics.push(problem(doc.locate([]), '', 'expected a map of settings'));
    return { filter, diagnostics };
  }
  const settings = doc.value as Record<string, unknown>;
  for (const key of ['include', 'exclude'] as const) {
    const value = settings[key];
    if (value === undefined || value === null) continue;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || !list.every((g) => typeof g === 'string')) {
      diagnostics.push(problem(doc.locate([key]), key, 'expected a glob or a list of globs, such as "jobs/**"'));
      continue;
    }
    filter[key] = list;
  }
  return { filter, diagnostics };
}

function problem(pos: { line: number; col: number }, field: string, message: string): Diagnostic {
  return { severity: 'error', code: 'invalid-value', file: settingsFileName, line: pos.line, col: pos.col, field, message };
}
