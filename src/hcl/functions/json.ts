// JSON text as Nomad's functions write it (jsonencode, format's %v and %#v).
import { formatNumber, isObject } from '../value.js';
import type { Value } from '../value.js';

/**
 * JSON as Go writes it for cty: object keys in lexical order, and `<`, `>`, `&`,
 * U+2028 and U+2029 escaped (Go's HTML-safe encoding), so the text is Nomad's byte for byte.
 */
export function goJson(value: Value): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${goJson(k)}:${goJson(value[k]!)}`).join(',')}}`;
  throw new Error('jsonencode() of a value known only later');
}
