// A task as Docker's container-create body (pure): name, labels, env with the
// NOMAD_* variables, host networking, init, restart policy, resources, and exec
// checks as the container's HEALTHCHECK.
import type Docker from 'dockerode';
import type { Check, Port, RestartPolicy, Task } from '../../model/index.js';
import type { PlacementRequest } from '../driver.js';
import { interpolate, interpolateTask, interpolationVariables } from '../interpolate.js';
import type { TaskContext } from '../interpolate.js';
import { containerLabels } from './labels.js';

export interface SpecOptions {
  hostname: string;
  stopTimeoutSeconds: number;
  extraLabels: Record<string, string>;
}

const msToNs = (ms: number) => Math.round(ms * 1e6);

/** `<job>-<group>-<index>-<alloc8>`, plus `-<task>` when the group has several tasks (names must be unique). */
export function containerName(request: PlacementRequest, task: string): string {
  const parts = [request.jobId, request.group.name, String(request.index), request.allocId.slice(0, 8)];
  if (request.group.tasks.length > 1) parts.push(task);
  return parts.join('-').replace(/[^a-zA-Z0-9_.-]/g, '_').replace(/^[^a-zA-Z0-9]/, 'x');
}

/**
 * Docker has no restart delay or window, and `always` cannot be limited:
 * none → no; on-failure → on-failure with MaximumRetryCount (0: unlimited);
 * any → unless-stopped, or on-failure with the limit when maxAttempts > 0
 * (a limit matters more than restarting a task that exited 0).
 */
export function restartPolicy(policy: RestartPolicy): Docker.HostRestartPolicy {
  if (policy.condition === 'none') return { Name: 'no' };
  if (policy.condition === 'any' && policy.maxAttempts === 0) return { Name: 'unless-stopped' };
  return { Name: 'on-failure', MaximumRetryCount: policy.maxAttempts };
}

/** Nomad's CPU MHz as relative shares: 1024 (Docker's default weight) per 1000 MHz. */
export function cpuShares(mhz: number): number {
  return Math.max(2, Math.round((mhz * 1024) / 1000));
}

/**
 * The task's exec check (a readiness one first) as the HEALTHCHECK; Docker runs one.
 * Without one, `imageHealthcheck: disable` turns the image's off.
 */
export function healthcheck(task: Task, variables: Map<string, string>): Docker.HealthConfig | undefined {
  const execChecks = task.checks.filter((check): check is Extract<Check, { type: 'exec' }> => check.type === 'exec');
  const chosen = execChecks.find((check) => check.role === 'readiness') ?? execChecks[0];
  if (chosen) {
    return {
      Test: chosen.command.map((part) => interpolate(part, variables)),
      Interval: msToNs(chosen.intervalMs),
      Timeout: msToNs(chosen.timeoutMs),
      StartPeriod: msToNs(chosen.startPeriodMs),
      Retries: Math.max(1, chosen.retries),
    };
  }
  return task.imageHealthcheck === 'disable' ? { Test: ['NONE'] } : undefined;
}

/**
 * Host networking cannot map ports: a port the image fixes (`to`: Compose target,
 * Kubernetes containerPort) is given its own host port instead, and an env value
 * naming that number (`PORT: 8000`) is pointed at the host port, which is what a
 * mapping would have achieved for replicas that would otherwise collide.
 */
export function followTargetPorts(env: Map<string, string>, taskPorts: Port[], ports: Record<string, number>): void {
  const moved = new Map<string, string>();
  for (const port of taskPorts) {
    const host = ports[port.label];
    if (port.to !== null && host !== undefined && host !== port.to) moved.set(String(port.to), String(host));
  }
  if (moved.size === 0) return;
  for (const [name, value] of env) {
    const host = moved.get(value);
    if (host !== undefined && !name.startsWith('NOMAD_')) env.set(name, host);
  }
}

export function containerSpec(request: PlacementRequest, task: Task, ports: Record<string, number>, options: SpecOptions): Docker.ContainerCreateOptions {
  const context: TaskContext = {
    allocId: request.allocId,
    index: request.index,
    jobId: request.jobId,
    group: request.group.name,
    task: task.name,
    ports,
    hostname: options.hostname,
  };
  const resolved = interpolateTask(task, context);
  followTargetPorts(resolved.env, task.ports, ports);
  const cmd = resolved.command !== null ? [resolved.command, ...(resolved.args ?? [])] : resolved.args;
  const { cpu, cpuLimit, memoryMB } = task.resources;
  return {
    name: containerName(request, task.name),
    Image: task.image,
    Env: [...resolved.env].map(([name, value]) => `${name}=${value}`),
    ...(cmd ? { Cmd: cmd } : {}),
    ...(resolved.entrypoint ? { Entrypoint: resolved.entrypoint } : {}),
    Labels: containerLabels(request, task.name, ports, options.extraLabels),
    ...(healthcheckOrNothing(task, context)),
    StopTimeout: options.stopTimeoutSeconds,
    HostConfig: {
      NetworkMode: 'host',
      Init: true,
      RestartPolicy: restartPolicy(request.group.restart),
      ...(cpu !== null ? { CpuShares: cpuShares(cpu) } : {}),
      ...(cpuLimit !== null ? { NanoCpus: Math.round(cpuLimit * 1e9) } : {}),
      ...(memoryMB !== null ? { Memory: Math.round(memoryMB * 1024 * 1024) } : {}),
    },
  };
}

function healthcheckOrNothing(task: Task, context: TaskContext): { Healthcheck?: Docker.HealthConfig } {
  const config = healthcheck(task, interpolationVariables(context));
  return config ? { Healthcheck: config } : {};
}
