// HCL's type constraints (hashicorp/hcl ext/typeexpr): `string`, `list(number)`,
// `object({ a = string })`, read from their expressions, and the conversions to them.
import type { Expr, Span } from './ast.js';
import { hasOwn, setPlainKey } from '../util/index.js';
import { toSet } from './functions/args.js';
import { EvalError, isObject, toBool, toNumber, toText, typeName } from './value.js';
import type { Value, ValueObject } from './value.js';

export type TypeConstraint =
  | { kind: 'string' | 'number' | 'bool' | 'any' }
  | { kind: 'list' | 'set' | 'map'; element: TypeConstraint }
  | { kind: 'object'; attributes: Record<string, TypeConstraint> }
  | { kind: 'tuple'; elements: TypeConstraint[] };

/** Reads a type constraint (`string`, `list(number)`, `object({ a = string })`) from its expression. */
export function typeFromExpr(expr: Expr): TypeConstraint {
  if (expr.kind === 'variable') {
    if (['string', 'number', 'bool', 'any'].includes(expr.name)) return { kind: expr.name as 'string' };
    throw new EvalError(`unknown type "${expr.name}"`, expr.span, 'types are string, number, bool, any, list(...), set(...), map(...), object({...}) and tuple([...])');
  }
  if (expr.kind === 'call' && expr.args.length === 1) {
    const arg = expr.args[0]!;
    if (expr.name === 'list' || expr.name === 'set' || expr.name === 'map') return { kind: expr.name, element: typeFromExpr(arg) };
    if (expr.name === 'optional') return typeFromExpr(arg);
    if (expr.name === 'object' && arg.kind === 'object') {
      const attributes: Record<string, TypeConstraint> = {};
      for (const item of arg.items) {
        if (item.key.kind !== 'literal') throw new EvalError('object type attribute names must be plain names', item.key.span);
        attributes[String(item.key.value)] = typeFromExpr(item.value);
      }
      return { kind: 'object', attributes };
    }
    if (expr.name === 'tuple' && arg.kind === 'tuple') return { kind: 'tuple', elements: arg.items.map(typeFromExpr) };
  }
  throw new EvalError('this is not a type constraint', expr.span, 'types are string, number, bool, any, list(...), set(...), map(...), object({...}) and tuple([...])');
}

/** Converts a value to a type constraint as HCL does (numbers to strings and back, and so on). */
export function convert(value: Value, type: TypeConstraint, span: Span): Value {
  switch (type.kind) {
    case 'any':
      return value;
    case 'string':
      return toText(value, span);
    case 'number':
      return toNumber(value, span);
    case 'bool':
      return toBool(value, span);
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) throw new EvalError(`expected a list, got ${typeName(value)}`, span);
      const items = value.map((item) => convert(item, type.element, span));
      // A set has no duplicates and cty's order (strings lexically, numbers by value).
      return type.kind === 'set' ? toSet(items, span) : items;
    }
    case 'map': {
      if (!isObject(value)) throw new EvalError(`expected a map, got ${typeName(value)}`, span);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, type.element, span)])) as ValueObject;
    }
    case 'object': {
      if (!isObject(value)) throw new EvalError(`expected an object, got ${typeName(value)}`, span);
      const out: ValueObject = {};
      for (const [name, attrType] of Object.entries(type.attributes)) {
        setPlainKey(out, name, hasOwn(value, name) ? convert(value[name]!, attrType, span) : null);
      }
      return out;
    }
    case 'tuple': {
      if (!Array.isArray(value) || value.length !== type.elements.length) {
        throw new EvalError(`expected a tuple of ${type.elements.length} elements, got ${typeName(value)}`, span);
      }
      return value.map((item, i) => convert(item, type.elements[i]!, span));
    }
  }
}
