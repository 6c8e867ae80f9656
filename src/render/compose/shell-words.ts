// Splits a string `command:` / `entrypoint:` into words as Compose does (go-shellwords):
// blanks separate words, 'single quotes' are literal, "double quotes" and bare text
// take backslash escapes. No shell runs the result, so an unquoted `&&`, `|`, `;`,
// `<` or `>` is an error here: go-shellwords silently drops everything from it on.

type SplitResult = { words: string[] } | { error: string; index: number };

const blanks = new Set([' ', '\t', '\r', '\n']);
const operators = new Set([';', '&', '|', '<', '>']);

export function splitShellWords(text: string): SplitResult {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  let quoteAt = 0;

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= text.length) return { error: 'ends with a lone backslash: expected a character after it', index: i };
      word += text[++i];
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      quoteAt = i;
      inWord = true;
    } else if (blanks.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (operators.has(c)) {
      const operator = /^[;&|<>]+/.exec(text.slice(i))![0];
      return {
        error: `shell operator "${operator}" in a command string, which is split into words and not run by a shell: use a list such as ["sh", "-c", "..."]`,
        index: i,
      };
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) {
    const kind = quote === '"' ? 'double' : 'single';
    return { error: `unterminated ${kind} quote: expected a closing ${quote}`, index: quoteAt };
  }
  if (inWord) words.push(word);
  return { words };
}
