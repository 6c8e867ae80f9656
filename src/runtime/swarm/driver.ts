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
import { CheckRunner } from '../checks.js';
import type { NetworkCheck } from '../checks.js';
import { engineMessage, isConnectionError, statusOf } from '../docker/engine-error.js';
import { label, labelFilter, parsePorts } from '../docker/labels.js';
import { NetworkManager } from '../docker/networks.js';
import { VolumeManager } from '../docker/volumes.js';
import type { NetworkUse } from '../docker/networks.js';
import { SwarmObserver } from './observer.js';
import type { SwarmAllocationObservation } from './observe.js';
import { refuseUncarried, serviceSpec, swarmFileObjects, swarmRestartPolicy, SwarmSpecError } from './service-spec.js';
import type { SwarmFile } from './service-spec.js';

export interface SwarmDriverOptions {
  /** A client of one manager of the swarm; it must time requests out (a manager behind a dead link would hold one forever). */
  docker: Docker;
  /** How the manager is named in messages: its socket or DOCKER_HOST. */
  address: string;
  /** The agent's `--labels`. */
  labels?: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL for tasks whose job sets none. */
  stopTimeoutSeconds?: number;
  /** How often the task list is read while the engine subscribes (500 ms). */
  pollIntervalMs?: number;
  /** How often a stop checks whether the task has ended (200 ms). */
  stopPollMs?: number;
  /** Where the ports a job file leaves open are chosen: one no other allocation of the swarm has (20000-32000). */
  portRange?: { min: number; max: number };
  onError: (error: unknown, context: string) => void;
}


export class SwarmDriver implements Driver {
  private readonly docker: Docker;
  private readonly extraLabels: Record<string, string>;
  private readonly stopTimeoutSeconds: number;
  private readonly stopPollMs: number;
  private readonly observer: SwarmObserver;
  private readonly networks: NetworkManager;
  private readonly volumes: VolumeManager;
  private readonly portRange: { min: number; max: number };
  /** Port choices are made one at a time, and a chosen port stays taken until its service (whose label lists it) exists. */
  private portChoice: Promise<unknown> = Promise.resolve();
  private readonly choosing = new Set<number>();
  /** The last reading of each allocation: where its checks find it (a task that moves has another address). */
  private readonly latest = new Map<string, AllocationObservation>();
  private readonly checks: CheckRunner;
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();

  constructor(private readonly options: SwarmDriverOptions) {
    this.docker = options.docker;
    this.extraLabels = options.labels ?? {};
    this.stopTimeoutSeconds = options.stopTimeoutSeconds ?? 10;
    this.stopPollMs = options.stopPollMs ?? 200;
    this.portRange = options.portRange ?? { min: 20000, max: 32000 };
    this.observer = new SwarmObserver({
      docker: options.docker,
      address: options.address,
      extraLabels: this.extraLabels,
      onError: options.onError,
      onReading: (allocations) => this.remember(allocations),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
    this.checks = new CheckRunner((allocId, jobId) => this.emit({ kind: 'check', allocId, jobId, time: Date.now() }), Date.now, undefined, (allocId, check) => this.checkTarget(allocId, check));
    this.networks = new NetworkManager(options.docker, this.extraLabels, { driver: 'overlay', inUse: (info) => this.networkInUse(info) });
    this.volumes = new VolumeManager(options.docker, this.extraLabels, this.networks.suffix);
  }

  /** Creates the allocation's service (its task starts when Swarm has chosen a node); a service of this allocation already there is taken as placed (a placement cut short). */
  async place(request: PlacementRequest): Promise<Placement> {
    return this.guard(async () => {
      if ((await this.servicesOf(request.allocId)).length > 0) return { containers: {}, ports: {} };
      const ports = await this.choosePorts(request);
      try {
        // Refused before anything is made for it (its networks, files).
        try {
          refuseUncarried(request);
        } catch (error) {
          if (error instanceof SwarmSpecError) throw new PlacementError(error.message);
          throw error;
        }
        if ((request.group.network ?? defaultGroupNetwork()).mode !== 'host') await this.networks.ensure(request.jobId, this.networkUses(request));
        const files = await this.createFiles(request);
        const spec = serviceSpec(request, { ports, files, stopTimeoutSeconds: this.stopTimeoutSeconds, extraLabels: this.extraLabels, networkSuffix: this.networks.suffix });
        try {
          await this.docker.createService(spec);
        } catch (error) {
          if (isConnectionError(error) || statusOf(error) === 503) throw error;
          throw new PlacementError(`creating service ${spec.Name}: ${engineMessage(error)}`);
        }
        return { containers: {}, ports };
      } finally {
        for (const port of Object.values(ports)) this.choosing.delete(port);
      }
    });
  }

  /**
   * A node port for each port label (render refuses static ones): the lowest of the
   * range that no deckhand service of the swarm lists (any agent's), so two
   * allocations on one node never want the same. Under host networking the task
   * listens on it; on an overlay it is published there (host mode).
   */
  private choosePorts(request: PlacementRequest): Promise<Record<string, number>> {
    const open = (request.group.tasks[0]?.ports ?? []).filter((port) => port.static === null);
    if (open.length === 0) return Promise.resolve({});
    const choice = this.portChoice.then(async () => {
      const services = (await this.docker.listServices({ filters: { label: [label.job] } })) as Array<{ Spec?: { Labels?: Record<string, string> } }>;
      const taken = new Set([...this.choosing, ...services.flatMap((service) => Object.values(parsePorts(service.Spec?.Labels?.[label.ports])))]);
      const chosen: Record<string, number> = {};
      let next = this.portRange.min;
      for (const port of open) {
        while (taken.has(next) && next <= this.portRange.max) next++;
        if (next > this.portRange.max) throw new PlacementError(`no free port left in ${this.portRange.min}-${this.portRange.max} for port "${port.label}"`);
        chosen[port.label] = next;
        taken.add(next);
        this.choosing.add(next);
      }
      return chosen;
    });
    this.portChoice = choice.catch(() => undefined);
    return choice;
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
      // Also when the service was never made (a placement cut short after its files).
      await this.removeFiles(allocId);
    });
  }

