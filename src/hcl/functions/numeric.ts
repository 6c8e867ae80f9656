// Numeric functions (Nomad's numeric/ pages; sum from Terraform).
import { EvalError } from '../value.js';
import type { FnSpec } from './args.js';
import { int, list, num, str } from './args.js';

export const numericFunctions: Record<string, FnSpec> = {
  abs: { arity: [1, 1], fn: ([n], at) => Math.abs(num(n!, at)) },
  ceil: { arity: [1, 1], fn: ([n], at) => Math.ceil(num(n!, at)) },
  floor: { arity: [1, 1], fn: ([n], at) => Math.floor(num(n!, at)) },
  log: { arity: [2, 2], fn: ([n, base], at) => Math.log(num(n!, at)) / Math.log(num(base!, at)) },
  max: { arity: [1, Infinity], fn: (args, at) => Math.max(...args.map((a) => num(a, at))) },
  min: { arity: [1, Infinity], fn: (args, at) => Math.min(...args.map((a) => num(a, at))) },
  pow: { arity: [2, 2], fn: ([a, b], at) => num(a!, at) ** num(b!, at) },
  signum: { arity: [1, 1], fn: ([n], at) => Math.sign(num(n!, at)) || 0 },
  parseint: { arity: [2, 2], fn: ([s, base], at) => parseInteger(str(s!, at), int(base!, at), at) },
  sum: {
    arity: [1, 1],
    fn: ([l], at) => {
      const items = list(l!, at);
      if (items.length === 0) throw new EvalError('sum() cannot sum an empty list', at);
      return items.reduce<number>((total, v) => total + num(v, at), 0);
    },
  },
};

/** Go's big.Int SetString: an optional sign, then digits 0-9a-z (case-insensitive up to base 36), then A-Z above it. */
function parseInteger(text: string, base: number, at: Parameters<FnSpec['fn']>[1]): number {
  if (base < 2 || base > 62) throw new EvalError('parseint() base must be a whole number between 2 and 62 inclusive', at);
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '');
  if (digits === '') throw new EvalError(`parseint() cannot parse "${text}" as a base ${base} integer`, at);
  let value = 0n;
  for (const ch of digits) {
    const digit = digitValue(ch, base);
    if (digit === null || digit >= base) throw new EvalError(`parseint() cannot parse "${text}" as a base ${base} integer`, at);
    value = value * BigInt(base) + BigInt(digit);
  }
  return Number(negative ? -value : value);
}

function digitValue(ch: string, base: number): number | null {
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 97 + 10;
  if (code >= 65 && code <= 90) return base <= 36 ? code - 65 + 10 : code - 65 + 36;
  return null;
}
