// The HCL functions job files use (Nomad's HCL2 function library, minus anything
// that reads files, the clock or randomness: rendering is pure).
import type { CallExpr, Span } from './ast.js';
import { EvalError, deepEqual, formatNumber, isObject, toBool, toNumber, toText, typeName } from './value.js';
import type { Value, ValueObject } from './value.js';
import { checkSubject, safeRegExp } from './safe-regex.js';
import { hasOwn } from '../util/own.js';

type Fn = (args: Value[], at: Span, argSpans: Span[]) => Value;

interface FnSpec {
  /** Minimum and maximum argument counts (max Infinity for variadic). */
  arity: [number, number];
  fn: Fn;
}

const str = (v: Value, at: Span) => toText(v, at);
const list = (v: Value, at: Span, what = 'a list'): Value[] => {
  if (Array.isArray(v)) return v;
  throw new EvalError(`expected ${what}, got ${typeName(v)}`, at);
};
const obj = (v: Value, at: Span): ValueObject => {
  if (isObject(v)) return v;
  throw new EvalError(`expected an object or map, got ${typeName(v)}`, at);
};
const int = (v: Value, at: Span): number => {
  const n = toNumber(v, at);
  if (!Number.isInteger(n)) throw new EvalError(`expected a whole number, got ${n}`, at);
  return n;
};

