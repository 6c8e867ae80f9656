// YAML for the Compose and Kubernetes renderers: plain values to map, plus a way to
// find the line and column of any path afterwards, so errors point into the file.
import { LineCounter, isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { Diagnostic, Position } from '../../model/index.js';
import type { SourceFile } from '../types.js';

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlDocument {
  /** The document as plain values, anchors and merge keys resolved. */
  value: unknown;
  /** Position of a path's value (or key), or of its nearest existing parent. */
  locate(path: YamlPath, part?: 'key' | 'value'): Position;
  /** A plain scalar as written in the file (`0644`, which YAML 1.2 reads as the decimal 644). */
  sourceText?(path: YamlPath): string | undefined;
}

interface YamlLoadResult {
  documents: YamlDocument[];
  diagnostics: Diagnostic[];
}

/**
 * How often anchors may be used in one document (the yaml library counts each use
 * times the aliases nested in the anchored value). Thousands of services sharing
 * `environment: *env` stay below it; a "billion laughs" file (aliases of aliases,
 * ninefold per level) passes it within five levels.
 */
const maxAliasCount = 10_000;

/**
 * How many values a document may hold once its aliases are expanded: about twice
 * what a 1 MiB file holds without any. Checked before the alias count, because that
 * count alone does not bound the work: 10,000 uses of one anchor of 50,000 keys
 * would build 500 million values.
 */
const maxExpandedValues = 1_000_000;

/** Reads a file's YAML documents with the `yaml` library: anything YAML allows, and its errors. */
export function loadYaml(file: SourceFile): YamlLoadResult {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const toPosition = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  const syntaxError = (pos: Position, message: string): Diagnostic => ({
    severity: 'error',
    code: 'syntax',
    file: file.path,
    line: pos.line,
    col: pos.col,
    field: '',
    message,
  });

  let parsed: Document.Parsed[];
  try {
    // Duplicate keys are found by duplicateKeys() below: the library's own check is quadratic in a map's size.
    parsed = parseAllDocuments(file.text, { lineCounter, merge: true, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
  } catch (error) {
    return { documents: [], diagnostics: [syntaxError({ line: 1, col: 1 }, `YAML could not be read: ${describe(error)}`)] };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];

  const documents: YamlDocument[] = [];
  for (const doc of parsed) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const message = /call stack/i.test(error.message) ? 'nesting is too deep' : firstLine(error.message);
        diagnostics.push(syntaxError(toPosition(error.pos[0]), message));
      }
      continue;
    }
    const duplicates = duplicateKeys(doc);
    if (duplicates.length > 0) {
      for (const { offset, key, firstOffset } of duplicates) {
        diagnostics.push(syntaxError(toPosition(offset), `map keys must be unique: "${key}" is already set on line ${toPosition(firstOffset).line}`));
      }
      continue;
    }
    const index = new NodeIndex(doc);
    let value: unknown;
    try {
      // Counted before toJS expands anything, which could exhaust memory on its own.
      if (expandedSize(doc.contents, index, maxExpandedValues) > maxExpandedValues) {
        const message = `aliases expand the document to more than ${maxExpandedValues} values: the file expands like a "billion laughs" attack`;
        diagnostics.push(syntaxError(toPosition(doc.range[0]), message));
        continue;
      }
      value = doc.toJS({ maxAliasCount });
    } catch (error) {
      const message = describe(error);
      const reason = /excessive alias count/i.test(message)
        ? `too many alias expansions (more than ${maxAliasCount}): the file expands like a "billion laughs" attack`
        : message;
      diagnostics.push(syntaxError(toPosition(doc.range[0]), reason));
      continue;
    }
    documents.push({
      value,
      locate: (path, part = 'value') => toPosition(locateOffset(doc, index, path, part)),
      sourceText: (path) => /^[^\s#,\]}]+/.exec(file.text.slice(locateOffset(doc, index, path, 'value')))?.[0],
    });
  }
  return { documents, diagnostics };
}

/**
 * The number of values (scalars, collections, pairs) under `root` with every alias
 * expanded, as toJS would build them; anything above `limit` counts as `limit + 1`.
 * Each node is counted once, so this stays linear in the size of the file.
 */
function expandedSize(root: unknown, index: NodeIndex, limit: number): number {
  const sizes = new Map<unknown, number>();
  const size = (node: unknown): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    // An alias inside its own anchor refers to a value still being built: count it once.
    sizes.set(node, 1);
    let total = 1;
    if (isAlias(node)) total = size(index.resolve(node));
    else if (isPair(node)) total = size(node.key) + size(node.value);
    else if (isCollection(node)) {
      for (const item of node.items) {
        total += size(item);
        if (total > limit) break;
      }
    }
    total = Math.min(total, limit + 1);
    sizes.set(node, total);
    return total;
  };
  return size(root);
}