  /** The allocation's files as Swarm secrets and configs; those of a placement cut short are taken as they are. */
  private async createFiles(request: PlacementRequest): Promise<SwarmFile[]> {
    const files = request.group.tasks[0]?.files ?? [];
    const objects = swarmFileObjects(request, this.extraLabels);
    const made: SwarmFile[] = [];
    for (const [n, object] of objects.entries()) {
      const file = files[n]!;
      let id: string;
      try {
        const created = (object.kind === 'secret' ? await this.docker.createSecret(object.spec) : await this.docker.createConfig(object.spec)) as { id?: string; ID?: string };
        id = created.id ?? created.ID ?? '';
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        const listed = (object.kind === 'secret' ? await this.docker.listSecrets({ filters: { name: [object.spec.Name] } }) : await this.docker.listConfigs({ filters: { name: [object.spec.Name] } })) as Array<{ ID: string; Spec?: { Name?: string } }>;
        id = listed.find((item) => item.Spec?.Name === object.spec.Name)?.ID ?? '';
      }
      made.push({ kind: object.kind, id, name: object.spec.Name, target: file.target, mode: file.mode });
    }
    return made;
  }

  private async removeFiles(allocId: string): Promise<void> {
    const filters = { label: labelFilter(this.extraLabels, { [label.alloc]: allocId }) };
    const ignoreGone = (error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    };
    for (const secret of (await this.docker.listSecrets({ filters })) as Array<{ ID: string }>) await this.docker.getSecret(secret.ID).remove().catch(ignoreGone);
    for (const config of (await this.docker.listConfigs({ filters })) as Array<{ ID: string }>) await this.docker.getConfig(config.ID).remove().catch(ignoreGone);
  }

  releaseNetworks(dockerNames: string[]): Promise<string[]> {
    return this.guard(() => this.networks.release(dockerNames));
  }

