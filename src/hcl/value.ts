// Values of evaluated HCL expressions, and the conversions HCL applies between them.
import type { Span } from './ast.js';
import { hasOwn } from '../util/index.js';

export type Value = string | number | boolean | null | Value[] | ValueObject | Unknown;
export interface ValueObject {
  [key: string]: Value;
}

/**
 * A value known only later, read from a name the caller defers (for Nomad, at
 * placement: `${NOMAD_PORT_http}`, `${attr.kernel.name}`): it flows through
 * expressions untouched and is written back as the source text that produced it.
 */
export const unknown = Symbol('known at placement');
export type Unknown = typeof unknown;

export class EvalError extends Error {
  constructor(
    message: string,
    readonly span: Span,
    readonly hint?: string,
    /** Already reported elsewhere (a variable without a value): stay silent, but stop evaluating. */
    readonly silent = false,
    /**
     * A name that does not exist (a variable, a root's attribute, a function): HCL finds
     * these before evaluating, so try() and can() do not hide them.
     */
    readonly reference = false,
  ) {
    super(message);
    this.name = 'EvalError';
  }
}

export function isObject(value: Value): value is ValueObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function typeName(value: Value): string {
  if (value === unknown) return 'a value known only at placement';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  return 'a bool';
}

/** HCL's string form of a primitive, as a template shows it. */
export function toText(value: Value, span: Span): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) throw new EvalError('a null value cannot be turned into a string', span);
  throw new EvalError(`cannot use ${typeName(value)} where a string is expected`, span);
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  return String(value);
}

/** Numbers, and strings that hold a number, as HCL converts them. */
export function toNumber(value: Value, span: Span): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  throw new EvalError(`expected a number, got ${typeName(value)}${typeof value === 'string' ? ` "${value}"` : ''}`, span);
}

export function toBool(value: Value, span: Span): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new EvalError(`expected a bool (true or false), got ${typeName(value)}`, span);
}

export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]!));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => hasOwn(b, k) && deepEqual(a[k]!, b[k]!));
  }
  return false;
}

export function containsUnknown(value: Value): boolean {
  if (value === unknown) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}
