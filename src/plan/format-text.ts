// Plans as text, laid out as `nomad job plan` lays them out (command/agent job_plan.go):
// markers, alignment, update counts, the dry-run and check-index footer.
import type { DiffType, FieldDiff, GroupDiff, JobDiff, ObjectDiff, TaskDiff } from './diff.js';
import type { GroupPlan } from './group-plan.js';
import type { JobPlan } from './plan.js';

export interface TextOptions {
  /** ANSI colours, for a terminal. */
  color: boolean;
  /** Show unchanged fields and the insides of added and deleted tasks. */
  verbose?: boolean;
  /** The check-index hint for `deckhand run`; pull-request comments leave it out. */
  checkIndexHint?: boolean;
}

type Paint = (code: string, text: string) => string;

const codes: Record<string, string> = { bold: '1', green: '32', red: '31', yellow: '33', lightYellow: '93', cyan: '36' };

function painter(color: boolean): Paint {
  return (code, text) => (color ? `\u001b[${codes[code]}m${text}\u001b[0m` : text);
}

function marker(type: DiffType, paint: Paint): [string, number] {
  switch (type) {
    case 'Added':
      return [`${paint('green', '+')} `, 2];
    case 'Deleted':
      return [`${paint('red', '-')} `, 2];
    case 'Edited':
      return [`${paint('lightYellow', '+/-')} `, 4];
    default:
      return ['', 0];
  }
}

const space = (n: number) => ' '.repeat(Math.max(0, n));

/** The diff part of a plan (also what `history -p` prints). */
export function formatDiffText(diff: JobDiff, groups: GroupPlan[] | null, options: TextOptions): string {
  const paint = painter(options.color);
  const [m] = marker(diff.type, paint);
  let out = `${m}${paint('bold', `Job: ${JSON.stringify(diff.id)}`)}\n`;
  const { longestField, longestMarker: fieldMarker } = longestPrefixes(diff.fields, diff.objects);
  const longestMarker = Math.max(fieldMarker, ...diff.groups.map((g) => marker(g.type, paint)[1]));
  if (diff.type === 'Edited' || options.verbose) {
    const fo = alignedFieldsAndObjects(diff.fields, diff.objects, 0, longestField, longestMarker, paint);
    if (fo) out += `${fo}\n`;
  }
  for (const group of diff.groups) {
    const counts = groups?.find((g) => g.name === group.name) ?? null;
    out += `${formatGroup(group, counts, longestMarker - marker(group.type, paint)[1], options, paint)}\n`;
  }
  return out.trim();
}

export function formatPlanText(plan: JobPlan, file: string, options: TextOptions): string {
  const paint = painter(options.color);
  const lines = [formatDiffText(plan.diff, plan.groups, options), '', paint('bold', 'Scheduler dry-run:'), '- All tasks successfully allocated.'];
  if (options.checkIndexHint === false) return `${lines.join('\n')}\n`;
  lines.push(
    '',
    paint('bold', `Job Modify Index: ${plan.checkIndex}`),
    'To submit the job with version verification run:',
    '',
    `deckhand run --check-index ${plan.checkIndex} ${file}`,
    '',
    'When running the job with the check-index flag, the job will only be run if the',
    'server side version matches the job modify index returned. If the index has',
    "changed, another user has modified the job and the plan's results are",
    'potentially invalid.',
  );
  return `${lines.join('\n')}\n`;
}

/** `(6 create/destroy update, 1 canary)`: Nomad's update kinds, in its (alphabetical) order. */
export function updateCounts(plan: GroupPlan, paint: Paint = painter(false)): string {
  const kinds: Array<[string, number, string]> = [
    ['canary', plan.canary, 'lightYellow'],
    ['create', plan.create, 'green'],
    ['create/destroy update', plan.destructiveUpdate, 'yellow'],
    ['destroy', plan.destroy, 'red'],
    ['ignore', plan.ignore, ''],
    ['in-place update', plan.inPlaceUpdate, 'cyan'],
  ];
  return kinds
    .filter(([, n]) => n > 0)
    .map(([name, n, color]) => (color ? paint(color, `${n} ${name}`) : `${n} ${name}`))
    .join(', ');
}

