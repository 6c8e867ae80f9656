// Cuts markdown into pieces that each fit in one comment and each render on their
// own: a cut inside a ``` block or a <details> closes them at the end of the piece
// and opens them again at the start of the next, so the diff stays a diff and the
// collapsed section stays collapsed. Cuts fall between lines; only a line longer
// than a whole piece is cut inside.
import { characterCount, firstCharacters } from './text.js';

interface OpenBlocks {
  /** The line that opened the code block we are in, e.g. "```diff"; null outside one. */
  fence: string | null;
  /** The lines that opened the <details> we are in, outermost first. */
  details: string[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const DETAILS_TAG = /<details\b[^>]*>|<\/details\s*>/gi;
/** Room kept in each piece for the lines that close and reopen blocks. */
const ROOM_FOR_BLOCK_LINES = 1000;

/**
 * Splits `markdown` into pieces; piece `n` (1-based) holds at most `capacity(n)`
 * characters, counted as GitHub counts them.
 */
export function splitMarkdown(markdown: string, capacity: (piece: number) => number): string[] {
  const longestLine = Math.max(Math.floor(capacity(1) / 2), capacity(1) - ROOM_FOR_BLOCK_LINES);
  const pieces: string[] = [];
  let blocks: OpenBlocks = { fence: null, details: [] };
  let lines = reopening(blocks);
  let used = size(lines);
  // A piece gets at least one line of the plan, however long, so splitting always moves on.
  let pieceHasContent = false;
  for (const line of markdown.split('\n').flatMap((l) => cutLongLine(l, longestLine))) {
    const after = advance(blocks, line);
    const cost = characterCount(line) + 1;
    if (pieceHasContent && used + cost + size(closing(after)) > capacity(pieces.length + 1)) {
      pieces.push([...lines, ...closing(blocks)].join('\n'));
      lines = reopening(blocks);
      used = size(lines);
    }
    lines.push(line);
    used += cost;
    pieceHasContent = true;
    blocks = after;
  }
  pieces.push(lines.join('\n'));
  return pieces;
}

function advance(blocks: OpenBlocks, line: string): OpenBlocks {
  const fence = FENCE.exec(line)?.[1];
  if (blocks.fence !== null) {
    const opener = FENCE.exec(blocks.fence)![1]!;
    const closes = fence !== undefined && fence[0] === opener[0] && fence.length >= opener.length && line.trim() === fence;
    return closes ? { ...blocks, fence: null } : blocks;
  }
  if (fence !== undefined) return { ...blocks, fence: line };
  const details = [...blocks.details];
  for (const tag of line.match(DETAILS_TAG) ?? []) {
    if (tag.startsWith('</')) details.pop();
    else details.push(line);
  }
  return { fence: null, details };
}

function closing(blocks: OpenBlocks): string[] {
  const lines: string[] = [];
  if (blocks.fence !== null) lines.push(FENCE.exec(blocks.fence)![1]!);
  for (let i = 0; i < blocks.details.length; i += 1) lines.push('</details>');
  return lines;
}

function reopening(blocks: OpenBlocks): string[] {
  return [...blocks.details, ...(blocks.fence !== null ? [blocks.fence] : [])];
}

function size(lines: string[]): number {
  return lines.reduce((sum, line) => sum + characterCount(line) + 1, 0);
}

function cutLongLine(line: string, longest: number): string[] {
  if (line.length <= longest) return [line];
  const cuts: string[] = [];
  let rest = line;
  while (characterCount(rest) > longest) {
    const head = firstCharacters(rest, longest);
    cuts.push(head);
    rest = rest.slice(head.length);
  }
  cuts.push(rest);
  return cuts;
}
