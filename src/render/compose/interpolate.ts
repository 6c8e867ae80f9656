// Compose variable interpolation: `${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`,
// `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}` and `$$` for a
// literal `$`. Defaults may themselves hold references (`${A:-${B}}`), as in compose-go.

/** A variable's value, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

interface InterpolationProblem {
  severity: 'error' | 'warning';
  /** Index of the `$` in the text that caused it. */
  index: number;
  message: string;
  /** The variable, for warnings about unset variables (reported once per file). */
  variable?: string;
}

interface Interpolated {
  /** Undefined when an error was found. */
  value: string | undefined;
  problems: InterpolationProblem[];
}

/** References inside defaults may nest this deep; more is a mistake or an attack. */
const maxNesting = 32;
const namePattern = /[A-Za-z_][A-Za-z0-9_]*/y;
const operatorPattern = /^(:-|:\?|:\+|-|\?|\+)/;

export function interpolate(text: string, lookup: Lookup): Interpolated {
  const problems: InterpolationProblem[] = [];
  const value = expand(text, 0, 0, lookup, problems);
  return { value: problems.some((p) => p.severity === 'error') ? undefined : value, problems };
}

function expand(text: string, base: number, depth: number, lookup: Lookup, problems: InterpolationProblem[]): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(text, dollar + 2);
      if (close < 0) {
        problems.push({ severity: 'error', index: base + dollar, message: `unterminated "\${" in ${JSON.stringify(text)}: expected a "}" to close it` });
        return out;
      }
      const braced = { inner: text.slice(dollar + 2, close), at: base + dollar, innerAt: base + dollar + 2 };
      out += substitute(braced, depth, lookup, problems);
      i = close + 1;
      continue;
    }
    namePattern.lastIndex = dollar + 1;
    const name = namePattern.exec(text)?.[0];
    if (name) {
      out += plainValue(name, base + dollar, lookup, problems);
      i = dollar + 1 + name.length;
      continue;
    }
    // `$` before anything else stays literal, as in compose-go (`$1`, a trailing `$`).
    out += '$';
    i = dollar + 1;
  }
  return out;
}

/** Index of the `}` closing a `${` whose content starts at `from`, counting nested `${`; -1 when none. */
function closingBrace(text: string, from: number): number {
  let open = 1;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('$$', i)) {
      i++;
    } else if (text.startsWith('${', i)) {
      open++;
      i++;
    } else if (text[i] === '}') {
      open--;
      if (open === 0) return i;
    }
  }
  return -1;
}

interface Braced {
  inner: string;
  /** Index of the `$`. */
  at: number;
  /** Index of the first character after `${`. */
  innerAt: number;
}

function substitute(braced: Braced, depth: number, lookup: Lookup, problems: InterpolationProblem[]): string {
  const { inner, at } = braced;
  namePattern.lastIndex = 0;
  const name = namePattern.exec(inner)?.[0];
  const rest = name ? inner.slice(name.length) : inner;
  const operator = operatorPattern.exec(rest)?.[0];
  if (!name || (rest !== '' && !operator)) {
    problems.push({
      severity: 'error',
      index: at,
      message: `invalid variable reference "\${${inner}}": expected \${NAME}, \${NAME:-default}, \${NAME:?message} or \${NAME:+alternative}`,
    });
    return '';
  }
  if (!operator) return plainValue(name, at, lookup, problems);

  const word = rest.slice(operator.length);
  const wordAt = braced.innerAt + name.length + operator.length;
  const expandWord = (): string => {
    if (depth >= maxNesting) {
      problems.push({ severity: 'error', index: at, message: `variable references nested more than ${maxNesting} deep` });
      return '';
    }
    return expand(word, wordAt, depth + 1, lookup, problems);
  };
  const value = lookup(name);
  const isSet = value !== undefined;
  const hasValue = isSet && value !== '';
  switch (operator) {
    case ':-':
      return hasValue ? value : expandWord();
    case '-':
      return isSet ? value : expandWord();
    case ':+':
      return hasValue ? expandWord() : '';
    case '+':
      return isSet ? expandWord() : '';
    default: {
      // `:?` and `?`: a variable the file declares as required.
      if (operator === ':?' ? hasValue : isSet) return value ?? '';
      const message = expandWord();
      const state = isSet ? 'is empty' : 'is not set';
      problems.push({ severity: 'error', index: at, message: `required variable ${name} ${state}${message ? `: ${message}` : ''}` });
      return '';
    }
  }
}

function plainValue(name: string, index: number, lookup: Lookup, problems: InterpolationProblem[]): string {
  const value = lookup(name);
  if (value !== undefined) return value;
  // Compose's own warning: the file still renders, with an empty string.
  problems.push({ severity: 'warning', index, variable: name, message: `variable ${name} is not set; using an empty string` });
  return '';
}
