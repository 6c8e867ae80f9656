// A fast reader for the YAML that job files are written in: block maps and lists,
// one-line scalars and flow collections, comments, anchors, aliases and `<<`
// merges, several documents. The `yaml` library spends most of a render on its
// general machinery (a lexer, a CST, a document of nodes, then plain values);
// this reads such files in one pass over their lines.
//
// It never guesses: anything else (block scalars `|`, tags, multi-line scalars,
// tabs, CRLF, errors of any kind, duplicate keys, aliases inside anchors ...)
// throws OutsideFastSubset, and the caller reads the file with the library,
// which also reports the errors. Values and node offsets are exactly the
// library's; test/render/yaml/fast-path.test.ts holds the two side by side.
import type { FastMap, FastNode, FastSeq } from './nodes.js';
import { addPair } from './nodes.js';
import { OutsideFastSubset, doubleQuotedValue, plainScalarValue, singleQuotedValue } from './scalars.js';

export interface FastDocument {
  root: FastNode;
  /** Whether any alias is used: only then can the document expand. */
  hasAliases: boolean;
}

/** Characters the fast path leaves to the library: tabs, CR, other controls, BOM, Unicode line breaks. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const unusualCharacters = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;

/** More aliases than this in one document: the library, with its alias-count limit, decides. */
const maxAliases = 1000;

/** The library rejects implicit keys longer than 1024 characters. */
const maxKeyLength = 1000;

const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;

/** Documents of `text`; throws OutsideFastSubset when the text needs the library. */
export function parseFastYaml(text: string): FastDocument[] {
  if (unusualCharacters.test(text)) throw new OutsideFastSubset('unusual characters');
  return new FastYamlParser(text).documents();
}

/**
 * A map key as the library's plain objects hold it: `80:` is "80", `true:` is
 * "true". A null key becomes '' in a map but "null" in a merge: left to the library.
 */
function keyString(value: unknown): string {
  if (value === null) outside('a null key');
  return String(value);
}

function outside(why: string): never {
  throw new OutsideFastSubset(why);
}

class FastYamlParser {
  /** Start, end (at the newline) and indentation of every line holding more than a comment. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly indents: number[] = [];
  /** Lines that are `---` document markers (indent -1 ends every block). */
  private readonly markers: boolean[] = [];
  /** The current line. */
  private line = 0;

  private anchors = new Map<string, FastNode>();
  private readonly openAnchors = new Set<string>();
  private aliasCount = 0;

  constructor(private readonly text: string) {
    this.indexLines();
  }

  documents(): FastDocument[] {
    const docs: FastDocument[] = [];
    const count = this.starts.length;
    if (count > 0 && !this.markers[0]) docs.push(this.document());
    while (this.line < count) {
      const markerEnd = this.skipSpaces(this.starts[this.line]! + 3);
      this.line++;
      if (this.line >= count || this.markers[this.line]) docs.push({ root: { kind: 'scalar', offset: markerEnd, value: null }, hasAliases: false });
      else docs.push(this.document());
    }
    return docs;
  }

  private document(): FastDocument {
    this.anchors = new Map();
    this.aliasCount = 0;
    const root = this.blockNode(-1);
    if (this.line < this.starts.length && !this.markers[this.line]) outside('content after the document');
    return { root, hasAliases: this.aliasCount > 0 };
  }

  private indexLines(): void {
    const text = this.text;
    for (let start = 0; start <= text.length; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let content = start;
      while (content < end && text.charCodeAt(content) === SPACE) content++;
      const first = text.charCodeAt(content);
      if (content < end && first !== HASH) {
        const indent = content - start;
        const marker = indent === 0 && text.startsWith('---', start) && (end === start + 3 || text.charCodeAt(start + 3) === SPACE);
        if (marker && !this.atLineEnd(this.skipSpaces(start + 3), end)) outside('content after ---');
        if (indent === 0 && (text.startsWith('...', start) || first === 0x25 /* % directive */)) outside('document end or directive');
        this.starts.push(start);
        this.ends.push(end);
        this.indents.push(indent);
        this.markers.push(marker);
      }
      start = end + 1;
    }
  }

  /** The block node on the current line, indented more than `parentIndent`. */
  private blockNode(parentIndent: number): FastNode {
    const indent = this.indents[this.line]!;
    const at = this.starts[this.line]! + indent;
    if (this.isSeqEntry(at)) return this.blockSeq(indent);
    if (this.keyAt(at)) return this.blockMap(indent, at);
    const node = this.inlineValue(at);
    this.endLine(node.end, parentIndent);
    return node.node;
  }

