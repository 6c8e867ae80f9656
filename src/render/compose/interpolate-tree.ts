// Interpolation of every string value in the file, before any value is typed, so
// `replicas: ${N:-2}` reads as 2. Keys are not interpolated (as in Compose), and
// `x-` extension fields are skipped: they hold anchors whose merged copies are
// interpolated where they are used.
import { setPlainKey } from '../../util/index.js';
import { isPlainMap } from '../yaml/values.js';
import { interpolate } from './interpolate.js';
import type { Lookup } from './interpolate.js';
import type { Reporter } from './report.js';
import { unreadable } from './values.js';

/** Deeper than any field deckhand reads; below it values are left as written. */
const maxDepth = 64;

export function interpolateTree(root: unknown, lookup: Lookup, r: Reporter): unknown {
  const warned = new Set<string>();
  // The path of the value being walked: one array, pushed and popped, copied only
  // for a diagnostic (a copy per value was most of the walk's time).
  const path: Array<string | number> = [];

  const walk = (value: unknown): unknown => {
    if (path.length > maxDepth) return value;
    if (typeof value === 'string') return interpolateValue(value);
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        path.push(i);
        const out = walk(item);
        path.pop();
        return out;
      });
    }
    if (isPlainMap(value)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (key.startsWith('x-')) {
          setPlainKey(out, key, value[key]);
          continue;
        }
        path.push(key);
        setPlainKey(out, key, walk(value[key]));
        path.pop();
      }
      return out;
    }
    return value;
  };

  const interpolateValue = (text: string): unknown => {
    if (!text.includes('$')) return text;
    const result = interpolate(text, lookup);
    for (const problem of result.problems) {
      const offset = { text, index: problem.index };
      if (problem.severity === 'error') {
        r.error([...path], problem.message, { code: 'interpolation', offset });
      } else if (problem.variable !== undefined && !warned.has(problem.variable)) {
        warned.add(problem.variable);
        r.warning([...path], problem.message, { code: 'unset-variable', offset });
      }
    }
    return result.value ?? unreadable;
  };

  return walk(root);
}