const functions: Record<string, FnSpec> = {
  // numbers
  abs: { arity: [1, 1], fn: ([n], at) => Math.abs(toNumber(n!, at)) },
  ceil: { arity: [1, 1], fn: ([n], at) => Math.ceil(toNumber(n!, at)) },
  floor: { arity: [1, 1], fn: ([n], at) => Math.floor(toNumber(n!, at)) },
  max: { arity: [1, Infinity], fn: (args, at) => Math.max(...args.map((a) => toNumber(a, at))) },
  min: { arity: [1, Infinity], fn: (args, at) => Math.min(...args.map((a) => toNumber(a, at))) },
  pow: { arity: [2, 2], fn: ([a, b], at) => toNumber(a!, at) ** toNumber(b!, at) },
  signum: { arity: [1, 1], fn: ([n], at) => Math.sign(toNumber(n!, at)) },
  parseint: {
    arity: [2, 2],
    fn: ([s, base], at) => {
      const radix = int(base!, at);
      const text = str(s!, at);
      const parsed = parseInt(text, radix);
      if (Number.isNaN(parsed) || !new RegExp(`^-?[0-9a-z]+$`, 'i').test(text)) throw new EvalError(`"${text}" is not a number in base ${radix}`, at);
      return parsed;
    },
  },
  // strings
  chomp: { arity: [1, 1], fn: ([s], at) => str(s!, at).replace(/(\r?\n)+$/, '') },
  format: { arity: [1, Infinity], fn: ([f, ...rest], at) => formatString(str(f!, at), rest, at) },
  formatlist: {
    arity: [1, Infinity],
    fn: ([f, ...rest], at) => {
      const lengths = rest.filter(Array.isArray).map((l) => (l as Value[]).length);
      if (lengths.some((n) => n !== lengths[0])) throw new EvalError('formatlist() needs lists of the same length', at);
      const count = lengths[0] ?? 1;
      return Array.from({ length: count }, (_, i) => formatString(str(f!, at), rest.map((r) => (Array.isArray(r) ? r[i]! : r)), at));
    },
  },
  indent: {
    arity: [2, 2],
    fn: ([n, s], at) => str(s!, at).replace(/\n/g, `\n${' '.repeat(int(n!, at))}`),
  },
  join: {
    arity: [2, Infinity],
    fn: ([sep, ...lists], at) => lists.flatMap((l) => list(l, at)).map((v) => str(v, at)).join(str(sep!, at)),
  },
  lower: { arity: [1, 1], fn: ([s], at) => str(s!, at).toLowerCase() },
  upper: { arity: [1, 1], fn: ([s], at) => str(s!, at).toUpperCase() },
  title: { arity: [1, 1], fn: ([s], at) => str(s!, at).replace(/\b\p{L}/gu, (c) => c.toUpperCase()) },
  strrev: { arity: [1, 1], fn: ([s], at) => [...str(s!, at)].reverse().join('') },
  trim: {
    arity: [2, 2],
    fn: ([s, cut], at) => {
      const chars = new Set([...str(cut!, at)]);
      const text = [...str(s!, at)];
      let a = 0;
      let b = text.length;
      while (a < b && chars.has(text[a]!)) a++;
      while (b > a && chars.has(text[b - 1]!)) b--;
      return text.slice(a, b).join('');
    },
  },
  trimprefix: { arity: [2, 2], fn: ([s, p], at) => { const t = str(s!, at); const x = str(p!, at); return t.startsWith(x) ? t.slice(x.length) : t; } },
  trimsuffix: { arity: [2, 2], fn: ([s, p], at) => { const t = str(s!, at); const x = str(p!, at); return x && t.endsWith(x) ? t.slice(0, -x.length) : t; } },
  trimspace: { arity: [1, 1], fn: ([s], at) => str(s!, at).trim() },
  replace: {
    arity: [3, 3],
    fn: ([s, search, replacement], at) => {
      const text = str(s!, at);
      const find = str(search!, at);
      const repl = str(replacement!, at);
      const regex = /^\/(.*)\/$/s.exec(find);
      if (regex) return checkSubject(text, at).replace(safeRegExp(regex[1]!, 'g', at), repl.replace(/\$\{(\w+)\}/g, '$<$1>'));
      return find === '' ? text : text.split(find).join(repl);
    },
  },
  split: { arity: [2, 2], fn: ([sep, s], at) => str(s!, at).split(str(sep!, at)) },
  substr: {
    arity: [3, 3],
    fn: ([s, offset, length], at) => {
      const chars = [...str(s!, at)];
      let start = int(offset!, at);
      if (start < 0) start = Math.max(0, chars.length + start);
      const n = int(length!, at);
      return chars.slice(start, n < 0 ? undefined : start + n).join('');
    },
  },
  startswith: { arity: [2, 2], fn: ([s, p], at) => str(s!, at).startsWith(str(p!, at)) },
  endswith: { arity: [2, 2], fn: ([s, p], at) => str(s!, at).endsWith(str(p!, at)) },
  strcontains: { arity: [2, 2], fn: ([s, p], at) => str(s!, at).includes(str(p!, at)) },
  regex: {
    arity: [2, 2],
    fn: ([pattern, s], at) => {
      const match = safeRegExp(str(pattern!, at), '', at).exec(checkSubject(str(s!, at), at));
      if (!match) throw new EvalError('the regular expression does not match', at);
      if (match.groups) return { ...match.groups } as ValueObject;
      return match.length > 1 ? match.slice(1).map((m) => m ?? null) : match[0];
    },
  },
  // collections
  coalesce: {
    arity: [1, Infinity],
    fn: (args, at) => {
      const found = args.find((a) => a !== null && a !== '');
      if (found === undefined) throw new EvalError('coalesce() found no argument that is not null or empty', at);
      return found;
    },
  },
  coalescelist: { arity: [1, Infinity], fn: (args, at) => args.find((a) => list(a, at).length > 0) ?? [] },
  compact: { arity: [1, 1], fn: ([l], at) => list(l!, at).filter((v) => v !== null && v !== '') },
  concat: { arity: [1, Infinity], fn: (args, at) => args.flatMap((a) => list(a, at)) },
  contains: { arity: [2, 2], fn: ([l, v], at) => list(l!, at).some((item) => deepEqual(item, v!)) },
  distinct: {
    arity: [1, 1],
    fn: ([l], at) => list(l!, at).filter((item, i, all) => all.findIndex((other) => deepEqual(other, item)) === i),
  },
  element: {
    arity: [2, 2],
    fn: ([l, i], at) => {
      const items = list(l!, at);
      if (items.length === 0) throw new EvalError('element() cannot pick from an empty list', at);
      return items[((int(i!, at) % items.length) + items.length) % items.length]!;
    },
  },
  flatten: { arity: [1, 1], fn: ([l], at) => flatten(list(l!, at)) },
  index: {
    arity: [2, 2],
    fn: ([l, v], at) => {
      const found = list(l!, at).findIndex((item) => deepEqual(item, v!));
      if (found < 0) throw new EvalError('index() did not find the value in the list', at);
      return found;
    },
  },
  keys: { arity: [1, 1], fn: ([o], at) => Object.keys(obj(o!, at)).sort() },
  values: { arity: [1, 1], fn: ([o], at) => { const m = obj(o!, at); return Object.keys(m).sort().map((k) => m[k]!); } },
  length: {
    arity: [1, 1],
    fn: ([v], at) => {
      if (typeof v === 'string') return [...v].length;
      if (Array.isArray(v)) return v.length;
      if (isObject(v!)) return Object.keys(v).length;
      throw new EvalError(`length() needs a string, list or map, got ${typeName(v!)}`, at);
    },
  },
  lookup: {
    arity: [2, 3],
    fn: ([m, k, fallback], at) => {
      const map = obj(m!, at);
      const key = str(k!, at);
      if (hasOwn(map, key)) return map[key]!;
      if (fallback !== undefined) return fallback;
      throw new EvalError(`lookup() found no key "${key}" and has no default`, at);
    },
  },
  merge: {
    arity: [0, Infinity],
    fn: (args, at) => args.filter((a) => a !== null).reduce<ValueObject>((out, a) => ({ ...out, ...obj(a, at) }), {}),
  },
  one: {
    arity: [1, 1],
    fn: ([l], at) => {
      const items = list(l!, at);
      if (items.length > 1) throw new EvalError(`one() needs a list of at most one element, got ${items.length}`, at);
      return items[0] ?? null;
    },
  },
  range: {
    arity: [1, 3],
    fn: (args, at) => {
      const nums = args.map((a) => toNumber(a, at));
      const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? (nums[0]! <= nums[1]! ? 1 : -1)];
      if (step === 0) throw new EvalError('range() step must not be 0', at);
      const out: number[] = [];
      for (let i = start; step > 0 ? i < end : i > end; i += step) {
        out.push(i);
        if (out.length > 1024) throw new EvalError('range() would make more than 1024 numbers', at);
      }
      return out;
    },
  },
  reverse: { arity: [1, 1], fn: ([l], at) => [...list(l!, at)].reverse() },
  slice: {
    arity: [3, 3],
    fn: ([l, a, b], at) => {
      const items = list(l!, at);
      const start = int(a!, at);
      const end = int(b!, at);
      if (start < 0 || end > items.length || start > end) throw new EvalError(`slice() indexes ${start}..${end} are out of range for a list of ${items.length}`, at);
      return items.slice(start, end);
    },
  },
  sort: { arity: [1, 1], fn: ([l], at) => list(l!, at).map((v) => str(v, at)).sort() },
  sum: { arity: [1, 1], fn: ([l], at) => list(l!, at).reduce<number>((total, v) => total + toNumber(v, at), 0) },
  zipmap: {
    arity: [2, 2],
    fn: ([k, v], at) => {
      const keys = list(k!, at);
      const vals = list(v!, at);
      if (keys.length !== vals.length) throw new EvalError('zipmap() needs two lists of the same length', at);
      return Object.fromEntries(keys.map((key, i) => [str(key, at), vals[i]!])) as ValueObject;
    },
  },
  alltrue: { arity: [1, 1], fn: ([l], at) => list(l!, at).every((v) => toBool(v, at)) },
  anytrue: { arity: [1, 1], fn: ([l], at) => list(l!, at).some((v) => toBool(v, at)) },
  chunklist: {
    arity: [2, 2],
    fn: ([l, n], at) => {
      const items = list(l!, at);
      const size = int(n!, at);
      if (size < 0) throw new EvalError('chunklist() size must not be negative', at);
      if (size === 0) return [items];
      const out: Value[] = [];
      for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
      return out;
    },
  },
  setunion: { arity: [1, Infinity], fn: (args, at) => distinctValues(args.flatMap((a) => list(a, at))) },
  // encoding
  jsonencode: { arity: [1, 1], fn: ([v]) => JSON.stringify(v) },
  jsondecode: {
    arity: [1, 1],
    fn: ([s], at) => {
      try {
        return JSON.parse(str(s!, at)) as Value;
      } catch (error) {
        throw new EvalError(`jsondecode() got invalid JSON: ${(error as Error).message}`, at);
      }
    },
  },
  base64encode: { arity: [1, 1], fn: ([s], at) => Buffer.from(str(s!, at), 'utf8').toString('base64') },
  base64decode: { arity: [1, 1], fn: ([s], at) => Buffer.from(str(s!, at), 'base64').toString('utf8') },
  urlencode: { arity: [1, 1], fn: ([s], at) => encodeURIComponent(str(s!, at)) },
  // conversions
  tostring: { arity: [1, 1], fn: ([v], at) => (v === null ? null : str(v!, at)) },
  tonumber: { arity: [1, 1], fn: ([v], at) => (v === null ? null : toNumber(v!, at)) },
  tobool: { arity: [1, 1], fn: ([v], at) => (v === null ? null : toBool(v!, at)) },
  tolist: { arity: [1, 1], fn: ([v], at) => list(v!, at) },
  toset: { arity: [1, 1], fn: ([v], at) => distinctValues(list(v!, at)) },
  tomap: { arity: [1, 1], fn: ([v], at) => obj(v!, at) },
};