  private blockMap(indent: number, first: number): FastMap {
    const map: FastMap = { kind: 'map', offset: first, pairs: [] };
    let at = first;
    for (;;) {
      const key = this.keyAt(at) ?? outside('expected a key');
      const valueAt = this.skipSpaces(key.end);
      const value = this.valueAfterIndicator(valueAt, indent, true);
      if (!addPair(map, { key: key.value, keyOffset: at, value, merge: key.merge })) outside('duplicate key');
      if (!this.continuesBlock(indent)) return map;
      at = this.starts[this.line]! + indent;
      if (this.isSeqEntry(at)) outside('a list entry among map keys');
    }
  }

  private blockSeq(indent: number): FastSeq {
    const seq: FastSeq = { kind: 'seq', offset: this.starts[this.line]! + indent, items: [] };
    for (;;) {
      const dash = this.starts[this.line]! + indent;
      seq.items.push(this.valueAfterIndicator(this.skipSpaces(dash + 1), indent, false));
      if (!this.continuesBlock(indent)) return seq;
      // A map's value may be a list at the map's own indentation: its end is where the map goes on.
      if (!this.isSeqEntry(this.starts[this.line]! + indent)) return seq;
    }
  }

  /** Whether the current line goes on with the block at `indent`; a line between the two is outside the subset. */
  private continuesBlock(indent: number): boolean {
    if (this.line >= this.starts.length || this.markers[this.line]) return false;
    const next = this.indents[this.line]!;
    if (next > indent) outside('unexpected indentation');
    return next === indent;
  }

  /**
   * The value after `key:` or `-` (at `at`, spaces skipped) of a block at `indent`:
   * on the same line, or the block below. Leaves the current line after the value.
   */
  private valueAfterIndicator(at: number, indent: number, inMap: boolean): FastNode {
    const lineStart = this.starts[this.line]!;
    const end = this.ends[this.line]!;
    let anchor: string | null = null;
    if (this.text.charCodeAt(at) === 0x26 /* & */) {
      const nameEnd = this.nameEnd(at + 1, end, false);
      anchor = this.text.slice(at + 1, nameEnd);
      at = this.skipSpaces(nameEnd);
      if (this.text[at] === '*') outside('an anchor on an alias');
      this.openAnchors.add(anchor);
    }
    const aliasesBefore = this.aliasCount;
    let node: FastNode;
    if (this.atLineEnd(at, end)) {
      node = this.valueBelow(at, indent, inMap);
    } else if (!inMap && anchor === null && this.keyAt(at)) {
      // `- name: web`: a map inside the list entry, indented to its first key.
      node = this.blockMap(at - lineStart, at);
    } else {
      const value = this.inlineValue(at);
      this.endLine(value.end, indent);
      node = value.node;
    }
    if (anchor !== null) {
      // An alias inside an anchor multiplies on expansion: the library's limits decide those files.
      if (this.aliasCount !== aliasesBefore) outside('an alias inside an anchor');
      this.openAnchors.delete(anchor);
      this.anchors.set(anchor, node);
    }
    return node;
  }

  /** The value of `key:` or `-` with nothing after it on its line: the block below, or null. */
  private valueBelow(emptyAt: number, indent: number, inMap: boolean): FastNode {
    const next = this.line + 1;
    const hasNext = next < this.starts.length && !this.markers[next];
    if (hasNext && this.indents[next]! > indent) {
      this.line = next;
      return this.blockNode(indent);
    }
    if (hasNext && inMap && this.indents[next] === indent && this.isSeqEntry(this.starts[next]! + indent)) {
      this.line = next;
      return this.blockSeq(indent);
    }
    this.line = next;
    return { kind: 'scalar', offset: emptyAt, value: null };
  }

  /** Ends a line after a one-line value: only a comment may follow, and no line may continue it. */
  private endLine(valueEnd: number, indent: number): void {
    if (!this.atLineEnd(this.skipSpaces(valueEnd), this.ends[this.line]!)) outside('more after a value');
    this.line++;
    if (this.line < this.starts.length && !this.markers[this.line] && this.indents[this.line]! > indent) outside('a value continued on the next line');
  }

  /** A one-line value: an alias, a quoted or plain scalar, or a flow collection. */
  private inlineValue(at: number): { node: FastNode; end: number } {
    const text = this.text;
    const end = this.ends[this.line]!;
    const char = text[at]!;
    if (char === '*') {
      const nameEnd = this.nameEnd(at + 1, end, false);
      return { node: this.alias(text.slice(at + 1, nameEnd), at), end: nameEnd };
    }
    if (char === '[' || char === '{') return this.flowCollection(at, end);
    if (char === '"' || char === "'") {
      const quoted = this.quoted(at, end);
      return { node: { kind: 'scalar', offset: at, value: quoted.value }, end: quoted.end };
    }
    const plainEnd = this.plainEnd(at, end);
    if (plainEnd.colon) outside('a key where a value belongs');
    return { node: { kind: 'scalar', offset: at, value: plainScalarValue(text.slice(at, plainEnd.end)) }, end: plainEnd.end };
  }