  /**
   * A job volume is each node's own (made where a task of it ran). The manager's
   * engine sees only its node's: those are removed as on one engine; every other
   * node's copy is said to be kept, with how to remove it.
   */
  purgeVolumes(dockerNames: string[], remove: boolean, keep?: Record<string, string>): Promise<VolumePurge> {
    return this.guard(async () => {
      let here = await this.volumes.purge(dockerNames, remove, keep);
      // Swarm removes a stopped task's container a moment after its service: until then it holds the volume.
      for (const until = Date.now() + 10_000; remove && here.kept.some(inUse) && Date.now() < until; ) {
        await new Promise((done) => setTimeout(done, 250));
        const again = await this.volumes.purge(here.kept.filter(inUse).map((kept) => kept.name.slice(0, kept.name.length - this.networks.suffix.length)), true, keep);
        here = { removed: [...here.removed, ...again.removed], kept: [...here.kept.filter((kept) => !inUse(kept)), ...again.kept] };
      }
      if (!remove) return here;
      const elsewhere = [...new Set(dockerNames)]
        .filter((name) => keep?.[name] === undefined)
        .map((name) => ({ name: `${name}${this.networks.suffix}`, why: `on the other nodes where a task of it ran (Swarm volumes are each node's own): remove it there with docker volume rm ${name}${this.networks.suffix}` }));
      return { removed: here.removed, kept: [...here.kept, ...elsewhere] };
    });
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
        const wanted = swarmRestartPolicy(policy);
        // An update in place of a version whose policy is the same (the usual case) must not restart the task.
        if (sameRestartPolicy(current.Spec?.TaskTemplate?.RestartPolicy, wanted)) continue;
        await this.updateService(current, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: wanted } }));
      }
    });
  }

  observe(): Promise<SwarmAllocationObservation[]> {
    return this.observer.observe();
  }

  async observeAllocation(allocId: string): Promise<AllocationObservation | null> {
    const observed = await this.observer.observeAllocation(allocId);
    if (observed) this.latest.set(allocId, observed);
    else this.latest.delete(allocId);
    return observed;
  }

  /** http, tcp and gRPC checks, from the agent, at the task's node address and node port. */
  watchChecks(allocId: string, jobId: string, checks: Check[], ports: Record<string, number>): void {
    this.checks.watch(allocId, jobId, checks, ports);
  }

  unwatchChecks(allocId: string): void {
    this.checks.unwatch(allocId);
  }

  checkStatus(allocId: string): CheckStatus {
    return this.checks.status(allocId);
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    const unsubscribe = this.observer.subscribe(listener);
    return () => {
      this.listeners.delete(listener);
      unsubscribe();
    };
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private remember(allocations: AllocationObservation[]): void {
    this.latest.clear();
    for (const allocation of allocations) this.latest.set(allocation.allocId, allocation);
  }

  /** The node and port a check of the allocation reaches now. */
  private checkTarget(allocId: string, check: NetworkCheck): { host: string; port: number } | string {
    const addresses = this.latest.get(allocId)?.addresses ?? {};
    const byLabel = typeof check.port === 'string' ? addresses[check.port] : Object.values(addresses).find((address) => address.port === check.port);
    if (byLabel) return byLabel;
    const anyAddress = Object.values(addresses)[0];
    if (typeof check.port === 'number' && anyAddress) return { host: anyAddress.host, port: check.port };
    return `the task has no address for port ${JSON.stringify(check.port)} yet (not running)`;
  }

  close(): Promise<void> {
    this.checks.close();
    this.listeners.clear();
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

  private async guard<T>(call: () => Promise<T>, attempt = 1): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof RuntimeUnavailableError || error instanceof PlacementError) throw error;
      // A busy manager sometimes resets one connection: every call here may be made again (a place finds
      // its service made, a stop its service gone), so one reset is tried again before the manager counts as gone.
      if ((error as { code?: string }).code === 'ECONNRESET' && attempt < 3) {
        await new Promise((done) => setTimeout(done, 200 * attempt));
        return this.guard(call, attempt + 1);
      }
      if (isConnectionError(error) || statusOf(error) === 503) {
        const { code } = error as { code?: string };
        throw new RuntimeUnavailableError(`the Swarm manager at ${this.options.address} does not answer (${typeof code === 'string' ? code : engineMessage(error)})`, { cause: error });
      }
      throw error;
    }
  }
}

const inUse = (kept: { why: string }) => kept.why === 'a container still uses it';

function sameRestartPolicy(current: Docker.TaskRestartPolicy | undefined, wanted: Docker.TaskRestartPolicy): boolean {
  if (!current) return false;
  return current.Condition === wanted.Condition && (current.Delay ?? 0) === (wanted.Delay ?? 0) && (current.MaxAttempts ?? 0) === (wanted.MaxAttempts ?? 0) && (current.Window ?? 0) === (wanted.Window ?? 0);
}

// Ended, or never started (a task still being placed, or pulling its image, starts nothing once the service is at 0: removing the service cancels it).
const endedStates = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned', 'new', 'pending', 'assigned', 'accepted', 'preparing', 'ready']);

interface ServiceInfo {
  ID: string;
  Version?: { Index?: number };
  Spec?: Docker.ServiceSpec & { Mode?: { Replicated?: { Replicas?: number } } };
}
