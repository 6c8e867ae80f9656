// Allocations as the engine holds them: containers grouped by their
// `deckhand.alloc` label, each inspected for state, exit code, restarts and health.
import type Docker from 'dockerode';
import type { AllocationObservation, DockerHealth, TaskObservation, TaskState } from '../driver.js';
import { statusOf } from './engine-error.js';
import { label, parseInteger, parsePorts, parseTasks } from './labels.js';

const taskStates: Record<string, TaskState> = {
  created: 'created',
  running: 'running',
  paused: 'running',
  restarting: 'restarting',
  removing: 'exited',
  exited: 'exited',
  dead: 'exited',
};

/** An engine timestamp (RFC 3339) in milliseconds; null for Go's zero time or none. */
export function timeOf(text: string | undefined): number | null {
  if (!text || text.startsWith('0001-')) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * When the HEALTHCHECK turned healthy: the end of the first probe of the passing run
 * Docker's log ends with (one passing probe makes a container healthy). The log keeps
 * the last five probes: a longer run is dated by its oldest kept probe, a little late.
 */
function healthySince(info: Docker.ContainerInspectInfo): number | null {
  const log = info.State.Health?.Log ?? [];
  let since: number | null = null;
  for (let i = log.length - 1; i >= 0 && log[i]!.ExitCode === 0; i--) since = timeOf(log[i]!.End) ?? since;
  return since;
}

export function taskObservation(info: Docker.ContainerInspectInfo): TaskObservation {
  const state = taskStates[info.State.Status] ?? 'exited';
  const health = (info.State.Health?.Status ?? 'none') as DockerHealth;
  // A HEALTHCHECK status counts only while the container runs (an exited one keeps its last).
  const reportsHealth = state === 'running' && ['starting', 'healthy', 'unhealthy'].includes(health);
  return {
    task: info.Config.Labels[label.task] ?? info.Name.replace(/^\//, ''),
    containerId: info.Id,
    state,
    exitCode: state === 'exited' || state === 'restarting' ? info.State.ExitCode : null,
    restartCount: info.RestartCount,
    startedAt: timeOf(info.State.StartedAt),
    // A stopped container keeps its last probe result, which says nothing any more.
    health: reportsHealth ? health : 'none',
    healthySince: reportsHealth && health === 'healthy' ? healthySince(info) : null,
  };
}

function missingTask(task: string): TaskObservation {
  return { task, containerId: null, state: 'missing', exitCode: null, restartCount: 0, startedAt: null, health: 'none', healthySince: null };
}

/**
 * Builds allocations from inspected containers; a task named by the labels without a container is `missing`.
 * `scope`: the observing agent's (labels.ts scopeOf), to tell which allocations it placed itself.
 */
export function allocationsFrom(containers: Docker.ContainerInspectInfo[], scope: string): AllocationObservation[] {
  const byAlloc = new Map<string, Docker.ContainerInspectInfo[]>();
  for (const info of containers) {
    const allocId = info.Config.Labels[label.alloc];
    // A task that runs once has done its part when it exits: the allocation is its long-running tasks.
    if (!allocId || info.Config.Labels[label.runsOnce] === 'true') continue;
    byAlloc.set(allocId, [...(byAlloc.get(allocId) ?? []), info]);
  }
  return [...byAlloc].map(([allocId, infos]) => {
    const labels = infos[0]!.Config.Labels;
    const observed = infos.map(taskObservation);
    const expected = parseTasks(labels[label.tasks]);
    const missing = expected.filter((task) => !observed.some((seen) => seen.task === task)).map(missingTask);
    const order = (task: string) => (expected.includes(task) ? expected.indexOf(task) : expected.length);
    return {
      allocId,
      jobId: labels[label.job] ?? '',
      group: labels[label.group] ?? '',
      index: parseInteger(labels[label.index], 0),
      jobVersion: parseInteger(labels[label.version], 0),
      specHash: labels[label.specHash] ?? '',
      deploymentId: labels[label.deployment] || null,
      ports: parsePorts(labels[label.ports]),
      addresses: addressesOf(infos, parsePorts(labels[label.ports])),
      tasks: [...observed, ...missing].sort((a, b) => order(a.task) - order(b.task)),
      spec: labels[label.spec] ?? null,
      inScope: labels[label.scope] === scope,
    };
  });
}

/**
 * Each port label's address inside the job's network: the container publishing that
 * host port, its address on its first network, and the port it maps the host port to.
 */
export function addressesOf(infos: Docker.ContainerInspectInfo[], ports: Record<string, number>): Record<string, { host: string; port: number }> {
  const addresses: Record<string, { host: string; port: number }> = {};
  for (const info of infos) {
    if (info.HostConfig?.NetworkMode === 'host' || !info.State?.Running) continue;
    const networks = Object.values(info.NetworkSettings?.Networks ?? {});
    const ip = networks.find((n) => n.IPAddress)?.IPAddress;
    if (!ip) continue;
    for (const [inside, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
      const port = Number.parseInt(inside, 10);
      for (const binding of bindings ?? []) {
        for (const [portLabel, hostPort] of Object.entries(ports)) {
          if (String(hostPort) === binding.HostPort && Number.isInteger(port)) addresses[portLabel] = { host: ip, port };
        }
      }
    }
  }
  return addresses;
}

/** Inspects every listed container; one removed in between is skipped. */
export async function inspectAll(docker: Docker, filters: string[]): Promise<Docker.ContainerInspectInfo[]> {
  const listed = await docker.listContainers({ all: true, filters: { label: filters } });
  const inspected = await Promise.all(
    listed.map((item) =>
      docker
        .getContainer(item.Id)
        .inspect()
        .catch((error: unknown) => {
          if (statusOf(error) === 404) return null;
          throw error;
        }),
    ),
  );
  return inspected.filter((info): info is Docker.ContainerInspectInfo => info !== null);
}
