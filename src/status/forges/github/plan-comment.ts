// The plan comment on a pull request: one comment, found again by its marker and
// edited in place on every push. A plan longer than one comment may hold (65,536
// characters) continues in further comments, each with its own numbered marker.
import { splitMarkdown } from './split-markdown.js';
import { characterCount } from './text.js';

export const COMMENT_LIMIT = 65_536;
export const PLAN_MARKER = '<!-- deckhand:plan -->';

const MARKER_AT_START = /^<!-- deckhand:plan(?: part (\d+))? -->/;
const CONTINUED = '\n\n_Continued in the next comment._';

/** The marker of part `index` (1-based): the first part keeps the plain marker. */
export function partMarker(index: number): string {
  return index === 1 ? PLAN_MARKER : `<!-- deckhand:plan part ${index} -->`;
}

/**
 * Which part of the plan a comment is, or null for any other comment. Only a marker
 * at the very start counts, so a reply quoting the plan is never taken for it.
 */
export function planPartOf(body: string): number | null {
  const found = MARKER_AT_START.exec(body);
  if (!found) return null;
  return found[1] === undefined ? 1 : Number(found[1]);
}

/** The comment bodies for a plan, in order; each at most `limit` characters. */
export function planCommentBodies(headSha: string, markdown: string, limit = COMMENT_LIMIT): string[] {
  const heading = (index: number) => {
    const title = `**deckhand** plan for ${headSha.slice(0, 7)}${index > 1 ? `, continued (part ${index})` : ''}`;
    return `${partMarker(index)}\n${title}\n\n`;
  };
  // The ending is only needed on parts that continue, but is budgeted on every part
  // because which one is last is known only after splitting.
  const capacity = (index: number) => limit - characterCount(heading(index)) - characterCount(CONTINUED);
  const pieces = splitMarkdown(markdown.trimEnd(), capacity);
  return pieces.map((piece, i) => `${heading(i + 1)}${piece}${i < pieces.length - 1 ? CONTINUED : ''}`);
}