  private alias(name: string, at: number): FastNode {
    const target = this.openAnchors.has(name) ? undefined : this.anchors.get(name);
    if (target === undefined) outside('an alias to no anchor, or to its own');
    if (++this.aliasCount > maxAliases) outside('many aliases');
    return { kind: 'alias', offset: at, target };
  }

  /** A key at `at` followed by `:`, or null when the line holds no key there. */
  private keyAt(at: number): { value: string; merge: boolean; end: number } | null {
    const text = this.text;
    const end = this.ends[this.line]!;
    const char = text[at]!;
    let value: string;
    let afterKey: number;
    if (char === '"' || char === "'") {
      const quoted = this.quoted(at, end);
      const colon = this.skipSpaces(quoted.end);
      if (text.charCodeAt(colon) !== COLON) return null;
      if (colon + 1 < end && text.charCodeAt(colon + 1) !== SPACE) outside('a quoted key without a space after its colon');
      if (quoted.value === '<<') outside('a quoted merge key');
      value = quoted.value;
      afterKey = colon + 1;
    } else {
      if (!this.startsPlain(at, end)) return null;
      const plain = this.plainEnd(at, end);
      if (!plain.colon) return null;
      const source = text.slice(at, plain.end);
      if (source === '<<') return { value: source, merge: true, end: plain.colonAt + 1 };
      value = keyString(plainScalarValue(source));
      afterKey = plain.colonAt + 1;
    }
    if (afterKey - at > maxKeyLength) outside('a long key');
    return { value, merge: false, end: afterKey };
  }

