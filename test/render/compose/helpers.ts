// Renders compose text the way the render step does, with the other files of the
// tree held in a Map.
import { formatDiagnostic } from '../../../src/model/diagnostic.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { Group, Job, Task } from '../../../src/model/job.js';
import { composeRenderer } from '../../../src/render/compose/index.js';
import { renderFile } from '../../../src/render/tree.js';
import type { FormatResult, MappedJob } from '../../../src/render/types.js';

export interface RenderInput {
  path?: string;
  env?: Record<string, string>;
  /** Other files of the tree, by path from the root. */
  files?: Record<string, string>;
  rootName?: string;
}

export function render(text: string, input: RenderInput = {}): FormatResult {
  const files = new Map(Object.entries(input.files ?? {}));
  return composeRenderer.render(
    { path: input.path ?? 'app/docker-compose.yml', text },
    { env: input.env ?? {}, vars: {}, varFiles: [], rootName: input.rootName ?? 'repo', readFile: (path) => files.get(path) },
  );
}

/**
 * Renders as the tree does (`renderFile`): the compose renderer, then the shared
 * validation, with any exception reported as an `internal` diagnostic.
 */
export function renderInTree(text: string, input: RenderInput = {}): FormatResult {
  const encoder = new TextEncoder();
  const files = new Map(Object.entries(input.files ?? {}).map(([path, content]) => [path, encoder.encode(content)]));
  return renderFile({ path: input.path ?? 'app/docker-compose.yml', text }, 'compose', { rootName: input.rootName ?? 'repo', files }, { env: input.env ?? {}, vars: {}, varFiles: [] });
}

/** The one job of a file that must render; fails the test with the diagnostics otherwise. */
export function renderJob(text: string, input: RenderInput = {}): MappedJob {
  const result = render(text, input);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || result.jobs.length !== 1) {
    throw new Error(`expected one job without errors, got ${result.jobs.length} jobs and:\n${lines(result.diagnostics).join('\n')}`);
  }
  return result.jobs[0]!;
}

export function firstGroup(text: string, input: RenderInput = {}): Group {
  return renderJob(text, input).job.groups[0]!;
}

export function firstTask(text: string, input: RenderInput = {}): Task {
  return firstGroup(text, input).tasks[0]!;
}

export function jobOf(text: string, input: RenderInput = {}): Job {
  return renderJob(text, input).job;
}

export function lines(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map(formatDiagnostic);
}

/** The formatted diagnostics of a file. */
export function diagnosticsOf(text: string, input: RenderInput = {}): string[] {
  return lines(render(text, input).diagnostics);
}

/** A service `web` with `image: nginx` and the given lines indented under it. */
export function service(...body: string[]): string {
  return ['services:', '  web:', '    image: nginx', ...body.map((l) => `    ${l}`)].join('\n') + '\n';
}
