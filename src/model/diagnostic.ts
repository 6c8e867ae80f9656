// Errors are values with a code, a place and a hint (DESIGN.md principle 7), e.g.
//   jobs/web.nomad:12:5: update.canary: must be between 0 and count (10), got 12

export type Severity = 'error' | 'warning' | 'notice';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  col: number;
}

export interface Diagnostic {
  severity: Severity;
  /** A stable machine-readable kind, e.g. `syntax`, `invalid-value`, `unknown-field`. */
  code: string;
  file: string;
  line: number;
  col: number;
  /** The field in the job file's own terms, e.g. `group.web.update.canary`; empty when none applies. */
  field: string;
  message: string;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  // Line 0: a place without lines (the command line, the environment).
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const level = d.severity === 'error' ? '' : `${d.severity}: `;
  const field = d.field ? `${d.field}: ` : '';
  const hint = d.hint ? ` (${d.hint})` : '';
  return `${where}: ${level}${field}${d.message}${hint}`;
}

export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

/** Sorts diagnostics by file, then position, so output is stable; a diagnostic reported twice shows once. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const unique = new Map(list.map((d) => [`${d.severity} ${formatDiagnostic(d)}`, d]));
  return [...unique.values()].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}

export function diagnostic(severity: Severity, code: string, file: string, pos: Position, field: string, message: string, hint?: string): Diagnostic {
  return { severity, code, file, line: pos.line, col: pos.col, field, message, ...(hint ? { hint } : {}) };
}
