// The phantom-change checks: a job file and a reformatted text of it must render
// to jobs that diff as None, hash the same, and plan to no change against
// allocations that run the original. Each check returns what went wrong (or
// null), with enough of the evidence to see why.
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import { formatDiagnostic } from '../../../src/model/diagnostic.js';
import type { Job } from '../../../src/model/job.js';
import { groupSpecHash, jobSpecHash } from '../../../src/model/spec/change-rules.js';
import type { JobDiff } from '../../../src/plan/diff.js';
import { diffJobs } from '../../../src/plan/diff.js';
import type { LiveAllocation } from '../../../src/plan/group-plan.js';
import { planJob } from '../../../src/plan/plan.js';
import { renderTree } from '../../../src/render/tree.js';
import { render, treeOf } from '../../helpers/render.js';
import type { JobFile } from './fixtures.js';

export interface Rendered {
  jobs: Job[];
  diagnostics: Diagnostic[];
}

const cache = new Map<string, Rendered>();

const renders = new Map<string, Rendered>();

/** Renders a text as `file` (same path, same format), as the tree renderer would; remembered, as the checks share cases. */
export function renderAs(file: JobFile, text: string): Rendered {
  const key = `${file.path}\u0000${text}`;
  let rendered = renders.get(key);
  if (!rendered) {
    const result = render(text, { format: file.format, path: file.path });
    rendered = { jobs: result.jobs.map((j) => j.job), diagnostics: result.diagnostics };
    if (renders.size > 2000) renders.clear();
    renders.set(key, rendered);
  }
  return rendered;
}

/** The original file's rendering, which must be clean. */
export function renderOriginal(file: JobFile): Rendered {
  let rendered = cache.get(file.path);
  if (!rendered) {
    rendered = renderAs(file, file.text);
    const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length || rendered.jobs.length === 0) throw new Error(`fixture ${file.path} does not render:\n${errors.map(formatDiagnostic).join('\n')}`);
    cache.set(file.path, rendered);
  }
  return rendered;
}

const codes = (diagnostics: Diagnostic[]) => new Set(diagnostics.map((d) => `${d.severity}:${d.code}`));

/** (1) The reformatted text renders: no errors, the same jobs, and no kind of warning the original did not have. */
export function checkRenders(file: JobFile, text: string): string | null {
  const original = renderOriginal(file);
  const next = renderAs(file, text);
  const errors = next.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return `renders with errors:\n${errors.map(formatDiagnostic).join('\n')}`;
  const ids = (r: Rendered) => r.jobs.map((j) => j.id).sort().join(', ');
  if (ids(next) !== ids(original)) return `renders jobs [${ids(next)}], the original [${ids(original)}]`;
  const known = codes(original.diagnostics);
  const added = next.diagnostics.filter((d) => !known.has(`${d.severity}:${d.code}`));
  if (added.length) return `renders with diagnostics the original does not have:\n${added.map(formatDiagnostic).join('\n')}`;
  return null;
}

/** Pairs each original job with the reformatted job of the same id. */
function pairs(file: JobFile, text: string): Array<[Job, Job]> | string {
  const next = renderAs(file, text);
  const errors = next.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return `renders with errors:\n${errors.map(formatDiagnostic).join('\n')}`;
  const out: Array<[Job, Job]> = [];
  for (const job of renderOriginal(file).jobs) {
    const match = next.jobs.find((j) => j.id === job.id);
    if (!match) return `job "${job.id}" is gone`;
    out.push([job, match]);
  }
  return out;
}

/** The changed parts of a diff, for messages. */
export function describeDiff(diff: JobDiff): string {
  const lines: string[] = [];
  const fields = (where: string, list: JobDiff['fields']) => {
    for (const f of list) if (f.type !== 'None') lines.push(`${where}${f.name}: ${f.type} ${JSON.stringify(f.old)} => ${JSON.stringify(f.new)}`);
  };
  const objects = (where: string, list: JobDiff['objects']) => {
    for (const o of list) {
      if (o.type === 'None') continue;
      lines.push(`${where}${o.name}: ${o.type}`);
      fields(`${where}${o.name}.`, o.fields);
    }
  };
  fields('job.', diff.fields);
  objects('job.', diff.objects);
  for (const g of diff.groups) {
    if (g.type === 'None') continue;
    if (g.type !== 'Edited') lines.push(`group "${g.name}": ${g.type}`);
    fields(`group "${g.name}".`, g.fields);
    objects(`group "${g.name}".`, g.objects);
    for (const t of g.tasks) {
      if (t.type === 'None') continue;
      if (t.type !== 'Edited') lines.push(`task "${g.name}/${t.name}": ${t.type}`);
      fields(`task "${g.name}/${t.name}".`, t.fields);
      objects(`task "${g.name}/${t.name}".`, t.objects);
    }
  }
  return lines.join('\n');
}

