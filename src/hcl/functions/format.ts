// format() and formatlist()'s specification, as cty's format reads it: Go's fmt
// verbs with flags, width, precision and `[n]` argument indexes.
import type { Span } from '../ast.js';
import { EvalError, toBool, toNumber, toText, typeName } from '../value.js';
import type { Value } from '../value.js';
import { graphemes } from './args.js';
import { goJson } from './json.js';

const verbPattern = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?(?:\[(\d+)\])?([a-zA-Z%])?/g;

export function formatString(format: string, args: Value[], at: Span): string {
  let next = 0;
  return format.replace(verbPattern, (raw, flags: string, width?: string, precision?: string, index?: string, verb?: string) => {
    if (raw === '%%') return '%';
    if (verb === undefined || verb === '%') throw new EvalError(`format() has an incomplete verb "${raw}"`, at);
    if (Number(width ?? 0) > 1000 || Number(precision ?? 0) > 100) throw new EvalError('format() width is limited to 1000 and precision to 100', at);
    if (index !== undefined) next = Number(index) - 1;
    if (next < 0 || next >= args.length) throw new EvalError(`format() has no argument ${next + 1} for "${raw}": it was given ${args.length}`, at);
    const arg = args[next++]!;
    if (arg === null && verb !== 'v') throw new EvalError(`format() cannot format null with "${raw}"`, at);
    const spec = { flags, width: width === undefined ? undefined : Number(width), precision: precision === undefined ? undefined : Number(precision || 0) };
    return pad(formatValue(verb, arg, spec, raw, at), spec, /[dbBoxXeEfFgG]/.test(verb));
  });
}

interface Spec {
  flags: string;
  width: number | undefined;
  precision: number | undefined;
}

function formatValue(verb: string, arg: Value, spec: Spec, raw: string, at: Span): string {
  switch (verb) {
    case 'v':
      if (!spec.flags.includes('#') && typeof arg === 'string') return arg;
      if (!spec.flags.includes('#') && typeof arg === 'number') return (arg < 0 ? '-' : '') + floatText(Math.abs(arg), 'g', undefined);
      return goJson(arg);
    case 't':
      return toBool(arg, at) ? 'true' : 'false';
    case 's':
    case 'q': {
      if (typeof arg === 'object') throw new EvalError(`format() cannot use ${typeName(arg)} with "${raw}"`, at);
      let text = toText(arg, at);
      if (spec.precision !== undefined && spec.precision > 0) text = graphemes(text).slice(0, spec.precision).join('');
      return verb === 'q' ? JSON.stringify(text) : text;
    }
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const n = toNumber(arg, at);
      if (!Number.isInteger(n)) throw new EvalError(`format() needs a whole number for "${raw}", got ${n}`, at);
      const digits = Math.abs(n).toString({ d: 10, b: 2, o: 8, x: 16, X: 16 }[verb]);
      return sign(n, spec) + (verb === 'X' ? digits.toUpperCase() : digits);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      const n = toNumber(arg, at);
      const text = floatText(Math.abs(n), verb.toLowerCase(), spec.precision);
      return sign(n, spec) + (verb === 'E' || verb === 'G' ? text.toUpperCase() : text);
    }
    default:
      throw new EvalError(`format() does not know the verb "%${verb}"`, at);
  }
}

function sign(n: number, spec: Spec): string {
  if (n < 0 || Object.is(n, -0)) return '-';
  if (spec.flags.includes('+')) return '+';
  return spec.flags.includes(' ') ? ' ' : '';
}

/** Go's %e and %f (precision 6 unless given), and %g: the shortest digits, in %e form for exponents below -4 or from 6 (or the precision) up. */
function floatText(n: number, verb: string, precision: number | undefined): string {
  if (verb === 'f') return n.toFixed(precision ?? 6);
  if (verb === 'e') return goExponent(n.toExponential(precision ?? 6));
  const [mantissa, exponentText] = (precision === undefined ? n.toExponential() : n.toExponential(Math.max(precision, 1) - 1)).split('e') as [string, string];
  const digits = mantissa.replace('.', '').replace(/(.)0+$/, '$1');
  const exponent = Number(exponentText);
  let limit = precision === undefined ? 6 : Math.max(precision, 1);
  if (precision !== undefined && limit > digits.length && digits.length >= exponent + 1) limit = digits.length;
  if (exponent < -4 || exponent >= limit) return goExponent(`${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`);
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return fraction ? `${whole.slice(0, exponent + 1)}.${fraction}` : whole.slice(0, exponent + 1);
}

/** Go writes at least two exponent digits: 1e+06. */
function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  const missing = (spec.width ?? 0) - graphemes(text).length;
  if (missing <= 0) return text;
  if (spec.flags.includes('-')) return text + ' '.repeat(missing);
  if (numeric && spec.flags.includes('0')) {
    const signed = /^[-+ ]/.test(text);
    return signed ? text[0] + '0'.repeat(missing) + text.slice(1) : '0'.repeat(missing) + text;
  }
  return ' '.repeat(missing) + text;
}
