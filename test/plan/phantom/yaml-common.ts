// What both YAML reformatters do the same way, with the yaml package's Document
// API: other key orders, comments and blank lines, flow or block collections,
// other quoting, anchors and aliases, and another indentation when printed.
import { Alias, Pair, Scalar, YAMLMap, YAMLSeq, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node, ToStringOptions } from 'yaml';
import type { Choices } from './choices.js';
import { respellDuration } from './durations.js';

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlStyleOptions {
  /** Keys of every map in another order (and list items where their order means nothing). */
  reorder: boolean;
  /** Comments and blank lines. */
  comments: boolean;
  /** Flow or block collections, quoting, indentation. */
  layout: boolean;
  /** Anchors and aliases for repeated values. */
  anchors: boolean;
}

/** The value of a map's key, or undefined. */
export function get(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return (pair?.value ?? undefined) as Node | undefined;
}

export function hasKey(map: unknown, key: string): boolean {
  return isMap(map) && map.items.some((p) => isScalar(p.key) && p.key.value === key);
}

export function set(map: YAMLMap, key: string, value: Node): void {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair) pair.value = value;
  else map.items.push(new Pair(new Scalar(key), value));
}

/** The node at a path of map keys, or undefined. */
export function at(node: unknown, path: readonly string[]): Node | undefined {
  let current: unknown = node;
  for (const key of path) current = get(current, key);
  return current as Node | undefined;
}

/** A map at `path` under `root`, created (empty) when `create` and absent. */
export function mapAt(root: YAMLMap, path: readonly string[], create: boolean): YAMLMap | undefined {
  let current: YAMLMap = root;
  for (const key of path) {
    const next = get(current, key);
    if (isMap(next)) {
      current = next;
      continue;
    }
    if (next !== undefined || !create) return undefined;
    const made = new YAMLMap();
    set(current, key, made);
    current = made;
  }
  return current;
}

export function scalar(value: unknown): Scalar {
  return new Scalar(value);
}

/** Writes a duration scalar another way (`10s` → `10000ms`); numbers are left as they are. */
export function respellDurationNode(node: Node | undefined, choices: Choices): void {
  if (!isScalar(node) || typeof node.value !== 'string') return;
  const spelling = respellDuration(node.value, choices, { bareNanoseconds: false, bareZero: true });
  if (!spelling || !choices.chance(2)) return;
  node.value = spelling.kind === 'number' ? Number(spelling.text) : spelling.text;
}

/** A whole number written as a quoted string, or a numeric string as a number. */
export function toggleNumberText(node: Node | undefined, choices: Choices): void {
  if (!isScalar(node) || !choices.chance()) return;
  if (typeof node.value === 'number' && Number.isFinite(node.value)) {
    node.value = String(node.value);
    node.type = choices.one([Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE]);
  } else if (typeof node.value === 'string' && /^\d+(\.\d+)?$/.test(node.value)) {
    node.value = Number(node.value);
    node.type = Scalar.PLAIN;
  }
}

// ---- order ----

/** Shuffles every map's keys, and the items of lists `shuffleList` allows. */
export function shuffle(node: unknown, path: YamlPath, choices: Choices, shuffleList: (path: YamlPath) => boolean): void {
  if (isMap(node)) {
    node.items = choices.shuffle(node.items);
    for (const pair of node.items) shuffle(pair.value, [...path, String(isScalar(pair.key) ? pair.key.value : '?')], choices, shuffleList);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => shuffle(item, [...path, i], choices, shuffleList));
    if (shuffleList(path)) node.items = choices.shuffle(node.items);
  }
}

// ---- anchors ----

/** Every node in document (print) order, with whether it is a map key. */
function nodesInOrder(node: unknown, out: Array<{ node: Node; key: boolean }> = [], key = false): Array<{ node: Node; key: boolean }> {
  if (isAlias(node)) return out;
  if (isMap(node)) {
    out.push({ node, key });
    for (const pair of node.items) {
      nodesInOrder(pair.key, out, true);
      nodesInOrder(pair.value, out);
    }
  } else if (isSeq(node)) {
    out.push({ node, key });
    for (const item of node.items) nodesInOrder(item, out);
  } else if (isScalar(node)) {
    out.push({ node, key });
  }
  return out;
}

/**
 * Gives a repeated scalar value an anchor where it first appears and replaces
 * later copies by aliases. Run it after the last reordering: an alias must come
 * after its anchor.
 */
