// Plain values read from YAML, shared by the Compose and Kubernetes renderers: what
// counts as a map, how a found value reads in a message, how a path is named.
import type { YamlPath } from './document.js';

export type PlainMap = Record<string, unknown>;

/**
 * A YAML mapping as `toJS` gives it. Tagged values (`!!binary`, `!!timestamp`,
 * `!!set`, `!!omap`) come back as other objects and are not maps.
 */
export function isPlainMap(value: unknown): value is PlainMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * How a found value reads in a message (`"many"`, `-1`, `a list`, `a map`), as the
 * Y of "expected X, got Y". Never walks into the value: it may be nested 10,000 deep.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (isPlainMap(value)) return 'a map';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Date) return 'a timestamp';
  if (value instanceof Set) return 'a set';
  if (value instanceof Map) return 'an ordered map';
  return 'a value that could not be read';
}

/** A path in the file's own terms: `['services', 'web', 'ports', 0]` → `services.web.ports[0]`. */
export function fieldName(path: YamlPath): string {
  // Joined once rather than appended step by step: every recorded field keeps its name,
  // and appending leaves a chain of partial strings behind each one.
  const parts: string[] = [];
  let written = 0;
  for (const step of path) {
    const part = typeof step === 'number' ? `[${step}]` : written > 0 ? `.${step}` : step;
    parts.push(part);
    written += part.length;
  }
  return parts.join('');
}

/**
 * Memory of `numerator / denominator` bytes in whole MiB (deckhand's `memoryMB`, as
 * Nomad's), rounded up so a limit is never tightened. Exact: no float rounding.
 */
export function mebibytesRoundedUp(numerator: bigint, denominator = 1n): number {
  const per = denominator * 1_048_576n;
  return Number((numerator + per - 1n) / per);
}
