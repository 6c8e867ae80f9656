// Type conversion functions (Terraform's to*; Nomad's convert() needs a type
// expression and is evaluated by the evaluator itself, see eval.ts).
import { toBool, toNumber, toText } from '../value.js';
import type { FnSpec } from './args.js';
import { list, obj, toSet, unifyMap, unifyPrimitives } from './args.js';

export const conversionFunctions: Record<string, FnSpec> = {
  tostring: { arity: [1, 1], fn: ([v], at) => (v === null ? null : toText(v!, at)) },
  tonumber: { arity: [1, 1], fn: ([v], at) => (v === null ? null : toNumber(v!, at)) },
  tobool: { arity: [1, 1], fn: ([v], at) => (v === null ? null : toBool(v!, at)) },
  tolist: { arity: [1, 1], fn: ([v], at) => unifyPrimitives(list(v!, at), at) },
  toset: { arity: [1, 1], fn: ([v], at) => toSet(list(v!, at), at) },
  tomap: { arity: [1, 1], fn: ([v], at) => unifyMap(obj(v!, at), at) },
};
