// Regular expression functions: regex (Terraform's) and regex_replace (Nomad's), with
// RE2's syntax compiled by safe-regex.ts and Go's `$1` / `${name}` replacement templates.
import { checkSubject, safeRegExp } from '../safe-regex.js';
import { EvalError } from '../value.js';
import type { ValueObject } from '../value.js';
import type { FnSpec } from './args.js';
import { str } from './args.js';

export const regexFunctions: Record<string, FnSpec> = {
  regex: {
    arity: [2, 2],
    fn: ([pattern, s], at) => {
      const regex = safeRegExp(str(pattern!, at), '', at);
      const match = regex.exec(checkSubject(str(s!, at), at));
      if (!match) throw new EvalError('regex() found no match: the pattern did not match any part of the string', at);
      const named = Object.keys(match.groups ?? {});
      if (named.length > 0 && named.length < match.length - 1) throw new EvalError('regex() cannot mix named and unnamed capture groups', at);
      // A group that took no part in the match is null, as in cty.
      if (named.length > 0) return Object.fromEntries(named.map((name) => [name, match.groups![name] ?? null])) as ValueObject;
      return match.length > 1 ? match.slice(1).map((m) => m ?? null) : match[0];
    },
  },
  regex_replace: {
    arity: [3, 3],
    fn: ([s, pattern, replacement], at) => {
      const text = checkSubject(str(s!, at), at);
      const regex = safeRegExp(str(pattern!, at), 'g', at);
      const template = str(replacement!, at);
      return text.replace(regex, (...found: unknown[]) => expandTemplate(template, found));
    },
  },
};

/**
 * Go's Regexp.Expand: `$1` or `${1}` is a group by number, `$name` or `${name}` by
 * name, `$$` a dollar sign. `$name` takes the longest run of letters, digits and
 * `_` (so `$1W` is the group "1W"); a group that does not exist or did not take
 * part in the match is empty; a `$` followed by anything else stays as it is.
 */
function expandTemplate(template: string, found: unknown[]): string {
  // String.replace's callback: the match, its groups, the offset, the subject, then the named groups if any.
  const hasNamed = typeof found[found.length - 1] === 'object';
  const groups = (hasNamed ? found[found.length - 1] : {}) as Record<string, string | undefined>;
  const numbered = found.slice(0, hasNamed ? -3 : -2) as Array<string | undefined>;
  return template.replace(/\$(?:\$|\{(\w+)\}|(\w+))?/g, (whole, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare;
    if (name === undefined) return '$';
    if (/^\d+$/.test(name)) return numbered[Number(name)] ?? '';
    return groups[name] ?? '';
  });
}
