// "did you mean" for misspelt keys: `max_paralel` → `max_parallel`.

/** The closest known name within a small edit distance, or undefined. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    // The distance is at least the difference in length: such a candidate can never be within the limit.
    if (Math.abs(other.length - lower.length) > limit) continue;
    const distance = editDistance(lower, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * Damerau–Levenshtein distance (adjacent swaps count as one edit). Keeps only the
 * three rows the recurrence reads: it runs for every key of every file.
 */
export function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  let beforePrevious = new Array<number>(cols).fill(0);
  let previous = Array.from({ length: cols }, (_, j) => j);
  let current = new Array<number>(cols).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforePrevious[j - 2]! + 1);
      current[j] = value;
    }
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return previous[cols - 1]!;
}

/** The hint for an unknown key. */
export function unknownKeyHint(name: string, known: Iterable<string>): string | undefined {
  const close = closestName(name, known);
  return close ? `did you mean "${close}"?` : undefined;
}
