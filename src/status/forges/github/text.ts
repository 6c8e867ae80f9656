// Text limits as GitHub counts them: in characters (code points), not UTF-16 units,
// so an emoji costs one, and a cut never splits a surrogate pair.

export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The first `count` characters of `text`. */
export function firstCharacters(text: string, count: number): string {
  let end = 0;
  let taken = 0;
  for (const character of text) {
    if (taken === count) break;
    end += character.length;
    taken += 1;
  }
  return text.slice(0, end);
}

/** One line of at most `limit` characters, ending in an ellipsis when cut. */
export function fitOnOneLine(text: string, limit: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (characterCount(line) <= limit) return line;
  return `${firstCharacters(line, limit - 1).trimEnd()}…`;
}

/**
 * Replaces a secret wherever it appears. The token never belongs in a status or
 * comment; a job description or plan that happens to contain it must not leak it.
 */
export function redact(text: string, secret: string): string {
  // Very short strings would match ordinary words; real tokens are 40+ characters.
  return secret.length >= 8 ? text.split(secret).join('[redacted]') : text;
}
