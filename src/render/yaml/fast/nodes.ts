// The light tree the fast YAML path builds: only what deckhand needs of a
// document — its values, and the offset of every key and value for positions.
// Offsets are those the `yaml` library gives its nodes (`range[0]`), so errors
// point at the same line and column whichever path read the file.
import { hasOwn } from '../../../util/own.js';
import { setPlainKey } from '../../../util/plain-object.js';
import type { YamlPath } from '../document.js';
import { OutsideFastSubset } from './scalars.js';

export type FastNode = FastScalar | FastMap | FastSeq | FastAlias;

export interface FastScalar {
  kind: 'scalar';
  offset: number;
  value: unknown;
}

export interface FastPair {
  key: string;
  keyOffset: number;
  value: FastNode;
  /** A `<<` merge rather than a key of its own. */
  merge: boolean;
}

export interface FastMap {
  kind: 'map';
  offset: number;
  /** Plain pairs and `<<` merges, in the order written: the order decides which key wins. Plain keys are unique. */
  pairs: FastPair[];
  /** Plain keys to their pairs, built for large maps only (small ones are searched). */
  index?: Map<string, FastPair>;
}

/** Maps up to this size are searched key by key: cheaper than building an index for each. */
const searchedMapSize = 12;

/** The plain (not merged) pair of `key`. */
export function ownPair(map: FastMap, key: string): FastPair | undefined {
  if (map.pairs.length <= searchedMapSize) {
    for (const pair of map.pairs) if (!pair.merge && pair.key === key) return pair;
    return undefined;
  }
  if (!map.index) {
    map.index = new Map();
    for (const pair of map.pairs) if (!pair.merge && !map.index.has(pair.key)) map.index.set(pair.key, pair);
  }
  return map.index.get(key);
}

/** Adds a pair; false when its key is already there (a duplicate). */
export function addPair(map: FastMap, pair: FastPair): boolean {
  if (!pair.merge && ownPair(map, pair.key)) return false;
  map.pairs.push(pair);
  if (!pair.merge) map.index?.set(pair.key, pair);
  return true;
}

export interface FastSeq {
  kind: 'seq';
  offset: number;
  items: FastNode[];
}

export interface FastAlias {
  kind: 'alias';
  offset: number;
  /** The anchored node; never an alias itself. */
  target: FastNode;
}

function resolve(node: FastNode): FastNode {
  return node.kind === 'alias' ? node.target : node;
}

/**
 * The document as plain values, as the library's `toJS()` builds them: maps are
 * plain objects (a `__proto__` key stays an own key), a `<<` merge copies the
 * keys its maps hold that are not set yet, an alias gives its anchor's value
 * (the same object each time, as the library's). The library defines a key that
 * is already there (`toString`, a merged key); assigning it gives the same own
 * property, and keeps the objects' properties fast.
 */
export function toPlain(root: FastNode): unknown {
  const aliased = new Map<FastNode, unknown>();

  const build = (node: FastNode): unknown => {
    switch (node.kind) {
      case 'scalar':
        return node.value;
      case 'alias': {
        if (!aliased.has(node.target)) aliased.set(node.target, build(node.target));
        return aliased.get(node.target);
      }
      case 'seq':
        return node.items.map(build);
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const pair of node.pairs) {
          if (!pair.merge) {
            setPlainKey(out, pair.key, build(pair.value));
            continue;
          }
          for (const source of mergeSources(pair.value)) {
            for (const [key, value] of entries(source)) if (!hasOwn(out, key)) setPlainKey(out, key, value);
          }
        }
        return out;
      }
    }
  };

  /** A merged map as the library reads it (into a Map): its own keys win over its own merges. */
  const entries = (map: FastMap): Map<string, unknown> => {
    const out = new Map<string, unknown>();
    for (const pair of map.pairs) {
      if (!pair.merge) {
        out.set(pair.key, build(pair.value));
        continue;
      }
      for (const source of mergeSources(pair.value)) {
        for (const [key, value] of entries(source)) if (!out.has(key)) out.set(key, value);
      }
    }
    return out;
  };

  return build(root);
}

/** The maps a `<<` value merges: a map, or a list of maps (each may be an alias). */
function mergeSources(value: FastNode): FastMap[] {
  const resolved = resolve(value);
  const sources = resolved.kind === 'seq' ? resolved.items.map(resolve) : [resolved];
  return sources.map((source) => {
    if (source.kind !== 'map') throw new OutsideFastSubset('merge sources must be maps');
    return source;
  });
}

/**
 * The offset of a path's value (or key), or of its nearest existing parent; the
 * same walk as document.ts's `locateOffset` over the library's nodes.
 */
export function locateFastOffset(root: FastNode, path: YamlPath, part: 'key' | 'value'): number {
  let node: FastNode = root;
  let best = root.offset;
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    node = resolve(node);
    if (node.kind === 'map') {
      const pair = findPair(node, String(step), 0);
      if (!pair) return best;
      if (i === path.length - 1 && part === 'key') return pair.keyOffset;
      best = pair.value.offset;
      node = pair.value;
    } else if (node.kind === 'seq' && typeof step === 'number') {
      const item = node.items[step];
      if (item === undefined) return best;
      best = item.offset;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}

/** A key of a map, looking through `<<` merges as document.ts's `findPair` does. */
function findPair(map: FastMap, key: string, depth: number): FastPair | undefined {
  if (depth > 20) return undefined;
  const found = ownPair(map, key);
  if (found) return found;
  for (const pair of map.pairs) {
    if (!pair.merge) continue;
    // As document.ts: a list is looked into, an alias to a list is not.
    const sources = pair.value.kind === 'seq' ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = resolve(source);
      if (target.kind !== 'map') continue;
      const merged = findPair(target, key, depth + 1);
      if (merged) return merged;
    }
  }
  return undefined;
}

/**
 * How many values the document holds with its aliases expanded, counted as
 * document.ts's `expandedSize` counts them (a pair counts its key and value).
 */
export function expandedSize(root: FastNode): number {
  const anchored = new Map<FastNode, number>();
  const size = (node: FastNode): number => {
    switch (node.kind) {
      case 'scalar':
        return 1;
      case 'alias': {
        let known = anchored.get(node.target);
        if (known === undefined) anchored.set(node.target, (known = size(node.target)));
        return known;
      }
      case 'seq': {
        let total = 1;
        for (const item of node.items) total += size(item);
        return total;
      }
      case 'map': {
        let total = 1;
        for (const pair of node.pairs) total += 1 + size(pair.value);
        return total;
      }
    }
  };
  return size(root);
}
