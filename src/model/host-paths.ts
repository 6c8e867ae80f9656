// Which host paths a bind mount may use: the agent's allow-list (allow-host-path).
// Pure: the agent gives `realpath`, which reads the host. Render judges each job with
// it (an error at the file's line); the Docker driver again before it places one (a
// stored version, reverted to after the list changed, or a link changed since).
import { posix } from 'node:path';

/** Bind mounts' host paths an agent allows. */
export interface HostPathPolicy {
  /** Directories (or files) bind mounts may be at or under: absolute, links resolved. Empty: none. */
  allowed: readonly string[];
  /**
   * The path with its links followed, or null when it does not exist; given by the
   * agent, which runs on the host the containers run on. Absent (`validate` on
   * another machine): `..` is resolved, links are not followed, existence is not checked.
   */
  realpath?(path: string): string | null;
  /** Nothing is checked here: the files go to an agent, which judges host paths by its own allow-list (the CLI's run and plan). */
  judgedByAgent?: boolean;
}

/** The Docker engine's socket: mounting it hands the container the whole host. */
const dockerSockets = ['/var/run/docker.sock', '/run/docker.sock'];

/** Why the policy refuses a bind mount of `source`, or null when it allows it. */
export function hostPathProblem(source: string, policy: HostPathPolicy): { message: string; hint: string } | null {
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
