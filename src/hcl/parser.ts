// A recursive-descent parser for HCL's native syntax (hashicorp/hcl `hclsyntax`).
// It is ours rather than a wrapped Go parser because job files need what the
// wrappers drop: the position of every attribute and value, the source order of
// labelled blocks, and speed (1,000 files in well under a second). Its structure is
// checked against the reference parser in test/hcl/oracle.test.ts.
import type {
  Attribute,
  BinaryOp,
  Block,
  Body,
  Expr,
  ForExpr,
  ObjectItem,
  Span,
  SplatItemExpr,
  TemplatePart,
} from './ast.js';

export class HclSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'HclSyntaxError';
  }
}

/** Parses a whole file. Throws HclSyntaxError with the offset of the first problem. */
export function parseHcl(text: string): Body {
  return new Parser(text).parseFile();
}

/** Parses a single expression (a `--var` value of a complex type). */
export function parseHclExpression(text: string): Expr {
  const parser = new Parser(text);
  return parser.parseStandaloneExpression();
}

const binaryLevels: ReadonlyArray<ReadonlyArray<BinaryOp>> = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<=', '>=', '<', '>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** The first characters of binary operators: anything else ends a binary expression at once. */
const operatorStarts = new Set(binaryLevels.flat().map((op) => op[0]!));

/** Deeper nesting (of blocks or expressions) is refused rather than risking the call stack. */
const maxDepth = 200;

type FlatTemplateToken =
  | { kind: 'text'; text: string }
  | { kind: 'interpolation'; expr: Expr; stripLeft: boolean; stripRight: boolean; span: Span }
  | { kind: 'directive'; keyword: 'if' | 'else' | 'endif' | 'for' | 'endfor'; stripLeft: boolean; stripRight: boolean; condition?: Expr; keyVar?: string | null; valueVar?: string; collection?: Expr; span: Span };

class Parser {
  private pos = 0;
  /** Whether a newline ends the current construct (bodies, object items) or is plain space (inside brackets). */
  private newlineStack: boolean[] = [true];
  private depth = 0;

