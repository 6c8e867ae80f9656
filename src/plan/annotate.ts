// Annotations on a job diff, as Nomad's scheduler adds them (scheduler/annotate.go),
// decided by the one table in change-rules.ts.
import { effectOf } from '../model/index.js';
import type { GroupDiff, JobDiff, TaskDiff } from './diff.js';

export const forcesCreate = 'forces create';
export const forcesDestroy = 'forces destroy';
export const forcesDestructiveUpdate = 'forces create/destroy update';
export const forcesInPlaceUpdate = 'forces in-place update';

export function annotate(diff: JobDiff): JobDiff {
  return { ...diff, groups: diff.groups.map(annotateGroup) };
}

function annotateGroup(group: GroupDiff): GroupDiff {
  const fields = group.fields.map((field) => {
    if (field.name !== 'Count' || field.type !== 'Edited') return field;
    const grows = Number(field.new) > Number(field.old);
    return { ...field, annotations: [grows ? forcesCreate : forcesDestroy] };
  });
  return { ...group, fields, tasks: group.tasks.map((task) => annotateTask(task, group)) };
}

function annotateTask(task: TaskDiff, group: GroupDiff): TaskDiff {
  if (task.type === 'None') return task;
  if (group.type === 'Added' || task.type === 'Added') {
    return { ...task, annotations: [group.type === 'Added' ? forcesCreate : forcesDestructiveUpdate] };
  }
  if (group.type === 'Deleted' || task.type === 'Deleted') {
    return { ...task, annotations: [group.type === 'Deleted' ? forcesDestroy : forcesDestructiveUpdate] };
  }
  const changed = [
    ...task.fields.filter((f) => f.type !== 'None').map((f) => f.name),
    ...task.objects.filter((o) => o.type !== 'None').map((o) => o.kind),
  ];
  const destructive = changed.some((name) => effectOf('task', name) === 'destructive');
  return { ...task, annotations: [destructive ? forcesDestructiveUpdate : forcesInPlaceUpdate] };
}
