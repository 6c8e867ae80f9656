// Evaluates HCL expressions against root values (Nomad's `var` and `local`) and
// functions. Names the caller defers (Nomad's `${NOMAD_*}`, `${attr.*}`, known only
// once an allocation is placed) evaluate to `unknown` and are kept as written.
import type { BinaryExpr, CallExpr, Expr, ForExpr, Span, TemplatePart } from './ast.js';
import { callFunction, checkArity, checkFunction, specialForms } from './functions/index.js';
import { printExpr } from './print.js';
import { convert, typeFromExpr } from './types.js';
import { EvalError, containsUnknown, deepEqual, isObject, toBool, toNumber, toText, typeName, unknown } from './value.js';
import type { Value, ValueObject } from './value.js';
import { hasOwn, setPlainKey } from '../util/index.js';

/** A root whose attributes are computed when read (locals, which may refer to each other). */
export class LazyRoot {
  constructor(readonly read: (name: string, span: Span) => Value) {}
}

export type RootValue = Value | LazyRoot;

export interface EvaluatorOptions {
  /** Root names whose values are known only later: expressions using them stay as written. */
  isDeferred?: (name: string) => boolean;
}

const nothingDeferred = (): boolean => false;

/** Work one file may make the evaluator do (loop iterations, list items): a job file needs far less. */
export const evaluationBudget = 1_000_000;
/** The longest string or list a value may be. */
export const maxValueLength = 1024 * 1024;

export class Evaluator {
  private readonly loopScopes: Array<Map<string, Value>> = [];
  private spent = 0;
  private readonly isDeferred: (name: string) => boolean;

  constructor(
    private readonly src: string,
    private readonly roots: ReadonlyMap<string, RootValue>,
    options: EvaluatorOptions = {},
  ) {
    this.isDeferred = options.isDeferred ?? nothingDeferred;
  }

