// What deckhand does with each source setting of a file (`deckhand validate --explain`):
// the three formats record every key their decision tables judge (Nomad's schema.ts,
// compose/field-decisions.ts, kubernetes/field-decisions.ts) as it is read, and the
// file's errors are what it refuses. Nothing here decides anything: a table does.
import type { Diagnostic, Position } from '../model/index.js';

/** A key of the source file and what deckhand does with it. */
export interface SettingUse {
  file: string;
  line: number;
  col: number;
  /** The field in the file's own terms, as diagnostics name it. */
  field: string;
  /** `carried-out`: mapped into the job; `no-effect`: valid, and changes nothing on one Docker engine, for `reason`. */
  use: 'carried-out' | 'no-effect';
  reason?: string;
}

export interface RefusedSetting {
  line: number;
  col: number;
  field: string;
  /** Why, as the error says it. */
  message: string;
  /** What to do instead, when the error says. */
  hint?: string;
}

/** One file's settings in the three lists `--explain` shows. */
export interface FileExplanation {
  carriedOut: Array<{ line: number; col: number; field: string }>;
  noEffect: Array<{ line: number; col: number; field: string; reason: string }>;
  refused: RefusedSetting[];
}

export function settingUse(file: string, pos: Position, field: string, use: SettingUse['use'], reason?: string): SettingUse {
  return { file, line: pos.line, col: pos.col, field, use, ...(reason !== undefined ? { reason } : {}) };
}

/**
 * Splits a file's settings: a key with an error at it or under it is refused (the
 * error says why), not carried out, even when the mapping reads the rest of it.
 */
export function explainFile(file: string, settings: readonly SettingUse[], diagnostics: readonly Diagnostic[]): FileExplanation {
  const errors = diagnostics.filter((d) => d.file === file && d.severity === 'error');
  const refusedAt = (field: string) => errors.some((d) => d.field === field || d.field.startsWith(`${field}.`) || d.field.startsWith(`${field}[`));
  const seen = new Set<string>();
  const out: FileExplanation = { carriedOut: [], noEffect: [], refused: [] };
  for (const s of [...settings].sort(byPlace)) {
    const key = `${s.line}:${s.col}:${s.field}`;
    if (s.file !== file || seen.has(key)) continue;
    seen.add(key);
    if (refusedAt(s.field)) continue;
    if (s.use === 'carried-out') out.carriedOut.push({ line: s.line, col: s.col, field: s.field });
    else out.noEffect.push({ line: s.line, col: s.col, field: s.field, reason: s.reason ?? '' });
  }
  out.refused = errors.sort(byPlace).map((d) => ({ line: d.line, col: d.col, field: d.field, message: d.message, ...(d.hint ? { hint: d.hint } : {}) }));
  return out;
}

const byPlace = (a: { line: number; col: number }, b: { line: number; col: number }) => a.line - b.line || a.col - b.col;
