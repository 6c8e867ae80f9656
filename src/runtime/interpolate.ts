// Nomad's runtime variables: `${NOMAD_PORT_http}` and friends in a task's env,
// command, args and entrypoint, known only once an allocation is placed. The same
// NOMAD_* values are also given to every task as environment variables.
import type { Task } from '../model/index.js';
import type { PlacementRequest } from './driver.js';

/** Where allocations' ports are published unless the agent is told otherwise. */
export const defaultPublishAddress = '127.0.0.1';

export interface TaskContext {
  allocId: string;
  index: number;
  jobId: string;
  group: string;
  task: string;
  /** Port label → host port. */
  ports: Record<string, number>;
  /** Port label → the port the process listens on in its container (bridge networking); absent: the host port. */
  containerPorts?: Record<string, number>;
  /** The address host ports are published on. */
  publishAddress?: string;
  /** The machine's host name, for `${node.unique.name}`. */
  hostname: string;
  /** A Nomad job's meta, the job's then the group's then the task's: NOMAD_META_<key>. */
  meta?: Record<string, string>;
}

/** The context of one task of a placed allocation: its ids, where its ports are, and a Nomad job's meta (NOMAD_META_* belong to Nomad jobs). */
export function placementContext(request: PlacementRequest, task: Task, where: Pick<TaskContext, 'ports' | 'containerPorts' | 'publishAddress' | 'hostname'>): TaskContext {
  const nomad = (request.job?.source as { format?: string } | undefined)?.format === 'nomad';
  return {
    allocId: request.allocId,
    index: request.index,
    jobId: request.jobId,
    group: request.group.name,
    task: task.name,
    ...where,
    ...(nomad ? { meta: { ...request.job?.meta, ...request.group.meta, ...task.meta } } : {}),
  };
}

/** The NOMAD_* environment of a task. */
export function nomadEnvironment(context: TaskContext): Map<string, string> {
  const env = new Map<string, string>([
    ['NOMAD_ALLOC_ID', context.allocId],
    ['NOMAD_ALLOC_INDEX', String(context.index)],
    ['NOMAD_ALLOC_NAME', `${context.jobId}.${context.group}[${context.index}]`],
    ['NOMAD_JOB_NAME', context.jobId],
    ['NOMAD_JOB_ID', context.jobId],
    ['NOMAD_GROUP_NAME', context.group],
    ['NOMAD_TASK_NAME', context.task],
    ['NOMAD_SHORT_ALLOC_ID', context.allocId.slice(0, 8)],
    // Where Nomad's docker driver mounts the task's folders; deckhand mounts a task's
    // template files there (local/x at /local/x, secrets/x at /secrets/x).
    ['NOMAD_TASK_DIR', '/local'],
    ['NOMAD_ALLOC_DIR', '/alloc'],
    ['NOMAD_SECRETS_DIR', '/secrets'],
    // deckhand is one region, one datacenter, Nomad's default namespace.
    ['NOMAD_NAMESPACE', 'default'],
    ['NOMAD_REGION', 'global'],
    ['NOMAD_DC', 'dc1'],
  ]);
  // As in Nomad: NOMAD_PORT_ is what the process binds (the mapped `to` side),
  // NOMAD_HOST_PORT_ and the addresses are where the host reaches it.
  const ip = context.publishAddress ?? defaultPublishAddress;
  for (const [label, port] of Object.entries(context.ports)) {
    const address = `${ip}:${port}`;
    env.set(`NOMAD_PORT_${label}`, String(context.containerPorts?.[label] ?? port));
    env.set(`NOMAD_ALLOC_PORT_${label}`, String(context.containerPorts?.[label] ?? port));
    env.set(`NOMAD_HOST_PORT_${label}`, String(port));
    env.set(`NOMAD_IP_${label}`, ip);
    env.set(`NOMAD_HOST_IP_${label}`, ip);
    env.set(`NOMAD_ADDR_${label}`, address);
    env.set(`NOMAD_HOST_ADDR_${label}`, address);
  }
  // As Nomad: the key as written and upper-cased, characters an environment name cannot hold made "_".
  for (const [key, value] of Object.entries(context.meta ?? {})) {
    const name = key.replace(/[^A-Za-z0-9_]/g, '_');
    env.set(`NOMAD_META_${name}`, value);
    env.set(`NOMAD_META_${name.toUpperCase()}`, value);
  }
  return env;
}

/** Everything `${...}` may name: the NOMAD_* variables and the node attributes Nomad offers. */
export function interpolationVariables(context: TaskContext): Map<string, string> {
  const variables = nomadEnvironment(context);
  variables.set('node.unique.name', context.hostname);
  variables.set('attr.kernel.name', 'linux');
  return variables;
}

/** Replaces every known `${name}`; unknown ones stay as written. */
export function interpolate(text: string, variables: Map<string, string>): string {
  return text.replace(/\$\{([^{}]+)\}/g, (whole, name: string) => variables.get(name.trim()) ?? whole);
}

export interface InterpolatedTask {
  /** The NOMAD_* variables, then the task's own env (which wins). */
  env: Map<string, string>;
  /** What `${...}` names in the rest of the task's settings: Nomad's variables, then the task's environment, as Nomad's runtime reads them. */
  variables: Map<string, string>;
  command: string | null;
  args: string[] | null;
  entrypoint: string[] | null;
}

/**
 * As Nomad's runtime: env values are filled from Nomad's variables; command, args,
 * entrypoint (and the driver config, interpolate-settings.ts) from those and the
 * task's environment, so `${RTSERVER}` reads the task's RTSERVER. A name neither
 * knows stays as written.
 */
export function interpolateTask(task: Task, context: TaskContext): InterpolatedTask {
  const nomadVariables = interpolationVariables(context);
  const env = nomadEnvironment(context);
  // The task's reservations, as Nomad gives them: MHz and MB.
  if (task.resources.cpu !== null) nomadVariables.set('NOMAD_CPU_LIMIT', String(task.resources.cpu));
  if (task.resources.memoryMB !== null) nomadVariables.set('NOMAD_MEMORY_LIMIT', String(task.resources.memoryMB));
  for (const name of ['NOMAD_CPU_LIMIT', 'NOMAD_MEMORY_LIMIT']) if (nomadVariables.has(name)) env.set(name, nomadVariables.get(name)!);
  for (const [name, value] of Object.entries(task.env)) env.set(name, interpolate(value, nomadVariables));
  const variables = new Map([...nomadVariables, ...env]);
  return {
    env,
    variables,
    command: task.command === null ? null : interpolate(task.command, variables),
    args: task.args?.map((arg) => interpolate(arg, variables)) ?? null,
    entrypoint: task.entrypoint?.map((part) => interpolate(part, variables)) ?? null,
  };
}
