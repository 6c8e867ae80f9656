// How an allocation's tasks are networked, from its job and group (pure): the
// Docker networks each container joins and the names it answers to there.
import { defaultGroupNetwork, defaultJobNetworks, dockerNetworkName } from '../model/index.js';
import type { Task } from '../model/index.js';
import type { PlacementRequest } from './driver.js';

export interface TaskNetwork {
  dockerName: string;
  external: boolean;
  /** DNS names on that network: the group's and the task's names, then the file's own aliases. */
  aliases: string[];
}

export interface TaskNetworking {
  mode: 'bridge' | 'host';
  /** The first one is joined at creation, the others before the container starts. */
  networks: TaskNetwork[];
}

/**
 * `suffix` ends the name of every network deckhand makes: an agent started with
 * `--labels` (a second agent on the engine, a test run) gets networks of its own.
 */
export function taskNetworking(request: PlacementRequest, task: Task, suffix = ''): TaskNetworking {
  const group = request.group.network ?? defaultGroupNetwork();
  if (group.mode === 'host') return { mode: 'host', networks: [] };
  const jobNetworks = request.job?.networks ?? defaultJobNetworks();
  const networks = group.attachments.map((attachment) => {
    const declared = jobNetworks.find((network) => network.name === attachment.network) ?? { name: attachment.network, dockerName: null, external: false };
    return {
      dockerName: declared.external ? dockerNetworkName(request.jobId, declared) : `${dockerNetworkName(request.jobId, declared)}${suffix}`,
      external: declared.external,
      aliases: [...new Set([request.group.name, task.name, ...attachment.aliases])],
    };
  });
  return { mode: 'bridge', networks };
}

/**
 * The port each label's process listens on: the port's `to` under bridge networking
 * (or the host port when `to` is not set, as in Nomad), the host port under host networking.
 */
export function containerPorts(group: { tasks: Task[] }, ports: Record<string, number>, mode: 'bridge' | 'host'): Record<string, number> {
  const declared = group.tasks.flatMap((task) => task.ports);
  const result: Record<string, number> = {};
  for (const [label, hostPort] of Object.entries(ports)) {
    const port = declared.find((p) => p.label === label);
    result[label] = mode === 'bridge' ? (port?.to ?? hostPort) : hostPort;
  }
  return result;
}
