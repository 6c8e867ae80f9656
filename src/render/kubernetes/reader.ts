// Reads one YAML document of a Kubernetes manifest: typed values at paths, each
// problem reported as a Diagnostic at the value's own line and column, and the
// origin of every model field recorded so the shared validation can point back here.
import type { Diagnostic, Severity } from '../../model/index.js';
import { settingUse } from '../explain.js';
import type { SettingUse } from '../explain.js';
import { unknownKeyHint } from '../suggest.js';
import type { FieldMap, FieldOrigin } from '../types.js';
import type { YamlDocument, YamlPath } from '../yaml/document.js';
import { describeValue, fieldName, isPlainMap } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';

/** Kubernetes stores whole numbers as int32; larger values are rejected by the API server. */
export const int32Max = 2_147_483_647;

interface ReportOptions {
  code?: string;
  hint?: string;
  /** Point at the key (`replica:`) rather than its value. */
  part?: 'key' | 'value';
  /** The field named in the message; by default the path's own. */
  field?: string;
}

interface NumberRange {
  min: number;
  max?: number;
}

const numericText = /^[+-]?\d+(\.\d+)?$/;

export class ManifestReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly fields: FieldMap = new Map();
  /** Each key a decision table judged, for `validate --explain`. */
  readonly settings: SettingUse[] = [];

  constructor(
    readonly file: string,
    private readonly document: YamlDocument,
  ) {}

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** The value at a path; undefined when any step is missing. */
  value(path: YamlPath): unknown {
    let node: unknown = this.document.value;
    for (const step of path) {
      if (typeof step === 'number' && Array.isArray(node)) node = node[step];
      else if (typeof step === 'string' && isPlainMap(node) && Object.hasOwn(node, step)) node = node[step];
      else return undefined;
    }
    return node;
  }

  /** Kubernetes reads an explicit `null` as "not set", so both count as absent (the typed reads below test the same). */
  has(path: YamlPath): boolean {
    const value = this.value(path);
    return value !== undefined && value !== null;
  }

  report(severity: Severity, path: YamlPath, message: string, options: ReportOptions = {}): void {
    const pos = this.document.locate(path, options.part ?? 'value');
    this.diagnostics.push({
      severity,
      code: options.code ?? (severity === 'error' ? 'invalid-value' : 'unsupported'),
      file: this.file,
      line: pos.line,
      col: pos.col,
      field: options.field ?? fieldName(path),
      message,
      ...(options.hint ? { hint: options.hint } : {}),
    });
  }

  /** Records what deckhand does with the key at `path` (explain.ts). */
  use(path: YamlPath, use: SettingUse['use'], reason?: string): void {
    this.settings.push(settingUse(this.file, this.document.locate(path, 'key'), fieldName(path), use, reason));
  }

  error(path: YamlPath, message: string, options?: ReportOptions): void {
    this.report('error', path, message, options);
  }

  warning(path: YamlPath, message: string, options?: ReportOptions): void {
    this.report('warning', path, message, options);
  }

  /** "expected X, got Y" at the value. */
  expected(path: YamlPath, expectation: string, hint?: string): void {
    this.error(path, `expected ${expectation}, got ${describeValue(this.value(path))}`, hint ? { hint } : {});
  }

  missing(path: YamlPath, message: string): void {
    this.error(path, message, { code: 'missing-field' });
  }

  /**
   * Permission bits (`defaultMode`, an item's `mode`): `0644` is octal as Kubernetes'
   * YAML (1.1) reads it, a plain number is decimal (`420`).
   */
  fileMode(path: YamlPath): number | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) return undefined;
    const written = this.document.sourceText?.(path);
    const mode = typeof value === 'number' && written !== undefined && /^0[0-7]+$/.test(written) ? parseInt(written, 8) : value;
    if (typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777) return mode;
    this.expected(path, 'permission bits from 0 to 0777 (octal, such as 0644, or decimal, such as 420)');
    return undefined;
  }

  /** Where a path is, in the file's own terms. */
  origin(path: YamlPath, part: 'key' | 'value' = 'value'): FieldOrigin {
    return { field: fieldName(path), pos: this.document.locate(path, part) };
  }

  /** Records that a model path was set from this file path (its position, or its nearest parent's). */
  record(modelPath: string, path: YamlPath, part: 'key' | 'value' = 'value'): void {
    this.fields.set(modelPath, this.origin(path, part));
  }

  /** Records the first of the paths present in the file, so a defaulted value points at its parent. */
  recordFirstPresent(modelPath: string, candidates: YamlPath[]): void {
    const path = candidates.find((p) => this.has(p)) ?? candidates[candidates.length - 1];
    if (path) this.record(modelPath, path);
  }

  /**
   * Refuses every key of the mapping at `path` that `known` does not hold, as the
   * API server's strict field validation does: a misspelt field must not run as if absent.
   */
  checkKeys(path: YamlPath, known: ReadonlySet<string>): void {
    const node = this.value(path);
    if (!isPlainMap(node)) return;
    for (const key of Object.keys(node)) {
      if (known.has(key)) continue;
      const hint = unknownKeyHint(key, known);
      this.error([...path, key], `unknown field ${JSON.stringify(key)}: Kubernetes has no such field here`, { code: 'unknown-field', part: 'key', ...(hint ? { hint } : {}) });
    }
  }

  mapping(path: YamlPath): PlainMap | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) return undefined;
    if (isPlainMap(value)) return value;
    this.expected(path, 'a map');
    return undefined;
  }

  list(path: YamlPath): unknown[] | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    this.expected(path, 'a list');
    return undefined;
  }

  string(path: YamlPath): string | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    const hint = typeof value === 'number' || typeof value === 'boolean' ? 'quote it: Kubernetes reads this field as text' : undefined;
    this.expected(path, 'a string', hint);
    return undefined;
  }

  boolean(path: YamlPath): boolean | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    this.expected(path, 'true or false');
    return undefined;
  }

  /** A whole number in range; numeric strings are refused, as the API server refuses them. */
  wholeNumber(path: YamlPath, range: NumberRange): number | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) return undefined;
    const max = range.max ?? int32Max;
    if (typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= max) return value;
    const expectation = range.max === undefined ? `a whole number of at least ${range.min}` : `a whole number from ${range.min} to ${range.max}`;
    if (typeof value === 'number' && Number.isInteger(value) && value > max && range.max === undefined) {
      this.expected(path, `a whole number of at most ${max}`);
    } else if (typeof value === 'string' && numericText.test(value.trim())) {
      this.expected(path, expectation, 'remove the quotes: Kubernetes reads this field as a number');
    } else {
      this.expected(path, expectation);
    }
    return undefined;
  }

  /** A list of strings (`command`, `args`); undefined when absent or wrong. */
  stringList(path: YamlPath): string[] | undefined {
    const value = this.value(path);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      // The common slip is `command: "npm start"`: say how to write it.
      const hint = typeof value === 'string' ? `write each word as an item of a list, e.g. ${JSON.stringify(value.trim().split(/\s+/).slice(0, 4))}` : undefined;
      this.expected(path, 'a list of strings', hint);
      return undefined;
    }
    const out: string[] = [];
    value.forEach((_, i) => {
      const item = this.string([...path, i]);
      if (item !== undefined) out.push(item);
      else if (!this.has([...path, i])) this.expected([...path, i], 'a string');
    });
    return out.length === value.length ? out : undefined;
  }

  /** A mapping of strings to strings (`labels`), built so a `__proto__` key stays an ordinary key. */
  stringMap(path: YamlPath): Record<string, string> | undefined {
    const node = this.mapping(path);
    if (!node) return undefined;
    const entries: [string, string][] = [];
    for (const key of Object.keys(node)) {
      const value = this.string([...path, key]);
      if (value !== undefined) entries.push([key, value]);
      else if (!this.has([...path, key])) entries.push([key, '']);
    }
    return Object.fromEntries(entries);
  }
}
