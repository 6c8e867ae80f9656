// Regular expressions from job files, compiled so a pattern cannot stall the
// agent. Nomad uses Go's RE2, which runs in linear time; JavaScript's engine
// backtracks, so the constructs that make backtracking blow up are refused.
import type { Span } from './ast.js';
import { EvalError } from './value.js';

/** Longer subjects are refused: job files hold short strings. */
export const maxRegexSubject = 64 * 1024;

export function safeRegExp(pattern: string, flags: string, at: Span): RegExp {
  if (/\\[1-9]|\(\?<?[=!]/.test(pattern)) {
    throw new EvalError('backreferences and lookarounds are not supported in regular expressions', at, 'HCL uses RE2 syntax, which has neither');
  }
  if (hasNestedQuantifier(pattern)) {
    throw new EvalError('a repeated group holding a repetition or alternatives (like (a+)+ or (a|aa)*) is not supported', at, 'it can take exponential time; write the pattern without it');
  }
  // Go's named groups `(?P<name>...)` are JavaScript's `(?<name>...)`.
  const translated = pattern.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(translated, flags);
  } catch (error) {
    throw new EvalError(`invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`, at);
  }
}

export function checkSubject(subject: string, at: Span): string {
  if (subject.length > maxRegexSubject) throw new EvalError(`the string is longer than ${maxRegexSubject} characters, too long for a regular expression`, at);
  return subject;
}

/** A quantified group that holds a quantifier or alternatives: `(a+)+`, `(a|aa)*`, `(x{2,})+`. */
function hasNestedQuantifier(pattern: string): boolean {
  const stack: boolean[] = [];
  let quantifiedInside = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      i = end < 0 ? pattern.length : end;
      continue;
    }
    if (ch === '(') {
      stack.push(quantifiedInside);
      quantifiedInside = false;
    } else if (ch === ')') {
      const inner: boolean = quantifiedInside;
      quantifiedInside = stack.pop() ?? false;
      if (inner && /[*+?{]/.test(pattern[i + 1] ?? '')) return true;
      quantifiedInside ||= inner;
    } else if (ch === '|' || ch === '*' || ch === '+' || (ch === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      quantifiedInside = true;
    }
  }
  return false;
}