  constructor(private readonly src: string) {
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  parseFile(): Body {
    const body = this.parseBody(null);
    return body;
  }

  parseStandaloneExpression(): Expr {
    this.newlineStack = [false];
    this.skipTrivia();
    const expr = this.parseExpression();
    this.skipTrivia();
    if (this.pos < this.src.length) this.fail(`unexpected ${this.describeHere()} after the expression`);
    return expr;
  }

  // ---- bodies ----

  private parseBody(openBrace: number | null): Body {
    const start = this.pos;
    const items: Array<Attribute | Block> = [];
    const seen = new Map<string, Span>();
    for (;;) {
      this.skipTrivia(true);
      if (this.atEnd()) {
        if (openBrace !== null) this.fail('this block is never closed: expected "}"', openBrace);
        break;
      }
      if (this.peek() === '}') {
        if (openBrace === null) this.fail('unexpected "}" with no block open');
        this.pos++;
        break;
      }
      const item = this.parseItem();
      if (item.kind === 'attribute') {
        if (seen.has(item.name)) {
          const first = this.lineOf(seen.get(item.name)!.start);
          this.fail(`attribute "${item.name}" is set more than once (first on line ${first}); each attribute may be set only once`, item.nameSpan.start);
        }
        seen.set(item.name, item.nameSpan);
      }
      items.push(item);
      this.expectItemEnd();
    }
    return { items, span: { start, end: this.pos } };
  }

  private parseItem(): Attribute | Block {
    const nameStart = this.pos;
    const name = this.readIdentifier();
    if (name === null) this.fail(`expected an attribute or block name, found ${this.describeHere()}`);
    const nameSpan = { start: nameStart, end: this.pos };
    this.skipTrivia(false);
    if (this.peek() === '=' && this.peek(1) !== '=') {
      this.pos++;
      const expr = this.withNewlines(true, () => {
        this.skipTrivia(false);
        return this.parseExpression();
      });
      return { kind: 'attribute', name, nameSpan, expr };
    }
    return this.parseBlockRest(name, nameSpan);
  }

  private parseBlockRest(type: string, typeSpan: Span): Block {
    const labels: string[] = [];
    const labelSpans: Span[] = [];
    for (;;) {
      this.skipTrivia(false);
      const ch = this.peek();
      const labelStart = this.pos;
      if (ch === '"') {
        labels.push(this.readLabelString());
      } else if (ch !== undefined && isIdentStart(ch)) {
        labels.push(this.readIdentifier()!);
      } else {
        break;
      }
      labelSpans.push({ start: labelStart, end: this.pos });
    }
    if (this.peek() !== '{') {
      const what = labels.length ? 'a block\'s "{"' : 'an "=" or a block';
      this.fail(`expected ${what} after "${type}", found ${this.describeHere()}`);
    }
    const open = this.pos;
    this.pos++;
    if (++this.depth > maxDepth) this.fail(`blocks are nested more than ${maxDepth} deep`, open);
    try {
      return this.parseBlockBody(type, typeSpan, labels, labelSpans, open);
    } finally {
      this.depth--;
    }
  }

  private parseBlockBody(type: string, typeSpan: Span, labels: string[], labelSpans: Span[], open: number): Block {
    this.skipTrivia(false);
    let body: Body;
    if (this.peek() === '}') {
      this.pos++;
      body = { items: [], span: { start: open + 1, end: this.pos - 1 } };
    } else if (this.atEnd() || this.peek() === '\n') {
      body = this.withNewlines(true, () => this.parseBody(open));
    } else {
      // A single-line block holds at most one attribute, as in HCL: `check { type = "tcp" }`.
      const start = this.pos;
      const item = this.parseItem();
      if (item.kind === 'block') this.fail('a single-line block cannot contain another block; put each on its own line', item.typeSpan.start);
      this.skipTrivia(false);
      if (this.peek() !== '}') this.fail(`a single-line block holds only one attribute: expected "}", found ${this.describeHere()}`);
      this.pos++;
      body = { items: [item], span: { start, end: this.pos - 1 } };
    }
    return { kind: 'block', type, typeSpan, labels, labelSpans, body, span: { start: typeSpan.start, end: this.pos } };
  }

  private expectItemEnd(): void {
    this.skipTrivia(false);
    if (this.atEnd()) return;
    const ch = this.peek();
    if (ch === '\n') {
      this.pos++;
      return;
    }
    this.fail(`expected a new line after this attribute or block, found ${this.describeHere()}`);
  }

  private readLabelString(): string {
    const start = this.pos;
    const template = this.parseQuotedTemplate();
    if (template.kind === 'literal' && typeof template.value === 'string') return template.value;
    if (template.kind === 'template' && template.parts.every((p) => p.kind === 'text')) {
      return template.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
    }
    return this.fail('a block label must be a plain string, without "${...}"', start);
  }

  // ---- expressions ----

  private parseExpression(): Expr {
    if (++this.depth > maxDepth) this.fail(`expressions are nested more than ${maxDepth} deep`);
    try {
      const condition = this.parseBinary(0);
      this.skipTrivia();
      if (this.peek() !== '?') return condition;
      this.pos++;
      this.skipTrivia();
      const whenTrue = this.parseExpression();
      this.skipTrivia();
      if (this.peek() !== ':') this.fail(`expected ":" of a conditional expression, found ${this.describeHere()}`);
      this.pos++;
      this.skipTrivia();
      const whenFalse = this.parseExpression();
      return { kind: 'conditional', condition, whenTrue, whenFalse, span: { start: condition.span.start, end: whenFalse.span.end } };
    } finally {
      this.depth--;
    }
  }

  /**
   * Binary operators by precedence climbing: operators of `minLevel` and above
   * (binaryLevels), each level left-associative. One operator lookup per term,
   * where a parser per level would make six.
   */
  private parseBinary(minLevel: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      this.skipTrivia();
      const found = this.matchOperator(minLevel);
      if (!found) return left;
      this.pos += found.op.length;
      this.skipTrivia();
      const right = this.parseBinary(found.level + 1);
      left = { kind: 'binary', op: found.op, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  /** The binary operator here, if its level is `minLevel` or above. */
  private matchOperator(minLevel: number): { op: BinaryOp; level: number } | null {
    if (!operatorStarts.has(this.src[this.pos] ?? '')) return null;
    for (let level = minLevel; level < binaryLevels.length; level++) {
      for (const op of binaryLevels[level]!) {
        if (!this.src.startsWith(op, this.pos)) continue;
        const next = this.src[this.pos + op.length];
        // `=>` and `==` are not `=`; `<<` is a heredoc; `!=` is not `!`.
        if ((op === '<' || op === '>') && next === '=') continue;
        if (op === '<' && next === '<') continue;
        if ((op === '*' || op === '/') && this.src[this.pos - 1] === '.') continue;
        return { op, level };
      }
    }
    return null;
  }

  private parseUnary(): Expr {
    const start = this.pos;
    const ch = this.peek();
    if ((ch === '!' && this.peek(1) !== '=') || ch === '-') {
      this.pos++;
      this.skipTrivia();
      if (++this.depth > maxDepth) this.fail(`expressions are nested more than ${maxDepth} deep`);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'unary', op: ch, operand, span: { start, end: operand.span.end } };
    }
    return this.parsePostfix(this.parseTerm());
  }

  private parsePostfix(base: Expr): Expr {
    let expr = base;
    for (;;) {
      // Space may separate a term from its traversal (`a .b`, and across lines inside brackets).
      const before = this.pos;
      this.skipTrivia();
      const ch = this.peek();
      if (this.src.startsWith('...', this.pos) || (ch !== '.' && ch !== '[')) {
        this.pos = before;
        return expr;
      }
      if (ch === '.' && this.peek(1) === '*') {
        this.pos += 2;
        expr = this.parseSplat(expr, false);
      } else if (ch === '[' && this.src.startsWith('[*]', this.pos)) {
        this.pos += 3;
        expr = this.parseSplat(expr, true);
      } else if (ch === '.' || ch === '[') {
        const next = this.parseTraversalStep(expr);
        if (!next) return expr;
        expr = next;
      } else {
        return expr;
      }
    }
  }

  /** One `.name`, `.0` or `[key]` applied to `object`; null when the next characters are none of these. */
  private parseTraversalStep(object: Expr): Expr | null {
    const start = object.span.start;
    if (this.peek() === '.') {
      const after = this.peek(1);
      if (after !== undefined && isDigit(after)) {
        this.pos++;
        const digitsStart = this.pos;
        while (isDigit(this.peek() ?? '')) this.pos++;
        if (this.peek() === '.' && isDigit(this.peek(1) ?? '')) {
          this.fail('legacy indexes cannot be chained (a.0.1); write a[0][1]', digitsStart - 1);
        }
        const value = Number(this.src.slice(digitsStart, this.pos));
        const key = { kind: 'literal' as const, value, span: { start: digitsStart, end: this.pos } };
        return { kind: 'index', object, key, span: { start, end: this.pos } };
      }
      this.pos++;
      // Inside brackets a traversal may continue on the next line: `a.\n  b`.
      this.skipTrivia();
      if (isIdentStart(this.peek() ?? '')) {
        const name = this.readIdentifier()!;
        return { kind: 'getattr', object, name, span: { start, end: this.pos } };
      }
      this.fail(`expected an attribute name after ".", found ${this.describeHere()}`);
    }
    if (this.peek() === '[') {
      this.pos++;
      const key = this.withNewlines(false, () => {
        this.skipTrivia();
        const k = this.parseExpression();
        this.skipTrivia();
        return k;
      });
      if (this.peek() !== ']') this.fail(`expected "]" to close the index, found ${this.describeHere()}`);
      this.pos++;
      return { kind: 'index', object, key, span: { start, end: this.pos } };
    }
    return null;
  }

  private parseSplat(source: Expr, full: boolean): Expr {
    const item: SplatItemExpr = { kind: 'variable', name: '\u0000splat', span: { start: this.pos, end: this.pos } };
    let each: Expr = item;
    for (;;) {
      const ch = this.peek();
      if (ch === '.' && this.peek(1) !== '*') {
        const next = this.parseTraversalStep(each);
        if (!next) break;
        each = next;
      } else if (full && ch === '[' && !this.src.startsWith('[*]', this.pos)) {
        each = this.parseTraversalStep(each)!;
      } else {
        break;
      }
    }
    return { kind: 'splat', source, each, item, span: { start: source.span.start, end: this.pos } };
  }

  private parseTerm(): Expr {
    const start = this.pos;
    const ch = this.peek();
    if (ch === undefined) return this.fail('expected an expression, found the end of the file');
    if (isDigit(ch)) return this.parseNumber();
    if (ch === '"') return this.parseQuotedTemplate();
    if (ch === '<' && this.peek(1) === '<') return this.parseHeredoc();
    if (ch === '(') {
      this.pos++;
      const inner = this.withNewlines(false, () => {
        this.skipTrivia();
        const e = this.parseExpression();
        this.skipTrivia();
        return e;
      });
      if (this.peek() !== ')') this.fail(`expected ")" to close "(", found ${this.describeHere()}`);
      this.pos++;
      return { kind: 'paren', inner, span: { start, end: this.pos } };
    }
    if (ch === '[') return this.parseTuple();
    if (ch === '{') return this.parseObject();
    if (isIdentStart(ch)) {
      const name = this.readIdentifier()!;
      const span = { start, end: this.pos };
      if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', span };
      if (name === 'null') return { kind: 'literal', value: null, span };
      // Inside brackets a call's "(" may come after a line break: `max\n()`.
      const afterName = this.pos;
      this.skipTrivia();
      if (this.peek() === '(' || (this.peek() === ':' && this.peek(1) === ':')) return this.parseCall(name, start);
      this.pos = afterName;
      return { kind: 'variable', name, span };
    }
    return this.fail(`expected an expression, found ${this.describeHere()}`);
  }

  private parseNumber(): Expr {
    const start = this.pos;
    const match = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.src)!;
    this.pos += found[0].length;
    // HCL reads `1.2.3` as one malformed number, not 1.2 indexed by 3.
    if (this.peek() === '.' && isDigit(this.peek(1) ?? '')) this.fail(`invalid number literal "${/[0-9.]+/y.exec(this.src.slice(start))?.[0] ?? ''}"`, start);
    return { kind: 'literal', value: Number(found[0]), span: { start, end: this.pos } };
  }

  private parseCall(firstName: string, start: number): Expr {
    let name = firstName;
    // Namespaced functions (`provider::ns::fn`) parse, and fail later as unknown.
    while (this.peek() === ':' && this.peek(1) === ':') {
      this.pos += 2;
      const part = this.readIdentifier();
      if (part === null) this.fail(`expected a function name after "::", found ${this.describeHere()}`);
      name += `::${part}`;
    }
    if (this.peek() !== '(') this.fail(`expected "(" after the function name "${name}", found ${this.describeHere()}`);
    this.pos++;
    const args: Expr[] = [];
    let expandFinal = false;
    this.withNewlines(false, () => {
      for (;;) {
        this.skipTrivia();
        if (this.peek() === ')') break;
        if (expandFinal) this.fail('"..." may only follow the last argument');
        args.push(this.parseExpression());
        this.skipTrivia();
        if (this.src.startsWith('...', this.pos)) {
          this.pos += 3;
          expandFinal = true;
          this.skipTrivia();
        }
        if (this.peek() === ',') {
          this.pos++;
          continue;
        }
        if (this.peek() !== ')') this.fail(`expected "," or ")" in the arguments of ${name}(), found ${this.describeHere()}`);
      }
    });
    this.pos++;
    return { kind: 'call', name, args, expandFinal, span: { start, end: this.pos } };
  }

  private parseTuple(): Expr {
    const start = this.pos;
    this.pos++;
    return this.withNewlines(false, () => {
      this.skipTrivia();
      if (this.isKeyword('for')) return this.parseFor(start, ']');
      const items: Expr[] = [];
      for (;;) {
        this.skipTrivia();
        if (this.peek() === ']') break;
        items.push(this.parseExpression());
        this.skipTrivia();
        if (this.peek() === ',') {
          this.pos++;
          continue;
        }
        if (this.peek() !== ']') this.fail(`expected "," or "]" in the list, found ${this.describeHere()}`);
      }
      this.pos++;
      return { kind: 'tuple', items, span: { start, end: this.pos } };
    });
  }

  private parseObject(): Expr {
    const start = this.pos;
    this.pos++;
    this.skipTrivia(true);
    if (this.isKeyword('for')) return this.withNewlines(false, () => this.parseFor(start, '}'));
    return this.withNewlines(true, () => {
      const items: ObjectItem[] = [];
      for (;;) {
        this.skipTrivia(true);
        if (this.peek() === '}') break;
        if (this.atEnd()) this.fail('this object is never closed: expected "}"', start);
        const key = this.parseObjectKey();
        this.skipTrivia(false);
        const sep = this.peek();
        if ((sep !== '=' && sep !== ':') || this.peek(1) === '=') {
          this.fail(`expected "=" or ":" after the object key, found ${this.describeHere()}`);
        }
        this.pos++;
        this.skipTrivia(false);
        const value = this.parseExpression();
        items.push({ key, value });
        this.skipTrivia(false);
        const after = this.peek();
        if (after === ',' || after === '\n') {
          this.pos++;
          continue;
        }
        if (after !== '}') this.fail(`expected ",", a new line or "}" after the object item, found ${this.describeHere()}`);
      }
      this.pos++;
      return { kind: 'object', items, span: { start, end: this.pos } };
    });
  }

  /** A bare identifier key is its own name (`{ a = 1 }`), not a variable. */
  private parseObjectKey(): Expr {
    const start = this.pos;
    const ch = this.peek();
    if (ch !== undefined && isIdentStart(ch)) {
      const save = this.pos;
      const name = this.readIdentifier()!;
      this.skipTrivia(false);
      const sep = this.peek();
      if ((sep === '=' || sep === ':') && this.peek(1) !== '=' && this.peek(1) !== ':') {
        return { kind: 'literal', value: name, span: { start, end: start + name.length } };
      }
      this.pos = save;
    }
    return this.parseExpression();
  }

  private parseFor(start: number, close: ']' | '}'): ForExpr {
    this.pos += 3;
    this.skipTrivia();
    const first = this.readIdentifier();
    if (first === null) this.fail(`expected a variable name after "for", found ${this.describeHere()}`);
    let keyVar: string | null = null;
    let valueVar = first;
    this.skipTrivia();
    if (this.peek() === ',') {
      this.pos++;
      this.skipTrivia();
      const second = this.readIdentifier();
      if (second === null) this.fail(`expected a second variable name after ",", found ${this.describeHere()}`);
      keyVar = first;
      valueVar = second;
      this.skipTrivia();
    }
    if (!this.isKeyword('in')) this.fail(`expected "in" in the for expression, found ${this.describeHere()}`);
    this.pos += 2;
    this.skipTrivia();
    const collection = this.parseExpression();
    this.skipTrivia();
    if (this.peek() !== ':') this.fail(`expected ":" in the for expression, found ${this.describeHere()}`);
    this.pos++;
    this.skipTrivia();
    let keyExpr: Expr | null = null;
    let valueExpr = this.parseExpression();
    this.skipTrivia();
    if (close === '}') {
      if (!this.src.startsWith('=>', this.pos)) this.fail(`expected "=>" in the object for expression, found ${this.describeHere()}`);
      this.pos += 2;
      this.skipTrivia();
      keyExpr = valueExpr;
      valueExpr = this.parseExpression();
      this.skipTrivia();
    }
    let grouping = false;
    if (close === '}' && this.src.startsWith('...', this.pos)) {
      this.pos += 3;
      grouping = true;
      this.skipTrivia();
    }
    let condition: Expr | null = null;
    if (this.isKeyword('if')) {
      this.pos += 2;
      this.skipTrivia();
      condition = this.parseExpression();
      this.skipTrivia();
    }
    if (this.peek() !== close) this.fail(`expected "${close}" to close the for expression, found ${this.describeHere()}`);
    this.pos++;
    return { kind: 'for', keyVar, valueVar, collection, keyExpr, valueExpr, condition, grouping, span: { start, end: this.pos } };
  }

  // ---- templates ----

  private parseQuotedTemplate(): Expr {
    const start = this.pos;
    this.pos++;
    const tokens = this.scanTemplate({ quoted: true, end: this.src.length, openQuote: start });
    return this.finishTemplate(tokens, false, { start, end: this.pos });
  }

  private parseHeredoc(): Expr {
    const start = this.pos;
    this.pos += 2;
    const flush = this.peek() === '-';
    if (flush) this.pos++;
    const marker = this.readIdentifier();
    if (marker === null) this.fail(`expected a heredoc marker after "<<", found ${this.describeHere()}`);
    if (this.peek() === '\r') this.pos++;
    if (this.peek() !== '\n') this.fail(`the heredoc marker "${marker}" must be followed by a new line`);
    this.pos++;
    const bodyStart = this.pos;
    let lineStart = bodyStart;
    let closeLine = -1;
    while (lineStart <= this.src.length) {
      let lineEnd = this.src.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = this.src.length;
      if (this.src.slice(lineStart, lineEnd).trim() === marker) {
        closeLine = lineStart;
        break;
      }
      if (lineEnd === this.src.length) break;
      lineStart = lineEnd + 1;
    }
    if (closeLine < 0) this.fail(`this heredoc is never closed: expected a line holding only "${marker}"`, start);
    const tokens = this.scanTemplate({ quoted: false, end: closeLine, openQuote: start });
    this.pos = closeLine + this.src.slice(closeLine).indexOf(marker) + marker.length;
    const expr = this.finishTemplate(flush ? unindent(tokens) : tokens, true, { start, end: this.pos });
    return expr;
  }

  private scanTemplate(opts: { quoted: boolean; end: number; openQuote: number }): FlatTemplateToken[] {
    const tokens: FlatTemplateToken[] = [];
    let text = '';
    const flushText = () => {
      if (text) tokens.push({ kind: 'text', text });
      text = '';
    };
    for (;;) {
      if (this.pos >= opts.end) {
        if (opts.quoted) this.fail('this string is never closed: expected a closing \'"\'', opts.openQuote);
        break;
      }
      const ch = this.src[this.pos]!;
      if (opts.quoted && ch === '"') {
        this.pos++;
        break;
      }
      if (opts.quoted && ch === '\n') {
        this.fail('a quoted string cannot span lines; close it with \'"\' or use a heredoc (<<EOT)', opts.openQuote);
      }
      if (opts.quoted && ch === '\\') {
        text += this.readEscape();
        continue;
      }
      if ((ch === '$' || ch === '%') && this.peek(1) === ch && this.peek(2) === '{') {
        text += `${ch}{`;
        this.pos += 3;
        continue;
      }
      if ((ch === '$' || ch === '%') && this.peek(1) === '{') {
        flushText();
        tokens.push(ch === '$' ? this.scanInterpolation() : this.scanDirective());
        continue;
      }
      // A run of plain characters at once rather than one by one.
      const runEnd = this.plainRunEnd(this.pos + 1, opts.end);
      text += this.src.slice(this.pos, runEnd);
      this.pos = runEnd;
    }
    flushText();
    return tokens;
  }

  /** Where the characters from `from` stop being plain template text (a quote, escape, `$`, `%` or new line ends them). */
  private plainRunEnd(from: number, end: number): number {
    let i = from;
    while (i < end) {
      const code = this.src.charCodeAt(i);
      if (code === 0x22 /* " */ || code === 0x5c /* \ */ || code === 0x24 /* $ */ || code === 0x25 /* % */ || code === 0x0a) break;
      i++;
    }
    return i;
  }

  private scanInterpolation(): FlatTemplateToken {
    const start = this.pos;
    this.pos += 2;
    const stripLeft = this.eat('~');
    const expr = this.withNewlines(false, () => {
      this.skipTrivia();
      const e = this.parseExpression();
      this.skipTrivia();
      return e;
    });
    const stripRight = this.eat('~');
    if (this.peek() !== '}') this.fail(`expected "}" to close "\${", found ${this.describeHere()}`);
    this.pos++;
    return { kind: 'interpolation', expr, stripLeft, stripRight, span: { start, end: this.pos } };
  }

  private scanDirective(): FlatTemplateToken {
    const start = this.pos;
    this.pos += 2;
    const stripLeft = this.eat('~');
    const token = this.withNewlines(false, (): FlatTemplateToken => {
      this.skipTrivia();
      const keyword = this.readIdentifier();
      this.skipTrivia();
      const base = { kind: 'directive' as const, stripLeft, stripRight: false, span: { start, end: start } };
      switch (keyword) {
        case 'if':
          return { ...base, keyword, condition: this.parseExpression() };
        case 'else':
        case 'endif':
        case 'endfor':
          return { ...base, keyword };
        case 'for': {
          const first = this.readIdentifier();
          if (first === null) this.fail(`expected a variable name after "for", found ${this.describeHere()}`);
          this.skipTrivia();
          let keyVar: string | null = null;
          let valueVar = first;
          if (this.eat(',')) {
            this.skipTrivia();
            keyVar = first;
            valueVar = this.readIdentifier() ?? this.fail('expected a variable name after ","');
            this.skipTrivia();
          }
          if (!this.isKeyword('in')) this.fail(`expected "in" in the template for directive, found ${this.describeHere()}`);
          this.pos += 2;
          this.skipTrivia();
          return { ...base, keyword, keyVar, valueVar, collection: this.parseExpression() };
        }
        default:
          return this.fail(`unknown template directive "${keyword ?? this.describeHere()}"; expected if, else, endif, for or endfor`, start);
      }
    });
    this.skipTrivia(true);
    const stripRight = this.eat('~');
    if (this.peek() !== '}') this.fail(`expected "}" to close "%{", found ${this.describeHere()}`);
    this.pos++;
    return { ...token, stripRight, span: { start, end: this.pos } } as FlatTemplateToken;
  }

  private finishTemplate(tokens: FlatTemplateToken[], heredoc: boolean, span: Span): Expr {
    applyStripMarkers(tokens);
    const cursor = { index: 0 };
    const parts = this.buildTemplate(tokens, cursor, null);
    if (parts.every((p) => p.kind === 'text')) {
      const value = parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
      if (!heredoc) return { kind: 'literal', value, span };
      return { kind: 'template', parts: value ? [{ kind: 'text', text: value }] : [], heredoc, span };
    }
    return { kind: 'template', parts, heredoc, span };
  }

  private buildTemplate(tokens: FlatTemplateToken[], cursor: { index: number }, closing: 'if' | 'for' | null): TemplatePart[] {
    const parts: TemplatePart[] = [];
    while (cursor.index < tokens.length) {
      const token = tokens[cursor.index]!;
      if (token.kind === 'text') {
        if (token.text) parts.push({ kind: 'text', text: token.text });
        cursor.index++;
        continue;
      }
      if (token.kind === 'interpolation') {
        parts.push({ kind: 'interpolation', expr: token.expr, span: token.span });
        cursor.index++;
        continue;
      }
      const keyword = token.keyword;
      if (keyword === 'else' || keyword === 'endif') {
        if (closing !== 'if') this.fail(`"%{ ${keyword} }" without a matching "%{ if }"`, token.span.start);
        return parts;
      }
      if (keyword === 'endfor') {
        if (closing !== 'for') this.fail('"%{ endfor }" without a matching "%{ for }"', token.span.start);
        return parts;
      }
      cursor.index++;
      if (keyword === 'if') {
        const then = this.buildTemplate(tokens, cursor, 'if');
        let otherwise: TemplatePart[] = [];
        const stop = tokens[cursor.index];
        if (stop?.kind === 'directive' && stop.keyword === 'else') {
          cursor.index++;
          otherwise = this.buildTemplate(tokens, cursor, 'if');
        }
        const end = tokens[cursor.index];
        if (!(end?.kind === 'directive' && end.keyword === 'endif')) this.fail('"%{ if }" is never closed with "%{ endif }"', token.span.start);
        cursor.index++;
        parts.push({ kind: 'if', condition: token.condition!, then, else: otherwise, span: token.span });
      } else {
        const body = this.buildTemplate(tokens, cursor, 'for');
        const end = tokens[cursor.index];
        if (!(end?.kind === 'directive' && end.keyword === 'endfor')) this.fail('"%{ for }" is never closed with "%{ endfor }"', token.span.start);
        cursor.index++;
        parts.push({ kind: 'for', keyVar: token.keyVar ?? null, valueVar: token.valueVar!, collection: token.collection!, body, span: token.span });
      }
    }
    if (closing) this.fail(`"%{ ${closing} }" is never closed`);
    return parts;
  }

  private readEscape(): string {
    const start = this.pos;
    const next = this.src[this.pos + 1];
    this.pos += 2;
    switch (next) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const length = next === 'u' ? 4 : 8;
        const hex = this.src.slice(this.pos, this.pos + length);
        if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) this.fail(`"\\${next}" must be followed by ${length} hexadecimal digits`, start);
        this.pos += length;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) this.fail(`"\\${next}${hex}" is not a Unicode character`, start);
        return String.fromCodePoint(code);
      }
      default:
        return this.fail(`unknown escape "\\${next ?? ''}" in a string; use \\\\ for a backslash`, start);
    }
  }

  // ---- characters ----

  /** Skips spaces and comments; newlines too when they are not significant here (or when asked). */
  private skipTrivia(newlines = !this.newlineStack[this.newlineStack.length - 1]): void {
    const src = this.src;
    for (;;) {
      const ch = src[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r') {
        this.pos++;
      } else if (ch === '\n') {
        if (!newlines) return;
        this.pos++;
      } else if (ch === '#' || (ch === '/' && src[this.pos + 1] === '/')) {
        const end = src.indexOf('\n', this.pos);
        this.pos = end < 0 ? src.length : end;
      } else if (ch === '/' && src[this.pos + 1] === '*') {
        const end = src.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('this comment is never closed: expected "*/"');
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  private withNewlines<T>(significant: boolean, fn: () => T): T {
    this.newlineStack.push(significant);
    try {
      return fn();
    } finally {
      this.newlineStack.pop();
    }
  }

  private readIdentifier(): string | null {
    const start = this.pos;
    const first = this.src[this.pos];
    if (first === undefined || !isIdentStart(first)) return null;
    this.pos++;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined || !isIdentContinue(ch)) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  private isKeyword(word: string): boolean {
    if (!this.src.startsWith(word, this.pos)) return false;
    const after = this.src[this.pos + word.length];
    return after === undefined || !isIdentContinue(after);
  }

  private eat(ch: string): boolean {
    if (this.src[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private peek(ahead = 0): string | undefined {
    return this.src[this.pos + ahead];
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private describeHere(): string {
    return this.describeAt(this.pos);
  }

  private describeAt(offset: number): string {
    const ch = this.src[offset];
    if (ch === undefined) return 'the end of the file';
    if (ch === '\n') return 'a new line';
    const word = /^[^\s]{1,20}/.exec(this.src.slice(offset))?.[0] ?? ch;
    return `"${word}"`;
  }

  private lineOf(offset: number): number {
    let line = 1;
    for (let i = 0; i < offset; i++) if (this.src.charCodeAt(i) === 10) line++;
    return line;
  }

  private fail(message: string, offset = this.pos): never {
    throw new HclSyntaxError(message, offset);
  }
}

/** `${~ x}` trims the space before it, `${x ~}` the space after it. */
function applyStripMarkers(tokens: FlatTemplateToken[]): void {
  tokens.forEach((token, i) => {
    if (token.kind === 'text') return;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (token.stripLeft && before?.kind === 'text') before.text = before.text.replace(/\s+$/, '');
    if (token.stripRight && after?.kind === 'text') after.text = after.text.replace(/^\s+/, '');
  });
}

/** `<<-EOT`: removes the indentation shared by every non-blank line. */
function unindent(tokens: FlatTemplateToken[]): FlatTemplateToken[] {
  const lines: string[] = [];
  let atLineStart = true;
  for (const token of tokens) {
    if (token.kind !== 'text') {
      if (atLineStart) lines.push('');
      atLineStart = false;
      continue;
    }
    const pieces = token.text.split('\n');
    pieces.forEach((piece, i) => {
      if (i > 0) atLineStart = true;
      if (atLineStart && piece.length > 0) lines.push(piece);
      if (piece.length > 0) atLineStart = false;
    });
  }
  const indents = lines.filter((l) => l.trim() !== '' || l === '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const strip = indents.length ? Math.min(...indents) : 0;
  if (strip === 0) return tokens;
  atLineStart = true;
  return tokens.map((token) => {
    if (token.kind !== 'text') {
      atLineStart = false;
      return token;
    }
    const pieces = token.text.split('\n').map((piece, i) => {
      const lineStart = i > 0 || atLineStart;
      return lineStart ? piece.replace(new RegExp(`^[ \\t]{0,${strip}}`), '') : piece;
    });
    atLineStart = token.text.endsWith('\n');
    return { ...token, text: pieces.join('\n') };
  });
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isIdentStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || (ch > '\u007f' && /\p{ID_Start}/u.test(ch));
}

function isIdentContinue(ch: string): boolean {
  return isIdentStart(ch) || isDigit(ch) || ch === '-' || (ch > '\u007f' && /\p{ID_Continue}/u.test(ch));
}
