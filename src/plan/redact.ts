// Plans show secret values as "(sensitive)": a changed password still shows as a
// change (the diff is computed on the real values first), never as its value.
import { fileObjectKinds, isSensitiveName, maskUrlPasswords, secretEnvPrefix, sensitiveMask } from '../model/index.js';
import type { Job } from '../model/index.js';
import { annotate } from './annotate.js';
import type { FieldDiff, JobDiff, ObjectDiff } from './diff.js';
import { diffJobs } from './diff.js';

/** `Env[DB_PASSWORD]`, `Meta[deploy_token]`, `LogOptions[splunk-token]`: the map fields whose key names a secret. */
const mapField = /^(?:Env|Meta|Labels|LogOptions)\[(.*)\]$/;

function shownField(field: FieldDiff): FieldDiff {
  const key = mapField.exec(field.name)?.[1];
  const secret = field.name.startsWith(secretEnvPrefix) || (key !== undefined && isSensitiveName(key));
  const show = (value: string) => (value === '' ? value : secret ? sensitiveMask : maskUrlPasswords(value));
  return { ...field, old: show(field.old), new: show(field.new) };
}

/** A registry password (Nomad `auth {}`): a change shows, its value never does. */
function shownCredential(field: FieldDiff): FieldDiff {
  const hide = (value: string) => (value === '' ? value : sensitiveMask);
  return field.name === 'Password' ? { ...field, old: hide(field.old), new: hide(field.new) } : field;
}

/** A secret file's every field but its mode is masked (content, encoding). */
function shownSecretField(field: FieldDiff): FieldDiff {
  if (field.name === 'Mode') return field;
  const show = (value: string) => (value === '' ? value : sensitiveMask);
  return { ...field, old: show(field.old), new: show(field.new) };
}

const isSecretObject = (object: ObjectDiff) => object.kind === fileObjectKinds.sensitive;

function shownObject(object: ObjectDiff): ObjectDiff {
  const fields = object.fields.map(isSecretObject(object) ? shownSecretField : shownField);
  return { ...object, fields: object.kind === 'RegistryAuth' ? fields.map(shownCredential) : fields, objects: object.objects.map(shownObject) };
}

export function redactDiff(diff: JobDiff): JobDiff {
  return {
    ...diff,
    fields: diff.fields.map(shownField),
    objects: diff.objects.map(shownObject),
    groups: diff.groups.map((group) => ({
      ...group,
      fields: group.fields.map(shownField),
      objects: group.objects.map(shownObject),
      tasks: group.tasks.map((task) => ({ ...task, fields: task.fields.map(shownField), objects: task.objects.map(shownObject) })),
    })),
  };
}

/** One version against the one before it, as `history -p` shows it (Nomad's `versions?diffs=true`). */
export function versionDiff(previous: Job, next: Job): JobDiff {
  return redactDiff(annotate(diffJobs(previous, next)));
}
