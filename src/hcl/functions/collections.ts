// Collection functions (Nomad's collection/ pages; alltrue, anytrue and one from
// Terraform). Objects are read in lexical key order, as cty reads maps.
import { hasOwn } from '../../util/index.js';
import { EvalError, deepEqual, isObject, toBool, typeName } from '../value.js';
import type { Value, ValueObject } from '../value.js';
import type { FnSpec } from './args.js';
import { byUtf8, graphemes, int, list, num, obj, str, toSet, unifyPrimitives } from './args.js';

/** Results longer than this are refused: range() and setproduct() could otherwise build anything. */
const maxGenerated = 1024;

export const collectionFunctions: Record<string, FnSpec> = {
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
  // Nomad's coalesce() is cty's: the first argument that is not null ("" counts, unlike Terraform's).
  coalesce: {
    arity: [1, Infinity],
    fn: (args, at) => {
      const found = args.find((a) => a !== null);
      if (found === undefined) throw new EvalError('coalesce() found no argument that is not null', at);
      return found;
    },
  },
  coalescelist: {
    arity: [1, Infinity],
    fn: (args, at) => {
      const found = args.find((a) => a !== null && list(a, at).length > 0);
      if (found === undefined) throw new EvalError('coalescelist() found no list that is not empty', at);
      return found;
    },
  },
  compact: { arity: [1, 1], fn: ([l], at) => list(l!, at).filter((v) => v !== null && v !== '') },
  concat: { arity: [1, Infinity], fn: (args, at) => args.flatMap((a) => list(a, at)) },
  contains: { arity: [2, 2], fn: ([l, v], at) => list(l!, at).some((item) => deepEqual(item, v!)) },
  distinct: { arity: [1, 1], fn: ([l], at) => list(l!, at).filter((item, i, all) => all.findIndex((other) => deepEqual(other, item)) === i) },
  element: {
    arity: [2, 2],
    fn: ([l, i], at) => {
      const items = list(l!, at);
      if (items.length === 0) throw new EvalError('element() cannot pick from an empty list', at);
      return items[((int(i!, at) % items.length) + items.length) % items.length]!;
    },
  },
  flatten: { arity: [1, 1], fn: ([l], at) => flatten(list(l!, at)) },
  // Nomad's index() is cty's: the element at a list index or a map key (Terraform's finds a value's position).
  index: {
    arity: [2, 2],
    fn: ([collection, key], at) => {
      if (Array.isArray(collection)) {
        const i = num(key!, at);
        if (!Number.isInteger(i) || i < 0 || i >= collection.length) throw new EvalError(`index() has no element ${i}: the list has ${collection.length}`, at);
        return collection[i]!;
      }
      const map = obj(collection!, at);
      const name = str(key!, at);
      if (!hasOwn(map, name)) throw new EvalError(`index() found no key "${name}"`, at);
      return map[name]!;
    },
  },
  keys: { arity: [1, 1], fn: ([o], at) => Object.keys(obj(o!, at)).sort() },
  values: { arity: [1, 1], fn: ([o], at) => { const m = obj(o!, at); return Object.keys(m).sort().map((k) => m[k]!); } },
  length: {
    arity: [1, 1],
    fn: ([v], at) => {
      if (typeof v === 'string') return graphemes(v).length;
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
      const nums = args.map((a) => num(a, at));
      const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? (nums[0]! <= nums[1]! ? 1 : -1)];
      if (step === 0) throw new EvalError('range() step must not be 0', at);
      const out: number[] = [];
      for (let i = start; step > 0 ? i < end : i > end; i += step) {
        out.push(i);
        if (out.length > maxGenerated) throw new EvalError(`range() would make more than ${maxGenerated} numbers`, at);
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
  sort: { arity: [1, 1], fn: ([l], at) => list(l!, at).map((v) => str(v, at)).sort(byUtf8) },
  zipmap: {
    arity: [2, 2],
    fn: ([k, v], at) => {
      const keys = list(k!, at);
      const vals = list(v!, at);
      if (keys.length !== vals.length) throw new EvalError('zipmap() needs two lists of the same length', at);
      return Object.fromEntries(keys.map((key, i) => [str(key, at), vals[i]!])) as ValueObject;
    },
  },
  setunion: { arity: [1, Infinity], fn: (args, at) => toSet(args.flatMap((a) => list(a, at)), at) },
  setintersection: {
    arity: [1, Infinity],
    fn: ([first, ...rest], at) => {
      const others = rest.map((r) => toSet(list(r, at), at));
      return toSet(list(first!, at), at).filter((item) => others.every((set) => set.some((other) => deepEqual(other, item))));
    },
  },
  setproduct: {
    arity: [2, Infinity],
    fn: (args, at) => {
      // Each argument is read as a list of one type ("a" and 2 become "a" and "2"); lists keep their order.
      let product: Value[][] = [[]];
      for (const arg of args) {
        const items = unifyPrimitives(list(arg, at), at);
        product = product.flatMap((prefix) => items.map((item) => [...prefix, item]));
        if (product.length > maxGenerated) throw new EvalError(`setproduct() would make more than ${maxGenerated} combinations`, at);
      }
      return product;
    },
  },
};

function flatten(items: Value[]): Value[] {
  return items.flatMap((item) => (Array.isArray(item) ? flatten(item) : [item]));
}
