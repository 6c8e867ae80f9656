// Env files as Compose reads them (`.env` beside the compose file, and `env_file`):
// `KEY=VALUE` lines, `#` comments, blank lines, an optional `export ` prefix,
// 'single quotes' taken literally, "double quotes" with backslash escapes that may
// span lines, unquoted values trimmed and cut at ` #`. A bare `KEY` takes its value
// from the environment. Unquoted and double-quoted values are interpolated.
import { setPlainKey } from '../../util/index.js';
import { interpolate } from './interpolate.js';
import type { Lookup } from './interpolate.js';

interface EnvFileProblem {
  severity: 'error' | 'warning';
  line: number;
  col: number;
  message: string;
  variable?: string;
}

interface ParsedEnvFile {
  values: Record<string, string>;
  problems: EnvFileProblem[];
}

/** Compose's `format: raw`: `KEY=VALUE` taken as written, no quotes, no interpolation. */
export type EnvFileFormat = 'dotenv' | 'raw';

const keyChar = /[A-Za-z0-9_.[\]-]/;
const exportPrefix = /export[ \t]+/y;

export function parseEnvFile(text: string, lookup: Lookup, format: EnvFileFormat = 'dotenv'): ParsedEnvFile {
  return format === 'raw' ? parseRaw(text, lookup) : new DotenvParser(text, lookup).parse();
}

function parseRaw(text: string, lookup: Lookup): ParsedEnvFile {
  const values: Record<string, string> = {};
  for (const rawLine of stripBom(text).split(/\r?\n/)) {
    const line = rawLine.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals < 0) {
      const inherited = lookup(line.trim());
      if (inherited !== undefined) setPlainKey(values, line.trim(), inherited);
    } else {
      setPlainKey(values, line.slice(0, equals).trim(), line.slice(equals + 1));
    }
  }
  return { values, problems: [] };
}

function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

class DotenvParser {
  private readonly text: string;
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private readonly values: Record<string, string> = {};
  private readonly problems: EnvFileProblem[] = [];

  constructor(
    text: string,
    private readonly environment: Lookup,
  ) {
    this.text = stripBom(text).replace(/\r\n/g, '\n');
  }

  parse(): ParsedEnvFile {
    while (this.i < this.text.length) this.entry();
    return { values: this.values, problems: this.problems };
  }

  private get col(): number {
    return this.i - this.lineStart + 1;
  }

  private peek(): string | undefined {
    return this.text[this.i];
  }

  private skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }

  /** Moves past the end of the current line. */
  private nextLine(): void {
    const end = this.text.indexOf('\n', this.i);
    this.i = end < 0 ? this.text.length : end;
    this.newline();
  }

  private newline(): void {
    if (this.peek() !== '\n') return;
    this.i++;
    this.line++;
    this.lineStart = this.i;
  }

  private fail(message: string, line = this.line, col = this.col): void {
    this.problems.push({ severity: 'error', line, col, message });
  }

  private entry(): void {
    this.skipBlanks();
    const first = this.peek();
    if (first === '\n' || first === undefined) return this.newline();
    if (first === '#') return this.nextLine();
    exportPrefix.lastIndex = this.i;
    if (exportPrefix.test(this.text)) this.i = exportPrefix.lastIndex;

    const keyStart = this.i;
    while (this.i < this.text.length && keyChar.test(this.text[this.i]!)) this.i++;
    const key = this.text.slice(keyStart, this.i);
    this.skipBlanks();
    const after = this.peek();
    if (key !== '' && (after === undefined || after === '\n' || after === '#')) {
      // A bare KEY: the value comes from the environment, and the key is left out when unset.
      const inherited = this.environment(key);
      if (inherited !== undefined) setPlainKey(this.values, key, inherited);
      return this.nextLine();
    }
    if (key === '' || after !== '=') {
      const lineEnd = this.text.indexOf('\n', this.i);
      const lineText = this.text.slice(this.lineStart, lineEnd < 0 ? undefined : lineEnd).trim();
      this.fail(`expected KEY=VALUE with a key of letters, digits, "_", "." or "-", got ${JSON.stringify(lineText)}`);
      return this.nextLine();
    }
    this.i++;
    this.skipBlanks();
    const value = this.value();
    if (value !== undefined) setPlainKey(this.values, key, value);
  }

  private value(): string | undefined {
    const quote = this.peek();
    if (quote === "'" || quote === '"') return this.quoted(quote);
    const start = { line: this.line, col: this.col };
    const end = this.text.indexOf('\n', this.i);
    let raw = this.text.slice(this.i, end < 0 ? undefined : end);
    const comment = /[ \t]#/.exec(raw);
    if (comment) raw = raw.slice(0, comment.index);
    raw = raw.trimEnd();
    this.nextLine();
    return this.expand(raw, start, true);
  }

  private quoted(quote: string): string | undefined {
    const start = { line: this.line, col: this.col };
    this.i++;
    let raw = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.fail(`unterminated ${quote === '"' ? 'double' : 'single'} quote: expected a closing ${quote}`, start.line, start.col);
        return undefined;
      }
      if (c === quote) break;
      if (c === '\\' && quote === '"' && this.i + 1 < this.text.length) {
        raw += c + this.text[this.i + 1];
        this.i += 2;
        if (raw.endsWith('\n')) this.countLine();
        continue;
      }
      raw += c;
      this.i++;
      if (c === '\n') this.countLine();
    }
    this.i++;
    this.skipBlanks();
    const rest = this.peek();
    if (rest !== undefined && rest !== '\n' && rest !== '#') {
      this.fail(`unexpected text after the closing ${quote}: expected the end of the line or a # comment`);
    }
    this.nextLine();
    return quote === "'" ? raw : this.expand(unescapeDoubleQuoted(raw), start, false);
  }

  private countLine(): void {
    this.line++;
    this.lineStart = this.i;
  }

  /** Interpolates a value: the environment first, then keys defined earlier in this file (as compose-go). */
  private expand(raw: string, start: { line: number; col: number }, exact: boolean): string | undefined {
    if (!raw.includes('$')) return raw;
    const lookup: Lookup = (name) => this.environment(name) ?? (Object.hasOwn(this.values, name) ? this.values[name] : undefined);
    const result = interpolate(raw, lookup);
    for (const problem of result.problems) {
      const col = exact ? start.col + problem.index : start.col;
      this.problems.push({ severity: problem.severity, line: start.line, col, message: problem.message, ...(problem.variable ? { variable: problem.variable } : {}) });
    }
    return result.value;
  }
}

const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'", $: '$$' };

/** Backslash escapes of a double-quoted value; `\$` becomes `$$` so interpolation leaves a literal `$`. */
function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\(.)/gs, (match, c: string) => escapes[c] ?? match);
}