/** (2) diffJobs(original, reformatted) is None. */
export function checkDiff(file: JobFile, text: string): string | null {
  const paired = pairs(file, text);
  if (typeof paired === 'string') return paired;
  for (const [a, b] of paired) {
    const diff = diffJobs(a, b);
    if (diff.type !== 'None') return `diff of job "${a.id}" is ${diff.type}:\n${describeDiff(diff)}`;
  }
  return null;
}

/** (3) jobSpecHash and every groupSpecHash are the same. */
export function checkHashes(file: JobFile, text: string): string | null {
  const paired = pairs(file, text);
  if (typeof paired === 'string') return paired;
  for (const [a, b] of paired) {
    if (jobSpecHash(a) !== jobSpecHash(b)) return `jobSpecHash of job "${a.id}" differs:\n${modelDifference(a, b)}`;
    for (const group of a.groups) {
      const other = b.groups.find((g) => g.name === group.name);
      if (!other) return `group "${group.name}" is gone`;
      if (groupSpecHash(group) !== groupSpecHash(other)) return `groupSpecHash of group "${group.name}" differs:\n${modelDifference(group, other)}`;
    }
  }
  return null;
}

/** Allocations that run `job` as version `version`: one per count, each with its group's hash, healthy. */
export function allocationsRunning(job: Job, version: number): LiveAllocation[] {
  return job.groups.flatMap((group) => {
    const specHash = groupSpecHash(group);
    return Array.from({ length: group.count }, (_, index) => ({
      id: `${(index + 1).toString(16).padStart(8, '0')}-${group.name}`,
      group: group.name,
      index,
      version,
      specHash,
      healthy: true,
    }));
  });
}

/** (4) The plan against the original as the current version, with its allocations running, changes nothing. */
export function checkPlan(file: JobFile, text: string): string | null {
  const paired = pairs(file, text);
  if (typeof paired === 'string') return paired;
  for (const [a, b] of paired) {
    const plan = planJob({ job: b, current: { job: a, version: 1, modifyIndex: 7, stopped: false }, live: { allocations: allocationsRunning(a, 1) } });
    const problems: string[] = [];
    if (plan.changes) problems.push('changes: true');
    if (plan.version !== 1) problems.push(`version ${plan.version}, not 1`);
    for (const group of a.groups) {
      const counts = plan.groups.find((g) => g.name === group.name);
      if (!counts) {
        problems.push(`no plan for group "${group.name}"`);
        continue;
      }
      const { name: _name, ignore, ...others } = counts;
      if (ignore !== group.count) problems.push(`group "${group.name}": ignore ${ignore}, not ${group.count}`);
      for (const [kind, n] of Object.entries(others)) if (n !== 0) problems.push(`group "${group.name}": ${kind} ${n}`);
    }
    if (problems.length) return `plan of job "${a.id}" shows changes: ${problems.join('; ')}\n${describeDiff(plan.diff)}`;
  }
  return null;
}

/** (5) Rendering the file as part of a tree (as `deckhand plan DIR` and the agent do) still finds the same jobs. */
const discovered = new Map<string, string>();

export function checkDiscovered(file: JobFile, text: string): string | null {
  const options = { env: {}, vars: {}, varFiles: [] };
  const ids = (t: string) => renderTree(treeOf({ [file.path]: t }), options).jobs.map((j) => j.job.id).sort().join(', ');
  const before = discovered.get(file.path) ?? ids(file.text);
  discovered.set(file.path, before);
  const after = ids(text);
  if (before !== after) return `renderTree finds jobs [${after}], for the original [${before}]`;
  return null;
}

/** Groups, tasks and ports in name order, as the spec hash takes them. */
function byName(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(byName);
    const named = items.every((i) => typeof i === 'object' && i !== null && ('name' in i || 'label' in i));
    const key = (i: unknown) => String((i as { name?: string; label?: string }).name ?? (i as { label?: string }).label);
    return named ? [...items].sort((x, y) => key(x).localeCompare(key(y))) : items;
  }
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, byName(v)]));
  return value;
}

/** The first paths where two model values differ (lists of named things matched by name), for messages. */
export function modelDifference(a: unknown, b: unknown): string {
  return differences(byName(a), byName(b));
}

function differences(a: unknown, b: unknown, path = '', out: string[] = []): string {
  if (out.length >= 8) return out.join('\n');
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key, out);
  } else if (a !== b) {
    out.push(`${path}: ${JSON.stringify(a)} => ${JSON.stringify(b)}`);
  }
  return out.join('\n');
}

export const checks = {
  'renders without errors': checkRenders,
  'diffJobs is None': checkDiff,
  'spec hashes are equal': checkHashes,
  'plan shows no change': checkPlan,
  'renderTree still finds the jobs': checkDiscovered,
} as const;

export type CheckName = keyof typeof checks;
