// Typed reads of plain YAML values. Each reader reports a wrong value at its
// position, saying what was expected and what it got, and returns undefined so
// the caller keeps the format's default (and shared validation does not report it twice).
import { parseDuration } from '../../util/index.js';
import { unknownKeyHint } from '../suggest.js';
import { describeValue, isPlainMap } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';
import type { Path, Reporter } from './report.js';

/** Stands in for a value whose interpolation failed: already reported, read as absent. */
export const unreadable: unique symbol = Symbol('unreadable');

function absent(value: unknown): value is undefined | typeof unreadable {
  return value === undefined || value === unreadable;
}

/** A map, or null read as an empty map (`update_config:` with nothing under it). */
export function readMap(r: Reporter, path: Path, value: unknown): PlainMap | undefined {
  if (absent(value)) return undefined;
  if (value === null) return {};
  if (isPlainMap(value)) return value;
  r.error(path, `expected a map, got ${describeValue(value)}`);
  return undefined;
}

export function readString(r: Reporter, path: Path, value: unknown): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value === 'string') return value;
  r.error(path, `expected a string, got ${describeValue(value)}`);
  return undefined;
}

/** Environment and label values: Compose turns numbers and booleans into strings. */
export function readScalarText(r: Reporter, path: Path, value: unknown): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  r.error(path, `expected a string, number or boolean, got ${describeValue(value)}`);
  return undefined;
}

const wholeNumberText = /^\s*\+?\d+\s*$/;
const numberText = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** A whole number, also written as a string (interpolated values are strings). */
export function readWholeNumber(r: Reporter, path: Path, value: unknown, min = 0): number | undefined {
  if (absent(value)) return undefined;
  const number = typeof value === 'string' && wholeNumberText.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= min) return number;
  r.error(path, `expected a whole number of at least ${min}, got ${describeValue(value)}`);
  return undefined;
}

export function readNumber(r: Reporter, path: Path, value: unknown, range: { min: number; max?: number }): number | undefined {
  if (absent(value)) return undefined;
  const number = typeof value === 'string' && numberText.test(value) ? Number(value) : value;
  const max = range.max ?? Infinity;
  if (typeof number === 'number' && Number.isFinite(number) && number >= range.min && number <= max) return number;
  const expected = range.max === undefined ? `a number of at least ${range.min}` : `a number between ${range.min} and ${range.max}`;
  r.error(path, `expected ${expected}, got ${describeValue(value)}`);
  return undefined;
}

export function readBoolean(r: Reporter, path: Path, value: unknown): boolean | undefined {
  if (absent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  r.error(path, `expected true or false, got ${describeValue(value)}`);
  return undefined;
}

/** A Go-style duration (`10s`, `1m30s`) in milliseconds; a bare 0 is accepted too. */
export function readDuration(r: Reporter, path: Path, value: unknown): number | undefined {
  if (absent(value)) return undefined;
  const ms = typeof value === 'string' ? parseDuration(value) : value === 0 ? 0 : null;
  if (ms !== null && ms >= 0) return ms;
  const found = ms !== null && ms < 0 ? `a negative duration ${describeValue(value)}` : describeValue(value);
  r.error(path, `expected a duration such as "10s" or "1m30s", got ${found}`);
  return undefined;
}

export function readEnum<T extends string>(r: Reporter, path: Path, value: unknown, allowed: readonly T[]): T | undefined {
  if (absent(value)) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  r.error(path, `expected ${quotedList(allowed)}, got ${describeValue(value)}`, hintFor(value, allowed));
  return undefined;
}

function hintFor(value: unknown, allowed: readonly string[]): { hint?: string } {
  if (typeof value !== 'string') return {};
  const hint = unknownKeyHint(value, allowed);
  return hint ? { hint } : {};
}

/** `"a", "b" or "c"`. */
function quotedList(items: readonly string[]): string {
  const quoted = items.map((item) => `"${item}"`);
  if (quoted.length < 2) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/**
 * Refuses keys Compose does not define, at the key, with a did-you-mean, as
 * `docker compose config` refuses them ("additional property ... not allowed"):
 * a misspelt field must not run as if it were absent. `x-` keys are the Compose
 * spec's extension fields and are always allowed.
 */
export function refuseUnknownKeys(r: Reporter, path: Path, map: PlainMap, known: ReadonlySet<string>): void {
  for (const key of Object.keys(map)) {
    if (known.has(key) || key.startsWith('x-')) continue;
    const listed = known.size <= 10 ? `; expected one of ${[...known].join(', ')}` : '';
    const hint = unknownKeyHint(key, known);
    r.error([...path, key], `unknown field "${key}": Compose has no such field here${listed}`, {
      code: 'unknown-field',
      part: 'key',
      ...(hint ? { hint } : {}),
    });
  }
}