function formatGroup(group: GroupDiff, counts: GroupPlan | null, prefix: number, options: TextOptions, paint: Paint): string {
  const [m] = marker(group.type, paint);
  const summary = counts ? updateCounts(counts, paint) : '';
  let out = `${m}${space(prefix)}${paint('bold', `Task Group: ${JSON.stringify(group.name)}`)}${summary ? ` (${summary})` : ''}\n`;
  const { longestField, longestMarker: fieldMarker } = longestPrefixes(group.fields, group.objects);
  const longestMarker = Math.max(fieldMarker, ...group.tasks.map((t) => marker(t.type, paint)[1]));
  const start = prefix + 2;
  if (group.type === 'Edited' || options.verbose) {
    const fo = alignedFieldsAndObjects(group.fields, group.objects, start, longestField, longestMarker, paint);
    if (fo) out += `${fo}\n`;
  }
  for (const task of group.tasks) {
    out += `${formatTask(task, start, longestMarker - marker(task.type, paint)[1], options, paint)}\n`;
  }
  return out;
}

function formatTask(task: TaskDiff, start: number, prefix: number, options: TextOptions, paint: Paint): string {
  const [m] = marker(task.type, paint);
  let out = `${space(start)}${m}${space(prefix)}${paint('bold', `Task: ${JSON.stringify(task.name)}`)}`;
  if (task.annotations.length) out += ` (${task.annotations.map((a) => paintAnnotation(a, paint)).join(', ')})`;
  if (task.type === 'None' || ((task.type === 'Added' || task.type === 'Deleted') && !options.verbose)) return out;
  const { longestField, longestMarker } = longestPrefixes(task.fields, task.objects);
  return `${out}\n${alignedFieldsAndObjects(task.fields, task.objects, start + 2, longestField, longestMarker, paint)}`;
}

function alignedFieldsAndObjects(fields: FieldDiff[], objects: ObjectDiff[], start: number, longestField: number, longestMarker: number, paint: Paint): string {
  const lines: string[] = [];
  for (const field of fields) {
    const [m, length] = marker(field.type, paint);
    const value = field.type === 'Added' ? q(field.new) : field.type === 'Deleted' ? q(field.old) : field.type === 'Edited' ? `${q(field.old)} => ${q(field.new)}` : q(field.new);
    const annotations = field.annotations.length ? ` (${field.annotations.map((a) => paintAnnotation(a, paint)).join(', ')})` : '';
    lines.push(`${space(start)}${m}${space(longestMarker - length)}${field.name}: ${space(longestField - field.name.length)}${value}${annotations}`);
  }
  for (const object of objects) {
    const [m, length] = marker(object.type, paint);
    lines.push(formatObject(object, start, longestMarker - length, m, length, paint));
  }
  return lines.join('\n');
}

function formatObject(object: ObjectDiff, start: number, keyPrefix: number, m: string, markerLength: number, paint: Paint): string {
  const { longestField, longestMarker } = longestPrefixes(object.fields, object.objects);
  const inner = alignedFieldsAndObjects(object.fields, object.objects, start + keyPrefix + 2, longestField, longestMarker, paint);
  return `${space(start)}${m}${space(keyPrefix)}${object.name} {\n${inner}\n${space(start + markerLength + keyPrefix)}}`;
}

function longestPrefixes(fields: FieldDiff[], objects: ObjectDiff[]): { longestField: number; longestMarker: number } {
  const paint = painter(false);
  return {
    longestField: Math.max(0, ...fields.map((f) => f.name.length)),
    longestMarker: Math.max(0, ...fields.map((f) => marker(f.type, paint)[1]), ...objects.map((o) => marker(o.type, paint)[1])),
  };
}

function paintAnnotation(annotation: string, paint: Paint): string {
  if (annotation === 'forces create') return paint('green', annotation);
  if (annotation === 'forces destroy') return paint('red', annotation);
  if (annotation === 'forces in-place update') return paint('cyan', annotation);
  return paint('yellow', annotation);
}

/** Go's %q for the strings plans show. */
function q(value: string): string {
  return JSON.stringify(value);
}