export function aliasRepeatedScalars(doc: Document, choices: Choices, prefix: string, keep: ReadonlySet<Node> = new Set()): void {
  const seen = new Map<string, Scalar>();
  let count = 0;
  const replaceIn = (parent: unknown, from: Node, to: Alias) => {
    if (isMap(parent)) for (const pair of parent.items) if (pair.value === from) pair.value = to;
    if (isSeq(parent)) parent.items = parent.items.map((item) => (item === from ? to : item));
  };
  const parents = new Map<Node, unknown>();
  const index = (node: unknown) => {
    if (isMap(node)) for (const pair of node.items) {
      if (pair.value) parents.set(pair.value as Node, node);
      index(pair.value);
    }
    if (isSeq(node)) for (const item of node.items) {
      parents.set(item as Node, node);
      index(item);
    }
  };
  index(doc.contents);
  for (const { node, key } of nodesInOrder(doc.contents)) {
    if (key || keep.has(node) || !isScalar(node) || node.value === null || typeof node.value === 'object') continue;
    const id = `${typeof node.value}:${String(node.value)}`;
    const first = seen.get(id);
    if (!first) {
      seen.set(id, node);
      continue;
    }
    if (!choices.chance()) continue;
    first.anchor ??= `${prefix}${++count}`;
    replaceIn(parents.get(node), node, new Alias(first.anchor));
  }
}

// ---- comments, blank lines, flow, quoting ----

const commentWords = ['note', 'replicas: 99', 'key: value', '- item', '{', '}', '"quoted"', '&anchor', '*alias', '---', 'é ünïcödé', '', '#', 'TODO: tidy'];

export function decorate(doc: Document, choices: Choices, options: YamlStyleOptions): void {
  const comment = () => ` ${choices.one(commentWords)}`;
  if (options.comments && choices.chance(3)) doc.commentBefore = [doc.commentBefore, comment().trimStart()].filter((c) => c != null).join('\n');
  if (options.comments && choices.chance(3)) doc.comment = comment();
  const visit = (node: unknown, inFlow: boolean) => {
    if (isMap(node) || isSeq(node)) {
      // An empty collection in block style, or with a comment, prints as invalid YAML with indentSeq: false (yaml 2.9).
      const empty = node.items.length === 0;
      const flow = inFlow || empty || (options.layout && choices.chance(6));
      if (options.layout) node.flow = flow;
      if (options.comments && !flow && !empty && choices.chance(5)) node.comment = comment();
      const items = isMap(node) ? node.items : node.items;
      for (const item of items) {
        if (isPair(item)) {
          if (isScalar(item.key)) {
            if (options.comments && !flow && choices.chance(4)) item.key.commentBefore = comment();
            if (options.layout && !flow && choices.chance(5)) item.key.spaceBefore = true;
            if (options.layout && choices.chance(4)) item.key.type = choices.one([Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE, Scalar.PLAIN]);
          }
          visit(item.value, flow);
        } else {
          if (isScalar(item) || isMap(item) || isSeq(item)) {
            const emptyItem = (isMap(item) || isSeq(item)) && item.items.length === 0;
            if (options.comments && !flow && !emptyItem && choices.chance(5)) item.commentBefore = comment();
            if (options.layout && !flow && choices.chance(6)) item.spaceBefore = true;
          }
          visit(item, flow);
        }
      }
    } else if (isScalar(node)) {
      if (options.comments && !inFlow && choices.chance(5)) node.comment = comment();
      if (options.layout && typeof node.value === 'string' && choices.chance(3)) {
        const styles: Scalar.Type[] = [Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE, Scalar.PLAIN];
        // Not for an empty string: yaml 2.9 prints a following comment as its content.
        if (!inFlow && /^\S(.*\S)?$/.test(node.value)) styles.push(Scalar.BLOCK_LITERAL);
        node.type = choices.one(styles);
        // An explicit `!!str` tag says what the quotes say.
        if (choices.chance(4)) node.tag = 'tag:yaml.org,2002:str';
      }
    }
  };
  visit(doc.contents, false);
}

export function printOptions(choices: Choices, layout: boolean): ToStringOptions {
  if (!layout) return {};
  return {
    indent: choices.one([2, 4, 3, 1]),
    indentSeq: choices.one([true, false]),
    flowCollectionPadding: choices.one([true, false]),
    nullStr: choices.one(['null', '~', '']),
    lineWidth: choices.one([80, 0, 40]),
  };
}

/** Line ends as CRLF, sometimes. */
export function lineEnds(text: string, choices: Choices, layout: boolean): string {
  return layout && choices.chance(6) ? text.replace(/\n/g, '\r\n') : text;
}

export { isMap, isScalar, isSeq, YAMLMap, YAMLSeq, Pair, Scalar };