  /** The value of an expression; the unknown marker where it depends on placement. */
  evaluate(expr: Expr): Value {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'template':
        return this.evaluateTemplate(expr.parts, expr.span, expr.heredoc);
      case 'variable':
        return this.lookupRoot(expr.name, expr.span);
      case 'getattr': {
        if (expr.object.kind === 'variable' && !this.isLoopVariable(expr.object.name)) {
          const root = this.roots.get(expr.object.name);
          if (root instanceof LazyRoot) return readRoot(root, expr.name, expr.span);
        }
        const object = this.evaluate(expr.object);
        if (object === unknown) return unknown;
        if (!isObject(object)) throw new EvalError(`cannot read attribute "${expr.name}" of ${typeName(object)}`, expr.span);
        if (!hasOwn(object, expr.name)) {
          throw new EvalError(`there is no attribute "${expr.name}"`, expr.span, hintKeys(object));
        }
        return object[expr.name]!;
      }
      case 'index':
        return this.index(this.evaluate(expr.object), this.evaluate(expr.key), expr.span);
      case 'splat':
        return this.splat(expr.source, expr.each, expr.span);
      case 'call':
        return this.call(expr);
      case 'tuple':
        return expr.items.map((item) => this.evaluateConcrete(item));
      case 'object': {
        const out: ValueObject = {};
        for (const item of expr.items) {
          const key = this.evaluate(item.key);
          if (key === unknown) throw new EvalError('an object key cannot depend on placement', item.key.span);
          setPlainKey(out, toText(key, item.key.span), this.evaluateConcrete(item.value));
        }
        return out;
      }
      case 'unary': {
        const operand = this.evaluate(expr.operand);
        if (operand === unknown) return unknown;
        return expr.op === '!' ? !toBool(operand, expr.operand.span) : -toNumber(operand, expr.operand.span);
      }
      case 'binary':
        return this.binary(expr);
      case 'conditional': {
        const condition = this.evaluate(expr.condition);
        if (condition === unknown) return unknown;
        return toBool(condition, expr.condition.span) ? this.evaluate(expr.whenTrue) : this.evaluate(expr.whenFalse);
      }
      case 'for':
        return this.forExpr(expr);
      case 'paren':
        return this.evaluate(expr.inner);
    }
  }

  /** Like evaluate, but what depends on placement comes back as its `${...}` source text. */
  evaluateConcrete(expr: Expr): Value {
    const value = this.evaluate(expr);
    if (value !== unknown) return value;
    if (expr.kind === 'template') return this.sourceOf(expr.span).slice(1, -1);
    return `\${${printExpr(expr, this.src)}}`;
  }

  sourceOf(span: Span): string {
    return this.src.slice(span.start, span.end);
  }

  private lookupRoot(name: string, span: Span): Value {
    for (let i = this.loopScopes.length - 1; i >= 0; i--) {
      const scope = this.loopScopes[i]!;
      if (scope.has(name)) return scope.get(name)!;
    }
    if (this.isDeferred(name)) return unknown;
    const root = this.roots.get(name);
    if (root === undefined) {
      const hint = name === 'var' || name === 'local' ? undefined : `variables are read as var.<name>, locals as local.<name>`;
      throw new EvalError(`unknown variable "${name}"`, span, hint, false, true);
    }
    if (root instanceof LazyRoot) {
      throw new EvalError(`"${name}" must be followed by an attribute, as in ${name}.<name>`, span);
    }
    return root;
  }

  private isLoopVariable(name: string): boolean {
    return this.loopScopes.some((scope) => scope.has(name));
  }

  private evaluateTemplate(parts: TemplatePart[], span: Span, heredoc: boolean): Value {
    let out = '';
    for (const part of parts) {
      const piece = this.templatePart(part);
      if (piece === unknown) {
        // A directive decided by placement: keep the whole template as written.
        const raw = this.sourceOf(span);
        return heredoc ? out + raw : raw.slice(1, -1);
      }
      out += piece;
      if (out.length > maxValueLength) throw new EvalError(`the string is longer than ${maxValueLength} characters`, span);
    }
    return out;
  }

  private templatePart(part: TemplatePart): string | typeof unknown {
    switch (part.kind) {
      case 'text':
        return part.text;
      case 'interpolation': {
        const value = this.evaluate(part.expr);
        if (value === unknown) return `\${${printExpr(part.expr, this.src)}}`;
        return toText(value, part.expr.span);
      }
      case 'if': {
        const condition = this.evaluate(part.condition);
        if (condition === unknown) return unknown;
        const branch = toBool(condition, part.condition.span) ? part.then : part.else;
        return this.joinParts(branch);
      }
      case 'for': {
        const collection = this.evaluate(part.collection);
        if (collection === unknown) return unknown;
        let out = '';
        for (const [key, value] of entries(collection, part.collection.span)) {
          this.spend(part.span);
          const scope = new Map<string, Value>([[part.valueVar, value]]);
          if (part.keyVar) scope.set(part.keyVar, key);
          this.loopScopes.push(scope);
          try {
            const piece = this.joinParts(part.body);
            if (piece === unknown) return unknown;
            out += piece;
          } finally {
            this.loopScopes.pop();
          }
        }
        return out;
      }
    }
  }

  private joinParts(parts: TemplatePart[]): string | typeof unknown {
    let out = '';
    for (const part of parts) {
      const piece = this.templatePart(part);
      if (piece === unknown) return unknown;
      out += piece;
    }
    return out;
  }

  private index(object: Value, key: Value, span: Span): Value {
    if (object === unknown || key === unknown) return unknown;
    if (Array.isArray(object)) {
      const i = toNumber(key, span);
      if (!Number.isInteger(i) || i < 0 || i >= object.length) {
        throw new EvalError(`index ${i} is out of range: the list has ${object.length} element${object.length === 1 ? '' : 's'}`, span);
      }
      return object[i]!;
    }
    if (isObject(object)) {
      const name = toText(key, span);
      if (!hasOwn(object, name)) throw new EvalError(`there is no key "${name}"`, span, hintKeys(object));
      return object[name]!;
    }
    if (typeof object === 'string') throw new EvalError('a string cannot be indexed; use substr()', span);
    throw new EvalError(`cannot index ${typeName(object)}`, span);
  }

  private splat(sourceExpr: Expr, each: Expr, _span: Span): Value {
    const source = this.evaluate(sourceExpr);
    if (source === unknown) return unknown;
    const items = source === null ? [] : Array.isArray(source) ? source : [source];
    return items.map((item) => {
      this.spend(sourceExpr.span);
      this.loopScopes.push(new Map([['\u0000splat', item]]));
      try {
        return this.evaluate(each);
      } finally {
        this.loopScopes.pop();
      }
    });
  }

  private call(expr: CallExpr): Value {
    checkFunction(expr);
    if (specialForms.has(expr.name)) return this.specialForm(expr);
    const args = expr.args.map((arg) => this.evaluate(arg));
    if (expr.expandFinal) {
      const last = args.pop();
      if (last === unknown) return unknown;
      if (!Array.isArray(last)) throw new EvalError(`"..." needs a list, got ${typeName(last ?? null)}`, expr.args[expr.args.length - 1]!.span);
      args.push(...last);
    }
    if (args.some((arg) => arg === unknown)) return unknown;
    return this.bounded(callFunction(expr.name, args, expr), expr.span);
  }

  /** try(), can() and convert() take expressions: arguments that may fail, or a type. */
  private specialForm(expr: CallExpr): Value {
    if (expr.expandFinal) throw new EvalError(`${expr.name}() does not take "..."`, expr.span);
    if (expr.name === 'convert') {
      checkArity('convert', [2, 2], expr.args.length, expr);
      const value = this.evaluate(expr.args[0]!);
      return value === unknown ? unknown : convert(value, typeFromExpr(expr.args[1]!), expr.args[0]!.span);
    }
    checkArity(expr.name, expr.name === 'can' ? [1, 1] : [1, Infinity], expr.args.length, expr);
    let failure: EvalError | undefined;
    for (const arg of expr.args) {
      try {
        const value = this.evaluate(arg);
        // Whether it succeeds is known only with the value.
        if (containsUnknown(value)) return unknown;
        return expr.name === 'can' ? true : value;
      } catch (error) {
        if (!(error instanceof EvalError) || error.reference) throw error;
        failure = error;
      }
    }
    if (expr.name === 'can') return false;
    throw new EvalError(`try() found no argument without an error; the last: ${failure!.message}`, failure!.span, failure!.hint);
  }

  private spend(span: Span): void {
    if (++this.spent > evaluationBudget) throw new EvalError(`evaluating this file takes more than ${evaluationBudget} steps`, span, 'a job file should not need such loops');
  }

  private bounded(value: Value, span: Span): Value {
    const length = typeof value === 'string' || Array.isArray(value) ? value.length : 0;
    if (length > maxValueLength) throw new EvalError(`the value is longer than ${maxValueLength} elements or characters`, span);
    return value;
  }

  private binary(expr: BinaryExpr): Value {
    const left = this.evaluate(expr.left);
    if (expr.op === '&&' && left === false) return false;
    if (expr.op === '||' && left === true) return true;
    const right = this.evaluate(expr.right);
    if (left === unknown || right === unknown) return unknown;
    const l = expr.left.span;
    const r = expr.right.span;
    switch (expr.op) {
      case '==':
        return deepEqual(left, right);
      case '!=':
        return !deepEqual(left, right);
      case '&&':
        return toBool(left, l) && toBool(right, r);
      case '||':
        return toBool(left, l) || toBool(right, r);
      case '<':
        return toNumber(left, l) < toNumber(right, r);
      case '>':
        return toNumber(left, l) > toNumber(right, r);
      case '<=':
        return toNumber(left, l) <= toNumber(right, r);
      case '>=':
        return toNumber(left, l) >= toNumber(right, r);
      case '+':
        return toNumber(left, l) + toNumber(right, r);
      case '-':
        return toNumber(left, l) - toNumber(right, r);
      case '*':
        return toNumber(left, l) * toNumber(right, r);
      case '/': {
        const divisor = toNumber(right, r);
        if (divisor === 0) throw new EvalError('division by zero', expr.span);
        return toNumber(left, l) / divisor;
      }
      case '%': {
        const divisor = toNumber(right, r);
        if (divisor === 0) throw new EvalError('modulo by zero', expr.span);
        return toNumber(left, l) % divisor;
      }
    }
  }

  private forExpr(expr: ForExpr): Value {
    const collection = this.evaluate(expr.collection);
    if (collection === unknown) return unknown;
    const list: Value[] = [];
    const object: ValueObject = {};
    const grouped: Record<string, Value[]> = {};
    for (const [key, value] of entries(collection, expr.collection.span)) {
      this.spend(expr.span);
      const scope = new Map<string, Value>([[expr.valueVar, value]]);
      if (expr.keyVar) scope.set(expr.keyVar, key);
      this.loopScopes.push(scope);
      try {
        if (expr.condition) {
          const keep = this.evaluate(expr.condition);
          if (keep === unknown) return unknown;
          if (!toBool(keep, expr.condition.span)) continue;
        }
        if (!expr.keyExpr) {
          list.push(this.evaluateConcrete(expr.valueExpr));
          continue;
        }
        const keyValue = this.evaluate(expr.keyExpr);
        if (keyValue === unknown) return unknown;
        const name = toText(keyValue, expr.keyExpr.span);
        const item = this.evaluateConcrete(expr.valueExpr);
        if (expr.grouping) {
          if (!hasOwn(grouped, name)) setPlainKey(grouped, name, []);
          grouped[name]!.push(item);
        } else {
          if (hasOwn(object, name)) throw new EvalError(`duplicate key "${name}" in the for expression; add "..." after the value to group them`, expr.keyExpr.span);
          setPlainKey(object, name, item);
        }
      } finally {
        this.loopScopes.pop();
      }
    }
    if (!expr.keyExpr) return list;
    return expr.grouping ? grouped : object;
  }
}

/** A root's attribute; when reading it fails, the name is what is wrong (see EvalError.reference). */
function readRoot(root: LazyRoot, name: string, span: Span): Value {
  try {
    return root.read(name, span);
  } catch (error) {
    if (!(error instanceof EvalError) || error.reference) throw error;
    throw new EvalError(error.message, error.span, error.hint, error.silent, true);
  }
}

/** Lists iterate by index, objects by key in lexical order, as HCL does. */
function entries(collection: Value, span: Span): Array<[Value, Value]> {
  if (Array.isArray(collection)) return collection.map((v, i) => [i, v]);
  if (isObject(collection)) return Object.keys(collection).sort().map((k) => [k, collection[k]!]);
  throw new EvalError(`a for expression needs a list or an object, got ${typeName(collection)}`, span);
}

function hintKeys(object: ValueObject): string | undefined {
  const keys = Object.keys(object);
  if (keys.length === 0) return undefined;
  return `known: ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', ...' : ''}`;
}