function locateOffset(doc: Document.Parsed, index: NodeIndex, path: YamlPath, part: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let best = doc.contents?.range?.[0] ?? doc.range[0];
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    node = index.resolve(node);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = findPair(index, node.items as Pair[], String(step), 0);
      if (!pair) return best;
      const keyOffset = rangeStart(pair.key) ?? best;
      if (last && part === 'key') return keyOffset;
      best = rangeStart(pair.value) ?? keyOffset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      if (item === undefined) return best;
      best = rangeStart(item) ?? best;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}

/** Finds a key in a map, looking through `<<` merge keys as YAML's merge does. */
function findPair(index: NodeIndex, items: Pair[], key: string, depth: number): Pair | undefined {
  if (depth > 20) return undefined;
  const { own, merges } = index.keys(items);
  const found = own.get(key);
  if (found) return found;
  for (const pair of merges) {
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = index.resolve(source);
      if (isMap(target)) {
        const merged = findPair(index, target.items as Pair[], key, depth + 1);
        if (merged) return merged;
      }
    }
  }
  return undefined;
}

/** With `merge: true` the yaml library reads `<<` as a symbol; without, as the string. */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  return key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<') || key.source === '<<';
}

interface Anchored {
  offset: number;
  node: Node;
}

interface MapKeys {
  /** Each plain key's first pair. */
  own: Map<string, Pair>;
  /** `<<` pairs, in order. */
  merges: Pair[];
}

/**
 * Indexes built once per document, so locating stays cheap in a file with
 * thousands of keys or aliases: each lookup would otherwise scan a whole map, and
 * the yaml library's own `Alias.resolve` walks the whole document on every call.
 */
class NodeIndex {
  private anchors: Map<string, Anchored[]> | null = null;
  private readonly mapKeys = new WeakMap<Pair[], MapKeys>();

  constructor(private readonly doc: Document.Parsed) {}

  /** Follows aliases to their anchored nodes. */
  resolve(node: unknown): unknown {
    let current = node;
    for (let hops = 0; hops < 20 && isAlias(current); hops++) {
      const alias = current;
      const at = alias.range?.[0] ?? Infinity;
      const found = lastBefore(this.anchorsByName().get(alias.source) ?? [], at);
      if (!found) return undefined;
      current = found.node;
    }
    return current;
  }

  keys(items: Pair[]): MapKeys {
    let keys = this.mapKeys.get(items);
    if (keys) return keys;
    keys = { own: new Map(), merges: [] };
    for (const pair of items) {
      if (isMergeKey(pair.key)) keys.merges.push(pair);
      else if (isScalar(pair.key) && !keys.own.has(String(pair.key.value))) keys.own.set(String(pair.key.value), pair);
    }
    this.mapKeys.set(items, keys);
    return keys;
  }

  private anchorsByName(): Map<string, Anchored[]> {
    if (this.anchors) return this.anchors;
    const anchors = new Map<string, Anchored[]>();
    visit(this.doc, {
      Node: (_key, node) => {
        if (isAlias(node) || !node.anchor) return;
        const named = anchors.get(node.anchor) ?? [];
        named.push({ offset: node.range?.[0] ?? 0, node });
        anchors.set(node.anchor, named);
      },
    });
    for (const named of anchors.values()) named.sort((a, b) => a.offset - b.offset);
    this.anchors = anchors;
    return anchors;
  }
}

/** The anchor an alias at `offset` refers to: the last one of its name defined before it (`anchors` sorted by offset). */
function lastBefore(anchors: Anchored[], offset: number): Anchored | undefined {
  let low = 0;
  let high = anchors.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (anchors[middle]!.offset < offset) low = middle + 1;
    else high = middle;
  }
  return anchors[low - 1];
}

function rangeStart(node: unknown): number | undefined {
  if (isPair(node)) return rangeStart(node.key);
  return (node as Node | null)?.range?.[0];
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** An exception's message; a stack overflow (the parser's recursion on deep nesting) says why it happened. */
function describe(error: unknown): string {
  if (isStackOverflow(error)) return 'nesting is too deep';
  return error instanceof Error ? error.message : String(error);
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** Keys set twice in one map, in one pass over the document. */
function duplicateKeys(doc: Document.Parsed): Array<{ key: string; offset: number; firstOffset: number }> {
  const found: Array<{ key: string; offset: number; firstOffset: number }> = [];
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Map<string, number>();
      for (const pair of map.items as Pair[]) {
        if (!isScalar(pair.key) || isMergeKey(pair.key)) continue;
        const key = String(pair.key.value);
        const offset = pair.key.range?.[0] ?? 0;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, offset);
        else found.push({ key, offset, firstOffset: first });
      }
    },
  });
  return found;
}
