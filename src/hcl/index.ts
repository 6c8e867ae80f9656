// HCL's native syntax: parsing with the position of every node, and evaluation
// with Nomad's function library. Knows nothing of Nomad's job schema (README.md).
export type { Attribute, Block, Body, Expr, Span, TemplatePart } from './ast.js';
export { HclSyntaxError, parseHcl, parseHclExpression } from './parser.js';
export { Evaluator, LazyRoot } from './eval.js';
export type { EvaluatorOptions, RootValue } from './eval.js';
export { functionNames } from './functions/index.js';
export { convert, typeFromExpr } from './types.js';
export type { TypeConstraint } from './types.js';
export { EvalError, formatNumber, isObject, typeName, unknown } from './value.js';
export type { Value, ValueObject } from './value.js';
