// Interpolation of every string value in the file, before any value is typed, so
// `replicas: ${N:-2}` reads as 2. Keys are not interpolated (as in Compose), and
// `x-` extension fields are skipped: they hold anchors whose merged copies are
// interpolated where they are used.
import { setOwn } from '../../util/own.js';
import { isPlainMap } from '../yaml/values.js';
import { interpolate } from './interpolate.js';
import type { Lookup } from './interpolate.js';
import type { Path, Reporter } from './report.js';
import { unreadable } from './values.js';

/** Deeper than any field deckhand reads; below it values are left as written. */
const maxDepth = 64;

export function interpolateTree(root: unknown, lookup: Lookup, r: Reporter): unknown {
  const warned = new Set<string>();

  const walk = (value: unknown, path: Path): unknown => {
    if (path.length > maxDepth) return value;
    if (typeof value === 'string') return interpolateValue(value, path);
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (isPlainMap(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        setOwn(out, key, key.startsWith('x-') ? item : walk(item, [...path, key]));
      }
      return out;
    }
    return value;
  };

  const interpolateValue = (text: string, path: Path): unknown => {
    if (!text.includes('$')) return text;
    const result = interpolate(text, lookup);
    for (const problem of result.problems) {
      const offset = { text, index: problem.index };
      if (problem.severity === 'error') {
        r.error(path, problem.message, { code: 'interpolation', offset });
      } else if (problem.variable !== undefined && !warned.has(problem.variable)) {
        warned.add(problem.variable);
        r.warning(path, problem.message, { code: 'unset-variable', offset });
      }
    }
    return result.value ?? unreadable;
  };

  return walk(root, []);
}
