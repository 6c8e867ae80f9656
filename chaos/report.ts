// docs/reliability.md: one row per fault class, then what was lost, trial by
// trial. Pure: the results and where they were measured in, Markdown out.
import type { RowResult } from './row.js';

export interface RunFacts {
  date: string;
  machine: string;
  commit: string;
  mode: string;
  seed: number;
  durationSeconds: number;
  /** Clean-ups that failed (a container or mount left behind is worth knowing about). */
  cleanUpFailures: string[];
}

const cell = (text: string | number) => String(text).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** Lost trials listed per row, at most this many (a row failing the same way 40 times says so once). */
const detailsPerRow = 12;

export function renderReport(results: RowResult[], facts: RunFacts): string {
  const lines: string[] = [];
  const lostRows = results.filter((r) => r.lost > 0);
  const unjudged = results.filter((r) => r.trials === 0 || r.held + r.lost < r.trials);
  const met = lostRows.length === 0 && unjudged.length === 0;
  lines.push('# Reliability');
  lines.push('');
  lines.push('Produced by `npm run chaos` (see [chaos/README.md](../chaos/README.md)): faults injected into a real');
  lines.push('agent (`bin/deckhand.js agent`), on the real Docker engine, Git over smart HTTP and SQLite on disk,');
  lines.push('only against 127.0.0.1 and containers the run labels and removes. Do not edit by hand: run it again.');
  lines.push('');
  lines.push(`- Date: ${facts.date}`);
  lines.push(`- Machine: ${facts.machine}`);
  lines.push(`- Commit: ${facts.commit}`);
  lines.push(`- Run: ${facts.mode}, seed ${facts.seed} (\`--seed ${facts.seed}\` replays the crash moments), ${Math.round(facts.durationSeconds)} s`);
  lines.push('');
  lines.push(
    `Goal: every row held, nothing lost, every secret scan clean. **${met ? 'Met' : 'Not met'}**${
      met ? '.' : `: ${[...lostRows.map((r) => `${r.fault} (${r.lost} lost)`), ...unjudged.filter((r) => r.lost === 0).map((r) => `${r.fault} (not fully judged)`)].join(', ')}.`
    }`,
  );
  lines.push('');
  lines.push('| fault | what was tried | trials | held | lost | note |');
  lines.push('|---|---|---:|---:|---:|---|');
  for (const r of results) lines.push(`| ${cell(r.fault)} | ${cell(r.tried)} | ${r.trials} | ${r.held} | ${r.lost} | ${cell(r.note || '-')} |`);
  lines.push('');
  const withDetails = results.filter((r) => r.details.length > 0);
  if (withDetails.length > 0) {
    lines.push('## What was lost');
    lines.push('');
    for (const r of withDetails) {
      lines.push(`### ${r.fault}`);
      lines.push('');
      for (const detail of r.details.slice(0, detailsPerRow)) lines.push(`- ${detail.replace(/\s*\n\s*/g, ' ')}`);
      if (r.details.length > detailsPerRow) lines.push(`- … and ${r.details.length - detailsPerRow} more`);
      lines.push('');
    }
  }
  if (facts.cleanUpFailures.length > 0) {
    lines.push('## Clean-up');
    lines.push('');
    for (const failure of facts.cleanUpFailures) lines.push(`- ${failure}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
