// HCL's native syntax: parsing with the position of every node, and evaluation
// with HashiCorp's function library. Knows nothing of Nomad's job schema (see README.md).
export type {
  Attribute,
  BinaryExpr,
  BinaryOp,
  Block,
  Body,
  CallExpr,
  ConditionalExpr,
  Expr,
  ForExpr,
  GetAttrExpr,
  IndexExpr,
  LiteralExpr,
  ObjectExpr,
  ObjectItem,
  ParenExpr,
  Span,
  SplatExpr,
  TemplateExpr,
  TemplatePart,
  TupleExpr,
  UnaryExpr,
  VariableExpr,
} from './ast.js';
export { HclSyntaxError, parseHcl, parseHclExpression } from './parser.js';
export { Evaluator, LazyRoot, evaluationBudget, maxValueLength } from './eval.js';
export type { EvaluatorOptions, RootValue } from './eval.js';
export { functionNames } from './functions.js';
export { EvalError, containsUnknown, deepEqual, formatNumber, isObject, toBool, toNumber, toText, typeName, unknown } from './value.js';
export type { Unknown, Value, ValueObject } from './value.js';
