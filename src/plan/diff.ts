// Job diffs in the shape of Nomad's (nomad/structs/diff.go): a tree of object and
// field diffs typed Added / Deleted / Edited / None, in a stable order.
// Annotations are added afterwards by annotate.ts; formatting is another layer.
import type { Fields, FlatGroup, FlatObject, FlatTask, Job } from '../model/index.js';
import { flattenJob } from '../model/index.js';

export type DiffType = 'Added' | 'Deleted' | 'Edited' | 'None';

export interface FieldDiff {
  type: DiffType;
  name: string;
  old: string;
  new: string;
  annotations: string[];
}

export interface ObjectDiff {
  type: DiffType;
  name: string;
  fields: FieldDiff[];
  objects: ObjectDiff[];
  /** The object kind (`Update`, `Config`...), for the change rules. */
  kind: string;
}

export interface TaskDiff {
  type: DiffType;
  name: string;
  fields: FieldDiff[];
  objects: ObjectDiff[];
  annotations: string[];
}

export interface GroupDiff {
  type: DiffType;
  name: string;
  fields: FieldDiff[];
  objects: ObjectDiff[];
  tasks: TaskDiff[];
}

export interface JobDiff {
  type: DiffType;
  id: string;
  fields: FieldDiff[];
  objects: ObjectDiff[];
  groups: GroupDiff[];
}

/** Diffs two versions of a job; `old` null for a new job, `next` null for a job going away. */
export function diffJobs(old: Job | null, next: Job | null): JobDiff {
  const a = old ? flattenJob(old) : null;
  const b = next ? flattenJob(next) : null;
  const id = (b ?? a)?.id ?? '';
  const fields = diffFields(a?.fields ?? null, b?.fields ?? null, false);
  const objects = diffObjects(a?.objects ?? null, b?.objects ?? null);
  const groups = pair(a?.groups ?? null, b?.groups ?? null).map(([x, y]) => diffGroup(x, y));
  return { type: typeOf(a, b, [...fields, ...objects, ...groups]), id, fields, objects, groups };
}

function diffGroup(a: FlatGroup | null, b: FlatGroup | null): GroupDiff {
  const fields = diffFields(a?.fields ?? null, b?.fields ?? null, false);
  const objects = diffObjects(a?.objects ?? null, b?.objects ?? null);
  const tasks = pair(a?.tasks ?? null, b?.tasks ?? null).map(([x, y]) => diffTask(x, y));
  const name = (b ?? a)!.name;
  return { type: typeOf(a, b, [...fields, ...objects, ...tasks]), name, fields, objects, tasks };
}

function diffTask(a: FlatTask | null, b: FlatTask | null): TaskDiff {
  const fields = diffFields(a?.fields ?? null, b?.fields ?? null, false);
  const objects = diffObjects(a?.objects ?? null, b?.objects ?? null);
  return { type: typeOf(a, b, [...fields, ...objects]), name: (b ?? a)!.name, fields, objects, annotations: [] };
}

function diffObjects(a: FlatObject[] | null, b: FlatObject[] | null): ObjectDiff[] {
  return pair(a, b)
    .map(([x, y]) => diffObject(x, y))
    .filter((o) => o.type !== 'None');
}

/**
 * An object's diff. An edited object lists its unchanged fields too, so the
 * change reads in context (`nomad job plan` does the same).
 */
function diffObject(a: FlatObject | null, b: FlatObject | null): ObjectDiff {
  const fields = diffFields(a?.fields ?? null, b?.fields ?? null, true);
  const changed = fields.filter((f) => f.type !== 'None');
  const type: DiffType = !a ? 'Added' : !b ? 'Deleted' : changed.length ? 'Edited' : 'None';
  const { name, kind } = (b ?? a)!;
  return { type, name, kind, fields: type === 'None' ? [] : fields, objects: [] };
}

function diffFields(a: Fields | null, b: Fields | null, contextual: boolean): FieldDiff[] {
  const names = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort(compareNames);
  const out: FieldDiff[] = [];
  for (const name of names) {
    const before = a && Object.hasOwn(a, name) ? a[name]! : null;
    const after = b && Object.hasOwn(b, name) ? b[name]! : null;
    const type: DiffType = before === null ? 'Added' : after === null ? 'Deleted' : before === after ? 'None' : 'Edited';
    // A field that only appears with its object is shown in context; alone it is news only when it changed.
    if (type === 'None' && !contextual) continue;
    if ((type === 'Added' && after === '') || (type === 'Deleted' && before === '')) continue;
    out.push({ type, name, old: before ?? '', new: after ?? '', annotations: [] });
  }
  return out;
}

/** Matches items of two lists by name, in name order. */
function pair<T extends { name: string }>(a: T[] | null, b: T[] | null): Array<[T | null, T | null]> {
  const names = [...new Set([...(a ?? []).map((x) => x.name), ...(b ?? []).map((x) => x.name)])].sort(compareNames);
  return names.map((name) => [a?.find((x) => x.name === name) ?? null, b?.find((x) => x.name === name) ?? null]);
}

function typeOf(a: unknown, b: unknown, children: Array<{ type: DiffType }>): DiffType {
  if (!a && !b) return 'None';
  if (!a) return 'Added';
  if (!b) return 'Deleted';
  return children.some((c) => c.type !== 'None') ? 'Edited' : 'None';
}

/** Name order, with list indexes in number order: args[2] before args[10]. One collator: making one per call is slow. */
const collator = new Intl.Collator('en', { numeric: true });
const compareNames = (a: string, b: string): number => collator.compare(a, b);
