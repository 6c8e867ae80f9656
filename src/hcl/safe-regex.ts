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
  const translated = fromRe2(pattern, at);
  try {
    return new RegExp(translated.source, flags + translated.flags);
  } catch (error) {
    throw new EvalError(`invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`, at);
  }
}

/** RE2's POSIX classes, as the ranges they stand for (ASCII, as in RE2). */
const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * RE2's syntax where JavaScript's differs, translated so a pattern matches what it
 * matches in Nomad: `(?P<name>` groups, leading `(?ims)` flags, `\A` and `\z`,
 * `[[:alpha:]]` classes and `\Q...\E` quoting. What cannot be translated (`\pN`
 * classes, flags in the middle, `(?U)`) is refused rather than read differently.
 */
function fromRe2(pattern: string, at: Span): { source: string; flags: string } {
  const refuse = (what: string): never => {
    throw new EvalError(`${what} is not supported in regular expressions`, at, 'deckhand runs RE2 patterns on JavaScript\'s engine; write the pattern without it');
  };
  let flags = '';
  let rest = pattern;
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(rest);
  if (leading) {
    for (const flag of leading[1]!) {
      if (!'ims'.includes(flag)) refuse(`the flag "${flag}"`);
      if (!flags.includes(flag)) flags += flag;
    }
    rest = rest.slice(leading[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i]!;
    if (ch === '\\') {
      const next = rest[i + 1] ?? '';
      if (next === 'p' || next === 'P') refuse('a Unicode class (\\p, \\P)');
      if (next === 'C') refuse('\\C');
      if (next === 'Q') {
        const end = rest.indexOf('\\E', i + 2);
        const literal = rest.slice(i + 2, end < 0 ? undefined : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? rest.length : end + 1;
        continue;
      }
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'z') out += '(?![\\s\\S])';
      else out += ch + next;
      i++;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest.slice(i));
      if (posix) {
        if (posix[1] || !posixClasses[posix[2]!]) refuse(`the class [:${posix[1]}${posix[2]}:]`);
        out += posixClasses[posix[2]!];
        i += posix[0].length - 1;
        continue;
      }
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      // A `]` or `^]` right after the opening bracket is a literal in both syntaxes.
      if (rest[i + 1] === '^') out += rest[++i];
      if (rest[i + 1] === ']') out += `\\${rest[++i]}`;
      continue;
    }
    if (ch === '(' && rest[i + 1] === '?') {
      if (rest.startsWith('(?P<', i)) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (/^\(\?[a-zA-Z-]+[:)]/.test(rest.slice(i))) refuse('a flag group like (?i) or (?i:...) after the start');
    }
    out += ch;
  }
  return { source: out, flags };
}

export function checkSubject(subject: string, at: Span): string {
  if (subject.length > maxRegexSubject) throw new EvalError(`the string is longer than ${maxRegexSubject} characters, too long for a regular expression`, at);
  return subject;
}

/** A repeated group that holds a quantifier or alternatives: `(a+)+`, `(a|aa)*`, `(x{2,})+`. */
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
      // `?` is at most once: `(a+)?` cannot blow up; `*`, `+` and `{n,m}` repeat.
      if (inner && /[*+{]/.test(pattern[i + 1] ?? '')) return true;
      quantifiedInside ||= inner;
    } else if (ch === '|' || ch === '*' || ch === '+' || (ch === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      quantifiedInside = true;
    }
  }
  return false;
}
