// String functions (Nomad's string/ pages; startswith, endswith and strcontains from
// Terraform). Lengths and offsets count grapheme clusters, as cty does.
import { EvalError } from '../value.js';
import type { FnSpec } from './args.js';
import { graphemes, int, list, str } from './args.js';
import { formatString } from './format.js';

export const stringFunctions: Record<string, FnSpec> = {
  chomp: { arity: [1, 1], fn: ([s], at) => str(s!, at).replace(/(?:\r\n?|\n)*$/, '') },
  format: { arity: [1, Infinity], fn: ([f, ...rest], at) => formatString(str(f!, at), rest, at) },
  formatlist: {
    arity: [1, Infinity],
    fn: ([f, ...rest], at) => {
      const lengths = rest.filter(Array.isArray).map((l) => (l as unknown[]).length);
      if (lengths.some((n) => n !== lengths[0])) throw new EvalError('formatlist() needs lists of the same length', at);
      const count = lengths[0] ?? 1;
      return Array.from({ length: count }, (_, i) => formatString(str(f!, at), rest.map((r) => (Array.isArray(r) ? r[i]! : r)), at));
    },
  },
  indent: { arity: [2, 2], fn: ([n, s], at) => str(s!, at).replace(/\n/g, `\n${' '.repeat(int(n!, at))}`) },
  join: {
    arity: [2, Infinity],
    fn: ([sep, ...lists], at) => lists.flatMap((l) => list(l, at)).map((v) => str(v, at)).join(str(sep!, at)),
  },
  lower: { arity: [1, 1], fn: ([s], at) => str(s!, at).toLowerCase() },
  upper: { arity: [1, 1], fn: ([s], at) => str(s!, at).toUpperCase() },
  title: { arity: [1, 1], fn: ([s], at) => title(str(s!, at)) },
  strlen: { arity: [1, 1], fn: ([s], at) => graphemes(str(s!, at)).length },
  strrev: { arity: [1, 1], fn: ([s], at) => graphemes(str(s!, at)).reverse().join('') },
  substr: {
    arity: [3, 3],
    fn: ([s, offset, length], at) => {
      const chars = graphemes(str(s!, at));
      let start = int(offset!, at);
      if (start < 0) start = Math.max(0, chars.length + start);
      const n = int(length!, at);
      return chars.slice(start, n < 0 ? undefined : start + n).join('');
    },
  },
  trim: {
    arity: [2, 2],
    fn: ([s, cut], at) => {
      const chars = new Set([...str(cut!, at)]);
      const text = [...str(s!, at)];
      let a = 0;
      let b = text.length;
      while (a < b && chars.has(text[a]!)) a++;
      while (b > a && chars.has(text[b - 1]!)) b--;
      return text.slice(a, b).join('');
    },
  },
  trimprefix: { arity: [2, 2], fn: ([s, p], at) => { const t = str(s!, at); const x = str(p!, at); return t.startsWith(x) ? t.slice(x.length) : t; } },
  trimsuffix: { arity: [2, 2], fn: ([s, p], at) => { const t = str(s!, at); const x = str(p!, at); return x && t.endsWith(x) ? t.slice(0, -x.length) : t; } },
  trimspace: { arity: [1, 1], fn: ([s], at) => str(s!, at).trim() },
  // A plain substring, as in Nomad (cty): Terraform's "/regex/" form is regex_replace() here.
  replace: { arity: [3, 3], fn: ([s, search, replacement], at) => replaceAll(str(s!, at), str(search!, at), str(replacement!, at)) },
  split: {
    arity: [2, 2],
    fn: ([sep, s], at) => {
      const separator = str(sep!, at);
      // Go's strings.Split: an empty separator splits between characters (code points).
      return separator === '' ? [...str(s!, at)] : str(s!, at).split(separator);
    },
  },
  startswith: { arity: [2, 2], fn: ([s, p], at) => str(s!, at).startsWith(str(p!, at)) },
  endswith: { arity: [2, 2], fn: ([s, p], at) => str(s!, at).endsWith(str(p!, at)) },
  strcontains: { arity: [2, 2], fn: ([s, p], at) => str(s!, at).includes(str(p!, at)) },
};

/** Go's strings.Replace(s, old, new, -1): an empty `old` inserts `new` around every character. */
function replaceAll(text: string, search: string, replacement: string): string {
  if (search !== '') return text.split(search).join(replacement);
  return [...text].map((ch) => replacement + ch).join('') + replacement;
}

/** Go's strings.Title: every letter that follows a separator (a space, or ASCII that is not a letter, digit or `_`) in upper case. */
function title(text: string): string {
  let previous = ' ';
  let out = '';
  for (const ch of text) {
    out += isSeparator(previous) ? ch.toUpperCase() : ch;
    previous = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  if (ch <= '\u007f') return !/[A-Za-z0-9_]/.test(ch);
  if (/\p{L}|\p{Nd}/u.test(ch)) return false;
  return /\s/u.test(ch);
}
