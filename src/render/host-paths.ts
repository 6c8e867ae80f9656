// Bind mounts of host paths, checked against the agent's allow-list (its
// `allow-host-path` settings): a repository must not be able to mount `/`, the
// Docker socket or /etc into a container unless the operator said so. Run on
// every rendered job (tree.ts), at plan and submit time, before anything runs.
//
// The paths are compared after `..` is resolved and, where the policy can read
// the host (the agent: `realpath`), after links are followed: a link under an
// allowed directory that leads elsewhere is judged by where it leads.
import { posix } from 'node:path';
import type { Diagnostic, Job } from '../model/index.js';
import type { FieldMap, HostPathPolicy } from './types.js';
import { locate } from './validate.js';


/** The Docker engine's socket: mounting it hands the container the whole host. */
const dockerSockets = ['/var/run/docker.sock', '/run/docker.sock'];

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

function hostPathProblem(source: string, policy: HostPathPolicy): { message: string; hint: string } | null {
  const allowedText = policy.allowed.length ? policy.allowed.join(', ') : 'none';
  const hint = policy.allowed.length
    ? `mount a path under ${policy.allowed.join(' or ')}, or use a named volume`
    : 'use a named volume for data, or start the agent with --allow-host-path DIR to let jobs mount what is under DIR';
  if (!source.startsWith('/')) return { message: `host path "${source}" is not absolute`, hint };
  const normal = posix.normalize(source).replace(/(.)\/$/, '$1');
  if (normal === '/') return { message: 'mounting the host\'s root directory (/) is refused: it hands the container every file of the host', hint };
  let resolved = normal;
  if (policy.realpath) {
    const real = policy.realpath(normal);
    if (real === null) return { message: `host path ${normal} does not exist on the agent's host`, hint: 'create it first: deckhand does not make host directories' };
    resolved = real;
  }
  const shown = resolved === normal ? normal : `${normal} (a link to ${resolved})`;
  if (resolved === '/') return { message: `mounting the host's root directory (/) is refused: ${shown} hands the container every file of the host`, hint };
  if (dockerSockets.includes(resolved) && !policy.allowed.includes(resolved)) {
    return {
      message: `mounting the Docker socket (${shown}) is refused: it hands the container control of the whole host`,
      hint: `only an agent started with --allow-host-path ${resolved} (the socket itself) lets a job mount it`,
    };
  }
  if (policy.allowed.some((dir) => resolved === dir || resolved.startsWith(dir.endsWith('/') ? dir : `${dir}/`))) return null;
  return { message: `host path ${shown} is not under a directory the agent allows (allow-host-path: ${allowedText})`, hint };
}
