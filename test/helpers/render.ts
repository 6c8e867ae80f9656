// Renders job text in-process, as the tree renderer would (format mapping + shared validation).
import { formatDiagnostic } from '../../src/model/diagnostic.js';
import type { Job, JobFormat } from '../../src/model/job.js';
import { renderFile } from '../../src/render/tree.js';
import type { SourceTree } from '../../src/render/tree.js';
import type { RenderOptions } from '../../src/render/types.js';

export function treeOf(files: Record<string, string>, rootName = 'repo'): SourceTree {
  const encoder = new TextEncoder();
  return { rootName, files: new Map(Object.entries(files).map(([path, text]) => [path, encoder.encode(text)])) };
}

export function render(
  text: string,
  { format = 'nomad', path = 'job.nomad', options = {}, files = {} }: { format?: JobFormat; path?: string; options?: Partial<RenderOptions>; files?: Record<string, string> } = {},
) {
  const result = renderFile({ path, text }, format, treeOf(files), { env: {}, vars: {}, varFiles: [], ...options });
  return { ...result, lines: result.diagnostics.map(formatDiagnostic) };
}

/** The single job of a file that must render cleanly. */
export function renderJob(text: string, opts: Parameters<typeof render>[1] = {}): Job {
  const result = render(text, opts);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || result.jobs.length !== 1) throw new Error(`expected one job, got:\n${result.lines.join('\n')}`);
  return result.jobs[0]!.job;
}
