// Diagnostics for one compose file, placed with the YAML document's `locate` and
// named in the file's own terms (`services.web.deploy.replicas`).
import type { Diagnostic, Position, Severity } from '../../model/index.js';
import { settingUse } from '../explain.js';
import type { SettingUse } from '../explain.js';
import type { FieldOrigin } from '../types.js';
import type { YamlPath } from '../yaml/document.js';
import { fieldName } from '../yaml/values.js';

/** A path in the compose file: `['services', 'web', 'ports', 0]`. */
export type Path = YamlPath;

interface ReportOptions {
  hint?: string;
  code?: string;
  /** Point at the key instead of the value (unknown keys). */
  part?: 'key' | 'value';
  /** Characters into the value's text, when the value is written out plainly in the file. */
  offset?: { text: string; index: number };
  /** A fixed position instead of the path's (problems with the file as a whole). */
  at?: Position;
}

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  /** Each key a decision table judged, for `validate --explain`. */
  readonly settings: SettingUse[] = [];
  /** The file's lines, split when a diagnostic first needs them (most files have none). */
  private lines: string[] | undefined;

  constructor(
    readonly file: string,
    private readonly locator: (path: YamlPath, part?: 'key' | 'value') => Position,
    private readonly text: string,
  ) {}

  at(path: Path, part: 'key' | 'value' = 'value'): Position {
    return this.locator(path, part);
  }

  origin(path: Path, part: 'key' | 'value' = 'value'): FieldOrigin {
    return { field: fieldName(path), pos: this.at(path, part) };
  }

  /** The plain scalar at a path as written in the file (`0440`, which YAML 1.2 reads as decimal 440). */
  sourceText(path: Path): string | undefined {
    const pos = this.at(path);
    this.lines ??= this.text.split('\n');
    return /^[^\s#,\]}]+/.exec(this.lines[pos.line - 1]?.slice(pos.col - 1) ?? '')?.[0];
  }

  /** Records what deckhand does with the key at `path` (explain.ts). */
  use(path: Path, use: SettingUse['use'], reason?: string): void {
    this.settings.push(settingUse(this.file, this.at(path, 'key'), fieldName(path), use, reason));
  }

  error(path: Path, message: string, options: ReportOptions = {}): void {
    this.report('error', path, message, options);
  }

  warning(path: Path, message: string, options: ReportOptions = {}): void {
    this.report('warning', path, message, options);
  }

  notice(path: Path, message: string, options: ReportOptions = {}): void {
    this.report('notice', path, message, options);
  }

  /** A problem in another file the compose file reads (`.env`, an `env_file`). */
  inOtherFile(file: string, problem: { severity: Severity; line: number; col: number; message: string }, code: string): void {
    this.diagnostics.push({ severity: problem.severity, code, file, line: problem.line, col: problem.col, field: '', message: problem.message });
  }

  private report(severity: Severity, path: Path, message: string, options: ReportOptions): void {
    let pos = options.at ?? this.at(path, options.part ?? 'value');
    if (options.offset) pos = this.inside(pos, options.offset.text, options.offset.index);
    this.diagnostics.push({
      severity,
      code: options.code ?? (severity === 'error' ? 'invalid-value' : 'ignored-field'),
      file: this.file,
      line: pos.line,
      col: pos.col,
      field: fieldName(path),
      message,
      ...(options.hint ? { hint: options.hint } : {}),
    });
  }

  /**
   * The position of a character inside a scalar, when the file holds the text as
   * written (plain or simply quoted, on one line); otherwise the scalar's start,
   * since escapes, folding and merged anchors make the offset unreliable.
   */
  private inside(start: Position, text: string, index: number): Position {
    this.lines ??= this.text.split('\n');
    const line = this.lines[start.line - 1];
    if (line === undefined) return start;
    const raw = line.slice(start.col - 1);
    const before = text.slice(0, index + 1);
    if (raw.startsWith(before)) return { line: start.line, col: start.col + index };
    if ((raw.startsWith('"') || raw.startsWith("'")) && raw.slice(1).startsWith(before)) {
      return { line: start.line, col: start.col + 1 + index };
    }
    return start;
  }
}
