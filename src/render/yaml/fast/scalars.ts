// Scalar values for the fast YAML path, resolved exactly as the `yaml` library
// resolves them with its default YAML 1.2 core schema (yaml/dist/schema/core):
// the same patterns, tried in the same order, converted by the same functions.

/** Thrown where the fast path would have to guess: the caller falls back to the `yaml` library. */
export class OutsideFastSubset extends Error {}

const nullPattern = /^(?:~|[Nn]ull|NULL)?$/;
const boolPattern = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const octalPattern = /^0o[0-7]+$/;
const decimalPattern = /^[-+]?[0-9]+$/;
const hexPattern = /^0x[0-9a-fA-F]+$/;
const infinityOrNaNPattern = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const exponentPattern = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const floatPattern = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain (unquoted) scalar's value. */
export function plainScalarValue(source: string): unknown {
  // Most plain scalars are words: none of the patterns can match them.
  const first = source.charCodeAt(0);
  const maybeSpecial = source.length === 0 || first === 0x7e /* ~ */ || first === 0x2e /* . */ || first === 0x2b /* + */ || first === 0x2d /* - */ || (first >= 0x30 && first <= 0x39) || 'nNtTfF'.includes(source[0]!);
  if (!maybeSpecial) return source;
  if (nullPattern.test(source)) return null;
  if (boolPattern.test(source)) return source[0] === 't' || source[0] === 'T';
  if (octalPattern.test(source)) return parseInt(source.substring(2), 8);
  if (decimalPattern.test(source)) return parseInt(source, 10);
  if (hexPattern.test(source)) return parseInt(source.substring(2), 16);
  if (infinityOrNaNPattern.test(source)) {
    if (source.slice(-3).toLowerCase() === 'nan') return NaN;
    return source[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (exponentPattern.test(source) || floatPattern.test(source)) return parseFloat(source);
  return source;
}

/** The escapes of a double-quoted scalar (yaml/dist/compose/resolve-flow-scalar.js). */
const escapes: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

const hexDigits = /^[0-9a-fA-F]+$/;

/** The value of a one-line double-quoted scalar's content (between the quotes). */
export function doubleQuotedValue(content: string): string {
  if (!content.includes('\\')) return content;
  let out = '';
  for (let i = 0; i < content.length; i++) {
    const char = content[i]!;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = content[++i];
    if (next === undefined) throw new OutsideFastSubset('escape at the end of a line');
    const simple = escapes[next];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const length = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    const digits = content.substr(i + 1, length);
    if (length === 0 || digits.length !== length || !hexDigits.test(digits)) throw new OutsideFastSubset('invalid escape');
    const code = parseInt(digits, 16);
    if (code > 0x10ffff) throw new OutsideFastSubset('invalid escape');
    out += String.fromCodePoint(code);
    i += length;
  }
  return out;
}

/** The value of a one-line single-quoted scalar's content (between the quotes). */
export function singleQuotedValue(content: string): string {
  return content.includes("'") ? content.replace(/''/g, "'") : content;
}
