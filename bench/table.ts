// Benchmark results, printed as one table.
export interface BenchRow {
  benchmark: string;
  result: string;
  memory: string;
  goal: string;
  met: boolean | null;
}

export function printTable(rows: BenchRow[]): string {
  const header = ['benchmark', 'result', 'memory', 'goal', 'met'];
  const cells = rows.map((r) => [r.benchmark, r.result, r.memory, r.goal, r.met === null ? '-' : r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
