// `deckhand validate --explain`: per job file, what deckhand carries out, what it
// accepts without effect (and why), and what it refuses (why, and what to do instead).
import type { FileExplanation } from '../../render/index.js';

export function formatExplanation(path: string, explanation: FileExplanation): string {
  const { carriedOut, noEffect, refused } = explanation;
  const lines = [`${path}: ${carriedOut.length} carried out, ${noEffect.length} accepted without effect, ${refused.length} refused`];
  if (refused.length) {
    lines.push('  refused:');
    for (const r of refused) lines.push(`    ${r.line}:${r.col} ${r.field ? `${r.field}: ` : ''}${r.message}${r.hint ? ` (${r.hint})` : ''}`);
  }
  if (noEffect.length) {
    lines.push('  accepted without effect:');
    for (const n of noEffect) lines.push(`    ${n.line}:${n.col} ${n.field}: ${n.reason}`);
  }
  if (carriedOut.length) {
    lines.push('  carried out:');
    for (const c of carriedOut) lines.push(`    ${c.line}:${c.col} ${c.field}`);
  }
  return `${lines.join('\n')}\n`;
}