  /** Where a plain scalar starting at `at` ends (spaces trimmed), and whether a `: ` stopped it. */
  private plainEnd(at: number, end: number): { end: number; colon: boolean; colonAt: number } {
    const text = this.text;
    if (!this.startsPlain(at, end)) outside('a value starting with an indicator');
    let i = at;
    let colon = false;
    for (; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) {
        colon = true;
        break;
      }
      if (code === HASH && text.charCodeAt(i - 1) === SPACE) break;
    }
    const colonAt = i;
    while (i > at && text.charCodeAt(i - 1) === SPACE) i--;
    return { end: i, colon, colonAt };
  }

  /** Whether a plain scalar may start at `at` (YAML's ns-plain-first, block context). */
  private startsPlain(at: number, end: number): boolean {
    const char = this.text[at];
    if (char === undefined || at >= end) return false;
    if (char === '-' || char === '?' || char === ':') return at + 1 < end && this.text.charCodeAt(at + 1) !== SPACE;
    return !',[]{}#&*!|>\'"%@`'.includes(char);
  }

  /** In a flow collection `-`, `?` and `:` start a plain scalar only before a character that is no flow indicator. */
  private startsPlainInFlow(at: number, end: number): boolean {
    if (!this.startsPlain(at, end)) return false;
    const char = this.text[at];
    return !((char === '-' || char === '?' || char === ':') && ',[]{}'.includes(this.text[at + 1]!));
  }

  /** A quoted scalar on one line; its value and where it ends (after the closing quote). */
  private quoted(at: number, end: number): { value: string; end: number } {
    const text = this.text;
    const quote = text[at];
    for (let i = at + 1; i < end; i++) {
      const char = text[i];
      if (quote === '"' && char === '\\') {
        i++;
        continue;
      }
      if (char !== quote) continue;
      if (quote === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      const content = text.slice(at + 1, i);
      return { value: quote === '"' ? doubleQuotedValue(content) : singleQuotedValue(content), end: i + 1 };
    }
    return outside('a quoted scalar over several lines');
  }

  /** `[a, "b", [c]]` or `{a: 1, b: [2]}` on one line. */
  private flowCollection(at: number, end: number): { node: FastNode; end: number } {
    const text = this.text;
    const isSeq = text[at] === '[';
    const close = isSeq ? ']' : '}';
    const seq: FastSeq = { kind: 'seq', offset: at, items: [] };
    const map: FastMap = { kind: 'map', offset: at, pairs: [] };
    let i = this.skipSpaces(at + 1);
    if (text[i] === close) return { node: isSeq ? seq : map, end: i + 1 };
    for (;;) {
      if (isSeq) {
        const item = this.flowItem(i, end);
        seq.items.push(item.node);
        i = this.skipSpaces(item.end);
      } else {
        const key = this.flowKey(i, end);
        if (key.value === '<<') outside('a merge in a flow map');
        const value = this.flowItem(this.skipSpaces(key.end), end);
        if (!addPair(map, { key: key.value, keyOffset: i, value: value.node, merge: false })) outside('duplicate key');
        i = this.skipSpaces(value.end);
      }
      if (text[i] === close) return { node: isSeq ? seq : map, end: i + 1 };
      if (text[i] !== ',') outside('an unusual flow collection');
      i = this.skipSpaces(i + 1);
      if (text[i] === close || i >= end) outside('a trailing comma, or a flow collection over several lines');
    }
  }

  /** `key: ` in a flow map: a quoted or plain string key, its colon and the space after it. */
  private flowKey(at: number, end: number): { value: string; end: number } {
    const text = this.text;
    let value: string;
    let keyEnd: number;
    if (text[at] === '"' || text[at] === "'") {
      const quoted = this.quoted(at, end);
      value = quoted.value;
      keyEnd = quoted.end;
    } else {
      if (!this.startsPlainInFlow(at, end)) outside('a flow key starting with an indicator');
      keyEnd = at;
      while (keyEnd < end && !(text.charCodeAt(keyEnd) === COLON && text.charCodeAt(keyEnd + 1) === SPACE)) {
        if (',[]{}#:'.includes(text[keyEnd]!)) outside('an unusual flow map key');
        keyEnd++;
      }
      while (text.charCodeAt(keyEnd - 1) === SPACE) keyEnd--;
      value = keyString(plainScalarValue(text.slice(at, keyEnd)));
    }
    const colon = this.skipSpaces(keyEnd);
    if (text.charCodeAt(colon) !== COLON || text.charCodeAt(colon + 1) !== SPACE) outside('an unusual flow map entry');
    return { value, end: colon + 1 };
  }

  private flowItem(at: number, end: number): { node: FastNode; end: number } {
    const text = this.text;
    const char = text[at];
    if (at >= end || char === undefined) outside('a flow collection over several lines');
    if (char === '[' || char === '{') return this.flowCollection(at, end);
    if (char === '"' || char === "'") {
      const quoted = this.quoted(at, end);
      return { node: { kind: 'scalar', offset: at, value: quoted.value }, end: quoted.end };
    }
    if (char === '*') {
      const nameEnd = this.nameEnd(at + 1, end, true);
      return { node: this.alias(text.slice(at + 1, nameEnd), at), end: nameEnd };
    }
    if (!this.startsPlainInFlow(at, end)) outside('a flow value starting with an indicator');
    let i = at;
    for (; i < end; i++) {
      const char = text[i]!;
      if (char === ',' || char === ']' || char === '}') break;
      // `a:b` and `a: b` mean different things in flow context; the library decides those.
      if (char === ':' || char === '[' || char === '{' || (char === '#' && text.charCodeAt(i - 1) === SPACE)) outside('a colon, bracket or comment in a flow value');
    }
    let valueEnd = i;
    while (valueEnd > at && text.charCodeAt(valueEnd - 1) === SPACE) valueEnd--;
    return { node: { kind: 'scalar', offset: at, value: plainScalarValue(text.slice(at, valueEnd)) }, end: valueEnd };
  }

  /** The end of an anchor or alias name: names stop at a space (in a flow collection, also at `,]}`) and hold no flow indicator. */
  private nameEnd(at: number, end: number, inFlow: boolean): number {
    let i = at;
    while (i < end && this.text.charCodeAt(i) !== SPACE) {
      const char = this.text[i]!;
      if (inFlow && (char === ',' || char === ']' || char === '}')) break;
      if (',[]{}'.includes(char)) outside('an unusual anchor name');
      i++;
    }
    if (i === at) outside('an empty anchor name');
    return i;
  }

  /** `-` followed by a space or the end of its line. */
  private isSeqEntry(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const after = this.text.charCodeAt(at + 1);
    return after === SPACE || after === 0x0a || at + 1 >= this.text.length;
  }

  /** Whether `at` (after spaces) ends its line: the end, or a comment (`#` after a space). */
  private atLineEnd(at: number, end: number): boolean {
    return at >= end || (this.text.charCodeAt(at) === HASH && this.text.charCodeAt(at - 1) === SPACE);
  }

  private skipSpaces(at: number): number {
    while (this.text.charCodeAt(at) === SPACE) at++;
    return at;
  }
}
