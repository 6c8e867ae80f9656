// Reading function arguments as the types HashiCorp's functions declare (cty's
// conversions), and the shapes collections take when a function asks for a set.
import type { Span } from '../ast.js';
import { setPlainKey } from '../../util/index.js';
import { EvalError, deepEqual, isObject, toNumber, toText, typeName } from '../value.js';
import type { Value, ValueObject } from '../value.js';

/** What every function gets: its arguments (unknowns already ruled out) and the call's span. */
export type Fn = (args: Value[], at: Span) => Value;

export interface FnSpec {
  /** Minimum and maximum argument counts (max Infinity for variadic). */
  arity: [number, number];
  fn: Fn;
}

export const str = (v: Value, at: Span): string => toText(v, at);
export const num = (v: Value, at: Span): number => toNumber(v, at);

export function list(v: Value, at: Span, what = 'a list'): Value[] {
  if (Array.isArray(v)) return v;
  throw new EvalError(`expected ${what}, got ${typeName(v)}`, at);
}

export function obj(v: Value, at: Span): ValueObject {
  if (isObject(v)) return v;
  throw new EvalError(`expected an object or map, got ${typeName(v)}`, at);
}

export function int(v: Value, at: Span): number {
  const n = toNumber(v, at);
  if (!Number.isInteger(n)) throw new EvalError(`expected a whole number, got ${n}`, at);
  return n;
}

const graphemeSegmenter = new Intl.Segmenter();

/** A string's characters as a reader counts them (grapheme clusters: `🕹️` is one), as cty does. */
export function graphemes(text: string): string[] {
  // ASCII has one grapheme per code unit, except CR LF; most job strings take this path.
  if (/^[\x20-\x7e]*$/.test(text)) return text.split('');
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

/**
 * A list of mixed primitives converted to their common type, as cty does when a
 * tuple becomes a list, set or map: numbers and bools among strings become strings.
 */
export function unifyPrimitives(values: Value[], at: Span): Value[] {
  const kinds = new Set(values.filter((v) => v !== null).map((v) => (Array.isArray(v) ? 'list' : typeof v)));
  if (kinds.size < 2 || !kinds.has('string')) return values;
  if ([...kinds].some((kind) => kind !== 'string' && kind !== 'number' && kind !== 'boolean')) return values;
  return values.map((v) => (v === null ? null : toText(v, at)));
}

/** A map's values converted to their common type (see unifyPrimitives). */
export function unifyMap(map: ValueObject, at: Span): ValueObject {
  const keys = Object.keys(map);
  const values = unifyPrimitives(keys.map((k) => map[k]!), at);
  const out: ValueObject = {};
  keys.forEach((k, i) => setPlainKey(out, k, values[i]!));
  return out;
}

/**
 * A set as cty keeps one: no duplicates, and iterated in its order — strings
 * lexically (by UTF-8 bytes), numbers by value, false before true, null last;
 * other values have no defined order and keep the order they came in.
 */
export function toSet(values: Value[], at: Span): Value[] {
  const unique = unifyPrimitives(values, at).filter((item, i, all) => all.findIndex((other) => deepEqual(other, item)) === i);
  const kinds = new Set(unique.filter((v) => v !== null).map((v) => typeof v));
  if (kinds.size !== 1 || !['string', 'number', 'boolean'].includes([...kinds][0]!)) return unique;
  const known = unique.filter((v) => v !== null) as Array<string | number | boolean>;
  const nulls = unique.filter((v) => v === null);
  const order = typeof known[0] === 'string' ? byUtf8 : (a: number, b: number) => a - b;
  return [...known.sort(order as (a: unknown, b: unknown) => number), ...nulls];
}

/** Go's string order: by UTF-8 bytes (JavaScript's own sorts by UTF-16 code units). */
export function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
