// YAML for the Compose and Kubernetes renderers: plain values to map, plus a way to
// find the line and column of any path afterwards, so errors point into the file.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { Diagnostic, Position } from '../../model/diagnostic.js';
import type { SourceFile } from '../types.js';

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlDocument {
  /** The document as plain values, anchors and merge keys resolved. */
  value: unknown;
  /** Position of a path's value (or key), or of its nearest existing parent. */
  locate(path: YamlPath, part?: 'key' | 'value'): Position;
}

export interface YamlLoadResult {
  documents: YamlDocument[];
  diagnostics: Diagnostic[];
}

/** Anchors may be reused this often in one document: more is a resource-exhaustion attack ("billion laughs"). */
const maxAliasCount = 100;

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
    parsed = parseAllDocuments(file.text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false }) as Document.Parsed[];
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
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount });
    } catch (error) {
      const message = describe(error);
      const reason = /alias/i.test(message)
        ? `too many alias expansions (more than ${maxAliasCount}): the file expands like a "billion laughs" attack`
        : message;
      diagnostics.push(syntaxError(toPosition(doc.range[0]), reason));
      continue;
    }
    const anchors = new AnchorIndex(doc);
    documents.push({
      value,
      locate: (path, part = 'value') => toPosition(locateOffset(doc, anchors, path, part)),
    });
  }
  return { documents, diagnostics };
}

function locateOffset(doc: Document.Parsed, anchors: AnchorIndex, path: YamlPath, part: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let best = doc.contents?.range?.[0] ?? doc.range[0];
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    node = anchors.resolve(node);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = findPair(anchors, node.items as Pair[], String(step), 0);
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
function findPair(anchors: AnchorIndex, items: Pair[], key: string, depth: number): Pair | undefined {
  if (depth > 20) return undefined;
  const own = items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  if (own) return own;
  for (const pair of items) {
    if (!isMergeKey(pair.key)) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = anchors.resolve(source);
      if (isMap(target)) {
        const found = findPair(anchors, target.items as Pair[], key, depth + 1);
        if (found) return found;
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

/**
 * Resolves aliases to their anchored nodes. The yaml library's own `Alias.resolve`
 * walks the whole document on every call; an index built once keeps locating cheap.
 */
class AnchorIndex {
  private anchored: Array<{ name: string; offset: number; node: Node }> | null = null;

  constructor(private readonly doc: Document.Parsed) {}

  resolve(node: unknown): unknown {
    let current = node;
    for (let hops = 0; hops < 20 && isAlias(current); hops++) {
      const alias = current;
      const at = alias.range?.[0] ?? Infinity;
      // The anchor is the last one of that name defined before the alias.
      const found = this.all().filter((a) => a.name === alias.source && a.offset < at).pop();
      if (!found) return undefined;
      current = found.node;
    }
    return current;
  }

  private all(): Array<{ name: string; offset: number; node: Node }> {
    if (this.anchored) return this.anchored;
    const anchored: Array<{ name: string; offset: number; node: Node }> = [];
    visit(this.doc, {
      Node: (_key, node) => {
        if (!isAlias(node) && node.anchor) anchored.push({ name: node.anchor, offset: node.range?.[0] ?? 0, node });
      },
    });
    this.anchored = anchored;
    return anchored;
  }
}

function rangeStart(node: unknown): number | undefined {
  if (isPair(node)) return rangeStart(node.key);
  return (node as Node | null)?.range?.[0];
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function describe(error: unknown): string {
  if (error instanceof RangeError) return 'nesting is too deep';
  return error instanceof Error ? error.message : String(error);
}
