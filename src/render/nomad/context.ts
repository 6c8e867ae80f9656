// What the Nomad mapping carries while it walks one file: the source, the
// evaluator, and the diagnostics found so far.
import type { Diagnostic, Position, Severity } from '../../model/index.js';
import { settingUse } from '../explain.js';
import type { SettingUse } from '../explain.js';
import { LineIndex } from '../line-index.js';
import type { FieldMap } from '../types.js';
import type { Evaluator, Span } from '../../hcl/index.js';

export class NomadContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly fields: FieldMap = new Map();
  /** Each key the schema judged, for `validate --explain`. */
  readonly settings: SettingUse[] = [];
  private readonly lines: LineIndex;

  constructor(
    readonly file: string,
    readonly src: string,
    public evaluator: Evaluator,
  ) {
    this.lines = new LineIndex(src);
  }

  position(offset: number): Position {
    return this.lines.position(offset);
  }

  report(severity: Severity, code: string, span: Span, field: string, message: string, hint?: string): void {
    const { line, col } = this.position(span.start);
    this.diagnostics.push({ severity, code, file: this.file, line, col, field, message, ...(hint ? { hint } : {}) });
  }

  /** Records what deckhand does with the key at `span` (explain.ts). */
  use(span: Span, field: string, use: SettingUse['use'], reason?: string): void {
    this.settings.push(settingUse(this.file, this.position(span.start), field, use, reason));
  }

  error(span: Span, field: string, message: string, hint?: string): void {
    this.report('error', 'invalid-value', span, field, message, hint);
  }

  /** Remembers where a model field came from (validate.ts points its errors there). */
  origin(modelPath: string, span: Span, field: string): void {
    this.fields.set(modelPath, { field, pos: this.position(span.start) });
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}