export const functionNames: ReadonlySet<string> = new Set(Object.keys(functions));

export function callFunction(name: string, args: Value[], call: CallExpr): Value {
  const spec = functions[name];
  if (!spec) {
    const why = ['file', 'fileexists', 'templatefile', 'timestamp', 'uuid', 'uuidv5'].includes(name)
      ? 'deckhand renders job files without reading other files or the clock'
      : undefined;
    throw new EvalError(`unknown function "${name}"`, call.span, why);
  }
  const [least, most] = spec.arity;
  if (args.length < least || args.length > most) {
    const expected = least === most ? `${least}` : most === Infinity ? `at least ${least}` : `${least} to ${most}`;
    throw new EvalError(`${name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${args.length}`, call.span);
  }
  return spec.fn(args, call.span, call.args.map((a) => a.span));
}

function flatten(items: Value[]): Value[] {
  return items.flatMap((item) => (Array.isArray(item) ? flatten(item) : [item]));
}

function distinctValues(items: Value[]): Value[] {
  return items.filter((item, i) => items.findIndex((other) => deepEqual(other, item)) === i);
}

/** Go's fmt verbs as HCL's format() knows them: %s %d %f %q %v %t %%, with width and precision. */
export function formatString(format: string, args: Value[], at: Span): string {
  let next = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_whole, flags: string, width?: string, precision?: string, verb?: string) => {
    if (verb === '%') return '%';
    if (Number(width ?? 0) > 1000 || Number(precision ?? 0) > 100) throw new EvalError('format() width is limited to 1000 and precision to 100', at);
    if (next >= args.length) throw new EvalError(`format() has more verbs than arguments (${args.length})`, at);
    const arg = args[next++]!;
    let text: string;
    switch (verb) {
      case 's':
      case 'v':
        text = typeof arg === 'object' && arg !== null ? JSON.stringify(arg) : toText(arg, at);
        break;
      case 'q':
        text = JSON.stringify(toText(arg, at));
        break;
      case 'd':
        text = Math.trunc(toNumber(arg, at)).toString();
        if (flags.includes('+') && !text.startsWith('-')) text = `+${text}`;
        break;
      case 'f':
      case 'F':
        text = toNumber(arg, at).toFixed(precision === undefined ? 6 : Number(precision));
        break;
      case 'e':
        text = toNumber(arg, at).toExponential(precision === undefined ? 6 : Number(precision));
        break;
      case 'g':
        text = formatNumber(toNumber(arg, at));
        break;
      case 't':
        text = toBool(arg, at) ? 'true' : 'false';
        break;
      case 'x':
      case 'X':
        text = Math.trunc(toNumber(arg, at)).toString(16);
        if (verb === 'X') text = text.toUpperCase();
        break;
      case 'o':
        text = Math.trunc(toNumber(arg, at)).toString(8);
        break;
      case 'b':
        text = Math.trunc(toNumber(arg, at)).toString(2);
        break;
      default:
        throw new EvalError(`format() does not know the verb %${verb}`, at);
    }
    if (precision !== undefined && (verb === 's' || verb === 'v')) text = text.slice(0, Number(precision));
    if (width !== undefined) {
      const pad = Number(width) - [...text].length;
      if (pad > 0) {
        if (flags.includes('-')) text = text + ' '.repeat(pad);
        else if (flags.includes('0') && /[dfFeg]/.test(verb!)) text = text.startsWith('-') ? `-${'0'.repeat(pad)}${text.slice(1)}` : '0'.repeat(pad) + text;
        else text = ' '.repeat(pad) + text;
      }
    }
    return text;
  });
}
