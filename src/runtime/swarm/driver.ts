// The Swarm runtime's driver (docs/design/swarm-runtime.md): every allocation is a
// Swarm service of one replica, placed and stopped by deckhand exactly as the
// local driver places and stops containers; Swarm runs its task on a node it
// chooses, restarts it, and moves it when its node is lost. The job's networks
// are attachable overlays. Observation is observer.ts (task polling).
import type Docker from 'dockerode';
import type { AllocationObservation, CheckStatus, Driver, Placement, PlacementRequest, RuntimeEvent, VolumePurge } from '../driver.js';
import { PlacementError, RuntimeUnavailableError } from '../driver.js';
import type { Check, RestartPolicy } from '../../model/index.js';
import { defaultGroupNetwork, defaultJobNetworks, dockerNetworkName } from '../../model/index.js';
import { engineMessage, isConnectionError, statusOf } from '../docker/engine-error.js';
import { label, labelFilter } from '../docker/labels.js';
import { NetworkManager } from '../docker/networks.js';
import type { NetworkUse } from '../docker/networks.js';
import { SwarmObserver } from './observer.js';
import type { SwarmAllocationObservation } from './observe.js';
import { serviceSpec, swarmRestartPolicy, SwarmSpecError } from './service-spec.js';

export interface SwarmDriverOptions {
  /** A client of one manager of the swarm; it must time requests out (a manager behind a dead link would hold one forever). */
  docker: Docker;
  /** How the manager is named in messages: its socket or DOCKER_HOST. */
  address: string;
  /** The agent's `--labels`. */
  labels?: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL for tasks whose job sets none. */
  stopTimeoutSeconds?: number;
  /** How often the task list is read while the engine subscribes (1 s). */
  pollIntervalMs?: number;
  /** How often a stop checks whether the task has ended (200 ms). */
  stopPollMs?: number;
  onError: (error: unknown, context: string) => void;
}

/** No http/tcp/gRPC probes run under Swarm (render refuses them): an allocation's readiness is its HEALTHCHECK. */
const noProbes: CheckStatus = { ready: true, livenessFailed: false, lastError: null, readySince: null };

export class SwarmDriver implements Driver {
  private readonly docker: Docker;
  private readonly extraLabels: Record<string, string>;
  private readonly stopTimeoutSeconds: number;
  private readonly stopPollMs: number;
  private readonly observer: SwarmObserver;
  private readonly networks: NetworkManager;

