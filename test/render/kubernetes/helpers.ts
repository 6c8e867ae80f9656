// Shared by the Kubernetes renderer's tests: render text or objects, read the result.
import { stringify } from 'yaml';
import { formatDiagnostic, sortDiagnostics } from '../../../src/model/diagnostic.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { Group, Job, Task } from '../../../src/model/job.js';
import { kubernetesRenderer } from '../../../src/render/kubernetes/index.js';
import { renderFile } from '../../../src/render/tree.js';
import type { FormatResult, RenderContext } from '../../../src/render/types.js';
import { validateJob } from '../../../src/render/validate.js';
import { checkHostPaths } from '../../../src/render/host-paths.js';

export const context: RenderContext = { env: {}, vars: {}, varFiles: [], rootName: 'jobs', readFile: () => undefined };

export function render(text: string, path = 'app.yaml'): FormatResult {
  return kubernetesRenderer.render({ path, text }, context);
}

/**
 * Renders as the tree does (`renderFile`): the Kubernetes renderer, then the shared
 * validation, with any exception reported as an `internal` diagnostic.
 */
export function renderInTree(text: string, path = 'app.yaml'): FormatResult {
  return renderFile({ path, text }, 'kubernetes', { rootName: context.rootName, files: new Map() }, { env: {}, vars: {}, varFiles: [] });
}

/** Renders objects as the documents of one file. */
export function renderObjects(...documents: unknown[]): FormatResult {
  return render(documents.map((d) => stringify(d)).join('---\n'));
}

interface Patch {
  metadata?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  pod?: Record<string, unknown>;
  container?: Record<string, unknown>;
}

/** A small valid Deployment `web` (2 replicas, one container), with parts replaced. */
export function deployment(patch: Patch = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', ...patch.metadata },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'demo:v1', ...patch.container }], ...patch.pod },
      },
      ...patch.spec,
    },
  };
}

/** The one job of a result that must have no errors. */
export function onlyJob(result: FormatResult): Job {
  expect(errors(result)).toEqual([]);
  expect(result.jobs).toHaveLength(1);
  return result.jobs[0]!.job;
}

export function onlyGroup(result: FormatResult): Group {
  return onlyJob(result).groups[0]!;
}

export function firstTask(result: FormatResult): Task {
  return onlyGroup(result).tasks[0]!;
}

export function errors(result: FormatResult): string[] {
  return lines(result.diagnostics.filter((d) => d.severity === 'error'));
}

/** The renderer's diagnostics plus the shared validation's, as the CLI prints them. */
export function allLines(result: FormatResult): string[] {
  return lines([...result.diagnostics, ...result.jobs.flatMap((j) => [...validateJob(j.job, j.fields), ...checkHostPaths(j.job, j.fields)])]);
}

export function lines(diagnostics: Diagnostic[]): string[] {
  return sortDiagnostics(diagnostics).map(formatDiagnostic);
}

/** The one diagnostic of a result. */
export function onlyDiagnostic(result: FormatResult): Diagnostic {
  expect(lines(result.diagnostics)).toHaveLength(1);
  return result.diagnostics[0]!;
}
