// Bind mounts of host paths, checked against the agent's allow-list (its
// `allow-host-path` settings): a repository must not be able to mount `/`, the
// Docker socket or /etc into a container unless the operator said so. Run on
// every rendered job (tree.ts), at plan and submit time, before anything runs.
//
// The paths are compared after `..` is resolved and, where the policy can read
// the host (the agent: `realpath`), after links are followed: a link under an
// allowed directory that leads elsewhere is judged by where it leads.
import { hostPathProblem } from '../model/index.js';
import type { Diagnostic, HostPathPolicy, Job } from '../model/index.js';
import type { FieldMap } from './types.js';
import { locate } from './validate.js';

export const noHostPaths: HostPathPolicy = { allowed: [] };

/** Each bind mount whose host path the policy does not allow, at its field. */
export function checkHostPaths(job: Job, fields: FieldMap, policy: HostPathPolicy = noHostPaths): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (policy.judgedByAgent) return out;
  job.groups.forEach((group, gi) =>
    group.tasks.forEach((task, ti) =>
      (task.mounts ?? []).forEach((mount, mi) => {
        if (mount.type !== 'bind') return;
        const problem = hostPathProblem(mount.source, policy);
        if (!problem) return;
        const origin = locate(fields, `groups.${gi}.tasks.${ti}.mounts.${mi}`);
        out.push({
          severity: 'error',
          code: 'host-path-not-allowed',
          file: origin.file ?? job.source.file,
          line: origin.pos.line,
          col: origin.pos.col,
          field: origin.field,
          message: problem.message,
          hint: problem.hint,
        });
      }),
    ),
  );
  return out;
}

/** Whether any task of the job mounts a host path (its render then depends on the host, not only on its files). */
export function mountsHostPaths(job: Job): boolean {
  return job.groups.some((g) => g.tasks.some((t) => (t.mounts ?? []).some((m) => m.type === 'bind')));
}