  constructor(private readonly options: SwarmDriverOptions) {
    this.docker = options.docker;
    this.extraLabels = options.labels ?? {};
    this.stopTimeoutSeconds = options.stopTimeoutSeconds ?? 10;
    this.stopPollMs = options.stopPollMs ?? 200;
    this.observer = new SwarmObserver({ docker: options.docker, address: options.address, extraLabels: this.extraLabels, onError: options.onError, ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}) });
    this.networks = new NetworkManager(options.docker, this.extraLabels, { driver: 'overlay', inUse: (info) => this.networkInUse(info) });
  }

  /** Creates the allocation's service (its task starts when Swarm has chosen a node); a service of this allocation already there is taken as placed (a placement cut short). */
  async place(request: PlacementRequest): Promise<Placement> {
    return this.guard(async () => {
      let spec: Docker.CreateServiceOptions;
      try {
        spec = serviceSpec(request, { stopTimeoutSeconds: this.stopTimeoutSeconds, extraLabels: this.extraLabels, networkSuffix: this.networks.suffix });
      } catch (error) {
        if (error instanceof SwarmSpecError) throw new PlacementError(error.message);
        throw error;
      }
      if ((await this.servicesOf(request.allocId)).length > 0) return { containers: {}, ports: {} };
      await this.networks.ensure(request.jobId, this.networkUses(request));
      try {
        await this.docker.createService(spec);
      } catch (error) {
        if (isConnectionError(error) || statusOf(error) === 503) throw error;
        throw new PlacementError(`creating service ${spec.Name}: ${engineMessage(error)}`);
      }
      return { containers: {}, ports: {} };
    });
  }

  /**
   * Scales the allocation's service to 0 and waits until Swarm says its task has
   * ended (so a stop-first update never runs old and new together, and whatever the
   * task held is free), then removes the service. Nothing to stop is fine.
   */
  async stop(allocId: string): Promise<void> {
    await this.guard(async () => {
      for (const service of await this.servicesOf(allocId)) {
        const current = (await this.docker.getService(service.ID).inspect()) as ServiceInfo;
        const replicas = current.Spec?.Mode?.Replicated?.Replicas;
        if (replicas !== 0) await this.updateService(current, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 0 } } }));
        await this.untilTasksEnded(service.ID, this.stopDeadlineMs(current));
        await this.docker
          .getService(service.ID)
          .remove()
          .catch((error: unknown) => {
            if (statusOf(error) !== 404) throw error;
          });
      }
    });
  }

  releaseNetworks(dockerNames: string[]): Promise<string[]> {
    return this.guard(() => this.networks.release(dockerNames));
  }

  /** Render refuses volumes under Swarm: deckhand made none. */
  purgeVolumes(): Promise<VolumePurge> {
    return Promise.resolve({ removed: [], kept: [] });
  }

  /** Swarm starts a new task of the service (`docker service update --force`). */
  async restart(allocId: string): Promise<void> {
    await this.guard(async () => {
      for (const service of await this.servicesOf(allocId)) {
        const current = (await this.docker.getService(service.ID).inspect()) as ServiceInfo;
        await this.updateService(current, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate?.ForceUpdate ?? 0) + 1 } }));
      }
    });
  }

  /** A service's restart policy belongs to its task template: Swarm runs a new task with it (it cannot change a running task's). */
  async updateRestartPolicy(allocId: string, policy: RestartPolicy): Promise<void> {
    await this.guard(async () => {
      for (const service of await this.servicesOf(allocId)) {
        const current = (await this.docker.getService(service.ID).inspect()) as ServiceInfo;
        await this.updateService(current, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: swarmRestartPolicy(policy) } }));
      }
    });
  }

  observe(): Promise<SwarmAllocationObservation[]> {
    return this.observer.observe();
  }

  observeAllocation(allocId: string): Promise<AllocationObservation | null> {
    return this.observer.observeAllocation(allocId);
  }

  watchChecks(allocId: string, _jobId: string, checks: Check[]): void {
    // Render refuses these under Swarm; a job that came another way must not look healthy unprobed.
    if (checks.some((check) => check.type !== 'exec')) this.options.onError(new Error(`allocation ${allocId}: http, tcp and gRPC checks do not run under --runtime swarm`), 'starting checks');
  }

  unwatchChecks(): void {}

  checkStatus(): CheckStatus {
    return noProbes;
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    return this.observer.subscribe(listener);
  }

  close(): Promise<void> {
    return this.observer.close();
  }

  private async servicesOf(allocId: string): Promise<Array<{ ID: string }>> {
    return (await this.docker.listServices({ filters: { label: labelFilter(this.extraLabels, { [label.alloc]: allocId }) } })) as Array<{ ID: string }>;
  }

  private networkUses(request: PlacementRequest): NetworkUse[] {
    const jobNetworks = request.job?.networks.length ? request.job.networks : defaultJobNetworks();
    return (request.group.network ?? defaultGroupNetwork()).attachments.map((attachment) => {
      const declared = jobNetworks.find((network) => network.name === attachment.network) ?? { name: attachment.network, dockerName: null, external: false };
      const name = dockerNetworkName(request.jobId, declared);
      return { dockerName: declared.external ? name : `${name}${this.networks.suffix}`, external: declared.external, aliases: attachment.aliases };
    });
  }

  /** An overlay is in use while a service names it (its tasks may run on any node), or a container of this node is attached. */
  private async networkInUse(info: { Id?: string; Name?: string; Containers?: Record<string, unknown> }): Promise<boolean> {
    if (Object.keys(info.Containers ?? {}).length > 0) return true;
    const services = (await this.docker.listServices()) as ServiceInfo[];
    return services.some((service) => (service.Spec?.TaskTemplate?.Networks ?? []).some((network) => network.Target === info.Id || network.Target === info.Name));
  }

  private async updateService(current: ServiceInfo, change: (spec: Docker.ServiceSpec) => Docker.ServiceSpec): Promise<void> {
    const spec = change(current.Spec ?? {});
    await this.docker.getService(current.ID).update({ ...spec, version: current.Version?.Index ?? 0 } as unknown as Docker.ServiceSpec);
  }

  /** The task's stop grace and some: past it, Swarm has killed the container or its node is gone (then the stop ends anyway: a lost node's task is Swarm's). */
  private stopDeadlineMs(current: ServiceInfo): number {
    const template = current.Spec?.TaskTemplate as { ContainerSpec?: { StopGracePeriod?: number } } | undefined;
    const graceNs = template?.ContainerSpec?.StopGracePeriod ?? this.stopTimeoutSeconds * 1e9;
    return graceNs / 1e6 + 15_000;
  }

  private async untilTasksEnded(serviceId: string, deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      const tasks = (await this.docker.listTasks({ filters: { service: [serviceId] } })) as Array<{ NodeID?: string; Status?: { State?: string } }>;
      const nodes = (await this.docker.listNodes()) as Array<{ ID: string; Status?: { State?: string } }>;
      const down = new Set(nodes.filter((node) => node.Status?.State === 'down').map((node) => node.ID));
      // A task on a node that is down ends with its node (Swarm shuts it down if the node comes back).
      if (tasks.every((task) => endedStates.has(task.Status?.State ?? '') || (task.NodeID !== undefined && down.has(task.NodeID)))) return;
      await new Promise((done) => setTimeout(done, this.stopPollMs));
    }
    throw new Error(`the task of service ${serviceId} did not end within ${Math.round(deadlineMs / 1000)} s`);
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof RuntimeUnavailableError || error instanceof PlacementError) throw error;
      if (isConnectionError(error) || statusOf(error) === 503) {
        const { code } = error as { code?: string };
        throw new RuntimeUnavailableError(`the Swarm manager at ${this.options.address} does not answer (${typeof code === 'string' ? code : engineMessage(error)})`, { cause: error });
      }
      throw error;
    }
  }
}

// Ended, or never given to a node (a task Swarm had not placed yet starts nothing once the service is at 0).
const endedStates = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned', 'new', 'pending']);

interface ServiceInfo {
  ID: string;
  Version?: { Index?: number };
  Spec?: Docker.ServiceSpec & { Mode?: { Replicated?: { Replicas?: number } } };
}
