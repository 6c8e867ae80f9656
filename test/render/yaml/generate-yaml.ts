// Random YAML texts in the many styles job files are written in (block and flow
// collections, quoting, comments, anchors, aliases, merges, several documents),
// for holding the fast YAML path against the yaml library.

/** A source of random numbers: `next(n)` is an integer in [0, n). */
export interface Random {
  next(n: number): number;
}

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    next(n: number): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) % n;
    },
  };
}

const words = ['web', 'a', 'b c', 'x-y', 'http://h:80/p', 'a#b', 'v1.2', '1.0', '0', '-1', '+3', '0o17', '0x1F', '1e3', '.5', '1.', '-.inf', '.NaN', '~', 'null', 'Null', 'true', 'False', 'yes', 'no', 'on', '010', '0.10', '12:30', '25%', '500m', '${TAG:-v1}', '--port', '-x', '?x', ':x', 'b]', 'a}', 'a,b', 'é', '日本', '__proto__', 'toString', '<<', '"', "'", 'a: b', ' lead', 'trail ', '', '#x', 'a #b', '!x', '&x', '*x', '[x', '{x', '|', '>', '%x', '@x', '`x'];
const keyWords = ['a', 'b', 'name', 'image', 'key with space', '__proto__', 'toString', 'constructor', '80', '1', 'x-y', 'a.b', 'é', 'true', 'null', '1.5', '<<', '-k', 'k:v', 'k#'];

/** Whether `text` may be written without quotes. */
function plainOk(text: string, inFlow: boolean): boolean {
  if (text === '' || text !== text.trim()) return false;
  if (/^[-?:](\s|$)/.test(text) || /^[,[\]{}#&*!|>'"%@`]/.test(text) || /: |:$| #/.test(text)) return false;
  return !(inFlow && /[,[\]{}:]/.test(text));
}

export function generateYaml(random: Random): string {
  const pick = <T>(items: readonly T[]): T => items[random.next(items.length)]!;
  const space = () => pick([' ', ' ', ' ', '  ']);
  const comment = () => (random.next(8) === 0 ? `${space()}# c${pick(['', ':', ' - x', ' #'])}` : '');
  const scalar = (text: string, inFlow: boolean): string => {
    const style = random.next(6);
    if (style < 3 && plainOk(text, inFlow)) return text;
    if (style < 5) return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/é/g, pick(['é', '\\u00e9', '\\xe9']))}"`;
    return `'${text.replace(/'/g, "''")}'`;
  };
  const key = (text: string): string => {
    const style = random.next(5);
    if (text === '<<') return style < 4 ? '<<' : '"<<"';
    if (style < 3 && plainOk(text, false)) return text;
    return style === 4 ? `'${text.replace(/'/g, "''")}'` : `"${text.replace(/"/g, '\\"')}"`;
  };

  const lines: string[] = [];
  /** Anchors defined so far in the document, and whether each holds a map (a merge source). */
  const anchors: Array<{ name: string; isMap: boolean }> = [];
  let anchorCount = 0;

  const flowValue = (depth: number): string => {
    const kind = random.next(depth > 2 ? 2 : 5);
    if (kind <= 1) return scalar(pick(words), true);
    if (kind === 2 && anchors.length > 0 && random.next(3) === 0) return `*${pick(anchors).name}`;
    if (kind <= 3) {
      const items = Array.from({ length: random.next(4) }, () => flowValue(depth + 1));
      return items.length === 0 ? pick(['[]', '[ ]']) : `[${items.join(`,${space()}`)}${pick(['', ' '])}]`;
    }
    const used = new Set<string>();
    const entries: string[] = [];
    for (let i = random.next(3); i > 0; i--) {
      const name = pick(keyWords.filter((k) => k !== '<<'));
      if (used.has(name)) continue;
      used.add(name);
      entries.push(`${key(name)}: ${flowValue(depth + 1)}`);
    }
    return entries.length === 0 ? pick(['{}', '{ }']) : `{${pick(['', ' '])}${entries.join(`,${space()}`)}${pick(['', ' '])}}`;
  };

  /** The value after `prefix` (`key:` or `-`) at `indent`. */
  const value = (prefix: string, indent: number, depth: number, inMap: boolean): void => {
    const pad = ' '.repeat(indent);
    const anchor = random.next(6) === 0 ? `n${anchorCount++}` : null;
    const props = anchor ? ` &${anchor}` : '';
    const kind = random.next(depth > 3 ? 3 : 7);
    if (kind <= 1) {
      lines.push(`${pad}${prefix}${props} ${scalar(pick(words), false)}${comment()}`);
      if (anchor) anchors.push({ name: anchor, isMap: false });
      return;
    }
    if (kind === 2) {
      if (anchors.length > 0 && !anchor && random.next(2) === 0) {
        lines.push(`${pad}${prefix} *${pick(anchors).name}${comment()}`);
        return;
      }
      lines.push(`${pad}${prefix}${props}${pick(['', ' ', ' # c'])}`);
      if (anchor) anchors.push({ name: anchor, isMap: false });
      return;
    }
    if (kind === 3) {
      lines.push(`${pad}${prefix}${props} ${flowValue(depth)}${comment()}`);
      return;
    }
    lines.push(`${pad}${prefix}${props}${comment()}`);
    if (random.next(10) === 0) lines.push(pick(['', `${pad}  # note`, '#x']));
    const step = 1 + random.next(3);
    const isMap = kind <= 5;
    if (isMap) map(indent + step, depth + 1);
    else seq(inMap && random.next(2) === 0 ? indent : indent + step, depth + 1);
    if (anchor) anchors.push({ name: anchor, isMap });
  };

  const map = (indent: number, depth: number): void => {
    const used = new Set<string>();
    for (let i = 1 + random.next(4); i > 0; i--) {
      let name = pick(keyWords);
      if (name === '<<') {
        const sources = anchors.filter((a) => a.isMap);
        if (sources.length === 0) continue;
        const merged = random.next(3) === 0 ? `[${sources.slice(0, 2).map((a) => `*${a.name}`).join(', ')}]` : `*${pick(sources).name}`;
        lines.push(`${' '.repeat(indent)}<<: ${merged}`);
        continue;
      }
      if (used.has(name)) name = `${name}${i}`;
      used.add(name);
      value(`${key(name)}:`, indent, depth, true);
    }
  };

  const seq = (indent: number, depth: number): void => {
    for (let i = 1 + random.next(3); i > 0; i--) {
      if (random.next(4) === 0 && depth < 4) {
        // `- key: value`: a map that starts on the entry's line.
        const first = lines.length;
        map(indent + 2, depth + 1);
        if (lines.length > first) lines[first] = `${' '.repeat(indent)}- ${lines[first]!.slice(indent + 2)}`;
        else lines.push(`${' '.repeat(indent)}-`);
      } else {
        value('-', indent, depth, false);
      }
    }
  };

  const documents = 1 + (random.next(4) === 0 ? random.next(3) : 0);
  for (let d = 0; d < documents; d++) {
    anchors.length = 0;
    if (d > 0 || random.next(4) === 0) lines.push(pick(['---', '--- ', '--- # doc']));
    if (random.next(10) === 0) continue;
    if (random.next(5) === 0) seq(0, 0);
    else map(random.next(8) === 0 ? 2 : 0, 0);
  }
  return lines.join('\n') + pick(['\n', '', '\n\n']);
}
