// The Driver on the Docker engine: an allocation is one labelled container per
// task, on the job's networks (or the host's), with ports from the allocator.
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { hostPathProblem } from '../../model/index.js';
import type { Check, HostPathPolicy, PullPolicy, RestartPolicy, Task } from '../../model/index.js';
import { CheckRunner, probeHostOf } from '../checks.js';
import { defaultPublishAddress } from '../interpolate.js';
import { taskNetworking } from '../networking.js';
import { PlacementError, RuntimeUnavailableError } from '../driver.js';
import type { AllocationObservation, CheckStatus, DockerHealth, Driver, ImageRegistry, Placement, PlacementRequest, RuntimeEvent, RuntimeEventKind, VolumePurge } from '../driver.js';
import { PortAllocator, PortError } from '../ports.js';
import type { PortRange, PortRequest } from '../ports.js';
import { FreshConnectionAgent } from './client.js';
import { containerSpec, restartPolicy, withNomadTaskDirs } from './container-spec.js';
import { engineMessage, isConnectionError, statusOf } from './engine-error.js';
import { EventStream } from './events.js';
import type { EngineEventMessage } from './events.js';
import { label, labelFilter, reservedLabelPrefix, scopeOf } from './labels.js';
import { startInOrder } from './lifecycle.js';
import { allocationsFrom, inspectAll } from './observe.js';
import { NetworkManager } from './networks.js';
import { VolumeManager } from './volumes.js';
import { ImagePuller } from './pull.js';
import { DockerConfigCredentials } from './registry-auth.js';
import { TaskFiles } from './task-files.js';

export interface DockerDriverOptions {
  portRange?: PortRange;
  /** Added to every container; the driver then sees only containers carrying them (tests label their runs). */
  labels?: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL on stop and restart, unless a task sets its own. */
  stopTimeoutSeconds?: number;
  /** The address allocations' ports are published on (and checks connect to); 127.0.0.1 by default. */
  publishAddress?: string;
  pullTimeoutMs?: number;
  /** When images of tasks that set no policy are pulled (the agent's `--pull`); `missing` by default. */
  pullPolicy?: PullPolicy;
  /** Where `DOCKER_CONFIG` and `HOME` are read, for the Docker client's registry credentials; the process's environment by default. */
  credentialsEnv?: Record<string, string | undefined>;
  /** `${node.unique.name}`; the machine's host name by default. */
  hostname?: string;
  /** Backoff of the event stream's reconnection. */
  reconnectDelayMs?: { initial: number; max: number };
  /** The host paths bind mounts may use (the agent's allow-host-path); none by default. */
  hostPaths?: HostPathPolicy;
  /** Where tasks' files are written to be bind-mounted (`<data dir>/files`); without it, a task with files cannot be placed. */
  filesDir?: string;
}

export const defaultStopTimeoutSeconds = 3;

/** Docker event actions deckhand listens to (health probes would add exec events every second). */
const watchedActions = ['start', 'die', 'health_status', 'destroy'];
/** What a `health_status: …` event may turn a container to. */
const healthStatuses: readonly DockerHealth[] = ['starting', 'healthy', 'unhealthy'];

export class DockerDriver implements Driver {
  readonly ports: PortAllocator;
  readonly imageRegistry: ImageRegistry;
  private readonly pullPolicy: PullPolicy;
  private readonly checks: CheckRunner;
  private readonly puller: ImagePuller;
  private readonly events: EventStream;
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private readonly extraLabels: Record<string, string>;
  private readonly stopTimeoutSeconds: number;
  private readonly hostname: string;
  readonly publishAddress: string;
  private readonly networks: NetworkManager;
  private readonly volumes: VolumeManager;
  private readonly hostPaths: HostPathPolicy;
  private readonly files: TaskFiles;
  /** Where the engine is, for messages: `unix:///var/run/docker.sock`. */
  readonly address: string;
  /** Placements under way, and a clock of when each finished: observe() must not free their ports. */
  private readonly placing = new Set<string>();
  private readonly placedAt = new Map<string, number>();
  private tick = 0;
  /**
   * What this driver placed and has not stopped: the containers it created and
   * whether it made volumes of the allocation's own. A stop of such an allocation
   * stops them without listing the engine's containers and volumes first (the
   * listings are on a rollout's critical path); after a restart it lists, as before.
   */
  private readonly made = new Map<string, { containerIds: string[]; ownVolumes: boolean }>();

  constructor(
    private readonly docker: Docker,
    options: DockerDriverOptions = {},
  ) {
    this.ports = new PortAllocator(options.portRange);
    this.extraLabels = { ...options.labels };
    // One of deckhand's own keys here would overwrite it on every container, and the driver would lose them.
    const reserved = Object.keys(this.extraLabels).find((key) => key.toLowerCase().startsWith(reservedLabelPrefix));
    if (reserved !== undefined) throw new Error(`label key "${reserved}" is reserved for deckhand's own labels (${reservedLabelPrefix}*)`);
    this.stopTimeoutSeconds = options.stopTimeoutSeconds ?? defaultStopTimeoutSeconds;
    this.hostname = options.hostname ?? hostname();
    this.publishAddress = options.publishAddress ?? defaultPublishAddress;
    this.networks = new NetworkManager(docker, this.extraLabels);
    this.volumes = new VolumeManager(docker, this.extraLabels, this.networks.suffix);
    this.hostPaths = options.hostPaths ?? { allowed: [] };
    this.files = new TaskFiles(options.filesDir ?? null);
    this.address = engineAddress(docker);
    const modem = docker.modem as { agent?: unknown; protocol?: string };
    if (modem.agent === undefined && modem.protocol !== 'https' && modem.protocol !== 'ssh') modem.agent = new FreshConnectionAgent();
    this.puller = new ImagePuller(docker, options.pullTimeoutMs ?? 120_000, new DockerConfigCredentials(options.credentialsEnv ? { env: options.credentialsEnv } : {}));
    this.pullPolicy = options.pullPolicy ?? 'missing';
    const puller = this.puller;
    this.imageRegistry = { defaultPullPolicy: this.pullPolicy, registryDigest: (image, credentials) => puller.registryDigest(image, credentials), has: (image) => this.guard(() => puller.has(image)) };
    this.checks = new CheckRunner((allocId, jobId) => this.emit({ kind: 'check', allocId, jobId, time: Date.now() }), Date.now, probeHostOf(this.publishAddress));
    this.events = new EventStream({
      // `since` as `seconds.nanoseconds` text, which the engine takes though the types say number.
      open: (since) =>
        docker.getEvents({ filters: { type: ['container'], event: watchedActions, label: labelFilter(this.extraLabels) }, since } as unknown as Docker.GetEventsOptions),
      onMessage: (message) => this.onEngineEvent(message),
      onReconnected: () => this.emit({ kind: 'reconnected', allocId: null, jobId: null, time: Date.now() }),
      onDisconnected: () => this.emit({ kind: 'disconnected', allocId: null, jobId: null, time: Date.now() }),
      initialDelayMs: options.reconnectDelayMs?.initial,
      maxDelayMs: options.reconnectDelayMs?.max,
    });
  }

  async place(request: PlacementRequest): Promise<Placement> {
    const { allocId } = request;
    this.placing.add(allocId);
    const created: Docker.Container[] = [];
    try {
      this.checkHostPaths(request);
      // A container left by an earlier attempt at this allocation would hold its name, and maybe its ports.
      await this.removeContainers(allocId, 0);
      const ports = await this.ports.allocate(allocId, portRequests(request), request.ports ?? {});
      const containers: Record<string, string> = {};
      const options = { hostname: this.hostname, stopTimeoutSeconds: this.stopTimeoutSeconds, extraLabels: this.extraLabels, publishAddress: this.publishAddress, networkSuffix: this.networks.suffix };
      for (const [taskIndex, groupTask] of request.group.tasks.entries()) {
        const task = withNomadTaskDirs(request, groupTask);
        const networking = taskNetworking(request, task, this.networks.suffix);
        await this.networks.ensure(request.jobId, networking.networks);
        await this.volumes.ensure(request.jobId, request.job?.volumes ?? [], task, allocId);
        const fileMounts = this.files.write(allocId, taskIndex, task);
        const container = await this.create(containerSpec(request, task, ports, options, fileMounts), task);
        created.push(container);
        containers[task.name] = container.id;
        // The engine (API 1.41) joins one network at creation; the others before the start.
        for (const network of networking.networks.slice(1)) {
          await this.docker.getNetwork(network.dockerName).connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases } });
        }
      }
      await startInOrder(request, created);
      // A Nomad task's /alloc and /local are such volumes too (added at placement).
      const ownVolumes = request.group.tasks.some((task) => (withNomadTaskDirs(request, task).mounts ?? []).some((mount) => mount.type === 'empty'));
      this.made.set(allocId, { containerIds: created.map((container) => container.id), ownVolumes });
      return { containers, ports };
    } catch (error) {
      this.made.delete(allocId);
      await Promise.allSettled(created.map((container) => container.remove({ force: true, v: true })));
      await this.volumes.releaseAllocation(allocId).catch(() => undefined);
      this.ports.release(allocId);
      this.files.remove(allocId);
      if (error instanceof PlacementError) throw error;
      if (isConnectionError(error)) throw this.unavailable(error);
      // A server error while the engine shuts down (its network store already closed) is not the allocation's.
      if ((statusOf(error) ?? 0) >= 500 && !(await this.answers())) throw this.unavailable(error);
      throw new PlacementError(error instanceof PortError ? error.message : engineMessage(error));
    } finally {
      this.placing.delete(allocId);
      this.placedAt.set(allocId, ++this.tick);
    }
  }

  async stop(allocId: string): Promise<void> {
    this.checks.unwatch(allocId);
    const made = this.made.get(allocId);
    // Each container's own stop timeout (the task's kill timeout, else the agent's).
    await this.guard(async () => {
      await this.removeContainers(allocId, undefined, made?.containerIds);
      if (!made || made.ownVolumes) await this.volumes.releaseAllocation(allocId);
    });
    this.made.delete(allocId);
    this.ports.release(allocId);
    this.files.remove(allocId);
    this.placedAt.delete(allocId);
  }

  async restart(allocId: string): Promise<void> {
    await this.guard(async () => {
      // A task that ran once has done its part: a restart is of the long-running ones.
      const containers = await this.containersOf(allocId, { longRunningOnly: true });
      await Promise.all(containers.map((container) => container.restart()));
    });
  }

  async releaseNetworks(dockerNames: string[]): Promise<string[]> {
    return this.guard(() => this.networks.release(dockerNames));
  }

  /**
   * Render judged the job's host paths when it was submitted; a version placed again
   * (a revert, a reschedule) may have been judged under another allow-list, or a link
   * may lead elsewhere now. Nothing is made for an allocation that fails here.
   */
  private checkHostPaths(request: PlacementRequest): void {
    for (const task of request.group.tasks) {
      for (const mount of task.mounts ?? []) {
        const problem = mount.type === 'bind' ? hostPathProblem(mount.source, this.hostPaths) : null;
        if (problem) throw new PlacementError(`task "${task.name}" mounts ${mount.target} from the host: ${problem.message}`);
      }
    }
  }

  async purgeVolumes(dockerNames: string[], remove: boolean, keep: Record<string, string> = {}): Promise<VolumePurge> {
    return this.guard(() => this.volumes.purge(dockerNames, remove, keep));
  }

  async updateRestartPolicy(allocId: string, policy: RestartPolicy): Promise<void> {
    await this.guard(async () => {
      const containers = await this.containersOf(allocId, { longRunningOnly: true });
      await Promise.all(containers.map((container) => container.update({ RestartPolicy: restartPolicy(policy) })));
    });
  }

  async observe(): Promise<AllocationObservation[]> {
    const startedAt = this.tick;
    const allocations = allocationsFrom(await this.guard(() => inspectAll(this.docker, labelFilter(this.extraLabels))), scopeOf(this.extraLabels));
    this.accountPorts(allocations, [...new Set([...this.ports.allocations(), ...this.files.allocations()])], startedAt);
    this.files.restore(allocations.filter((a) => !this.placing.has(a.allocId)));
    return allocations;
  }

  async observeAllocation(allocId: string): Promise<AllocationObservation | null> {
    const startedAt = this.tick;
    const allocations = allocationsFrom(await this.guard(() => inspectAll(this.docker, labelFilter(this.extraLabels, { [label.alloc]: allocId }))), scopeOf(this.extraLabels));
    this.accountPorts(allocations, [allocId], startedAt);
    return allocations[0] ?? null;
  }

  /**
   * Keeps the port allocator (and the task files on disk) true to what runs: ports of observed allocations are
   * reserved; ports and files of allocations in `scope` whose containers are gone are freed,
   * unless they were placed while the containers were being listed.
   */
  private accountPorts(observed: AllocationObservation[], scope: Iterable<string>, startedAt: number): void {
    const seen = new Set<string>();
    for (const allocation of observed) {
      seen.add(allocation.allocId);
      for (const [portLabel, port] of Object.entries(allocation.ports)) {
        try {
          this.ports.reserve(allocation.allocId, portLabel, port);
        } catch {
          // Two allocations claim one port (labels edited by hand): the first keeps it.
        }
      }
    }
    for (const allocId of scope) {
      const placed = this.placedAt.get(allocId) ?? 0;
      if (!seen.has(allocId) && !this.placing.has(allocId) && placed <= startedAt) {
        this.ports.release(allocId);
        // Its containers are gone (removed by hand, or while the agent was down): so is their use for its files.
        this.files.remove(allocId);
        this.placedAt.delete(allocId);
        this.made.delete(allocId);
      }
    }
  }

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
    if (this.listeners.size === 1) this.events.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.events.stop();
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.events.stop();
    this.checks.close();
  }

  /** Connection failures become RuntimeUnavailableError: the engine did not answer, which says nothing of the containers. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw isConnectionError(error) ? this.unavailable(error) : error;
    }
  }

  /** Whether the engine accepts a new connection now. */
  private async answers(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch (error) {
      return !isConnectionError(error);
    }
  }

  private unavailable(error: unknown): RuntimeUnavailableError {
    const { code } = error as { code?: string };
    const why = typeof code === 'string' ? code : engineMessage(error);
    return new RuntimeUnavailableError(`the Docker engine at ${this.address} does not answer (${why})`, { cause: error });
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One listener's failure must not keep the others from hearing.
      }
    }
  }

  private onEngineEvent(message: EngineEventMessage): void {
    const action = message.Action ?? '';
    const kind: RuntimeEventKind | null = action.startsWith('health_status') ? 'health' : watchedActions.includes(action) ? (action as RuntimeEventKind) : null;
    if (!kind) return;
    const attributes = message.Actor?.Attributes ?? {};
    const time = message.timeNano ? Math.floor(message.timeNano / 1e6) : (message.time ?? 0) * 1000 || Date.now();
    const status = kind === 'health' ? healthStatuses.find((s) => s === action.slice('health_status:'.length).trim()) : undefined;
    const health = message.Actor?.ID && status ? { health: { containerId: message.Actor.ID, status } } : {};
    this.emit({ kind, allocId: attributes[label.alloc] ?? null, jobId: attributes[label.job] ?? null, time, ...health });
  }

  /**
   * Creates a container, its image pulled as the task's policy says: `always` before
   * each placement (unless the version pinned a digest, then only when absent, as
   * for `missing`); `never` not at all.
   */
  private async create(spec: Docker.ContainerCreateOptions, task: Task): Promise<Docker.Container> {
    const image = spec.Image!;
    const policy = task.pull ?? this.pullPolicy;
    if (policy === 'always' && !task.imageDigest) await this.pullOrFail(image, task, `pulling ${image} failed`);
    try {
      return await this.docker.createContainer(spec);
    } catch (error) {
      const message = engineMessage(error);
      if (statusOf(error) !== 404 || !/no such image/i.test(message)) throw error;
      if (policy === 'never') throw new PlacementError(`${message}; its pull policy is "never": load or build it on this engine, or allow pulling it`);
      await this.pullOrFail(image, task, `${message}; pulling it failed`);
      return this.docker.createContainer(spec);
    }
  }

  private async pullOrFail(image: string, task: Task, what: string): Promise<void> {
    try {
      await this.puller.pull(image, task.registryAuth);
    } catch (pullError) {
      if (isConnectionError((pullError as Error).cause)) throw (pullError as Error).cause;
      throw new PlacementError(`${what}: ${(pullError as Error).message}`);
    }
  }

  private async containersOf(allocId: string, options: { longRunningOnly?: boolean } = {}): Promise<Docker.Container[]> {
    const listed = await this.docker.listContainers({ all: true, filters: { label: labelFilter(this.extraLabels, { [label.alloc]: allocId }) } });
    return listed.filter((item) => !options.longRunningOnly || item.Labels[label.runsOnce] !== 'true').map((item) => this.docker.getContainer(item.Id));
  }

  /**
   * Stops (SIGTERM, then SIGKILL after the timeout: undefined, each container's own) and
   * removes an allocation's containers: those given, else those the engine lists.
   */
  private async removeContainers(allocId: string, stopTimeoutSeconds: number | undefined, containerIds?: string[]): Promise<void> {
    const containers = containerIds ? containerIds.map((id) => this.docker.getContainer(id)) : await this.containersOf(allocId);
    const results = await Promise.allSettled(
      containers.map(async (container) => {
        await container.stop(stopTimeoutSeconds === undefined ? {} : { t: stopTimeoutSeconds }).catch((error: unknown) => ignore(error, [304, 404]));
        // v: its anonymous volumes (Kubernetes emptyDir, an image's VOLUME) go with it; named volumes never do.
        await container.remove({ force: true, v: true }).catch((error: unknown) => ignore(error, [404, 409]));
      }),
    );
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure && isConnectionError(failure.reason)) throw failure.reason;
    if (failure) throw new Error(`removing allocation ${allocId}: ${engineMessage(failure.reason)}`);
  }
}

function ignore(error: unknown, statusCodes: number[]): void {
  if (!statusCodes.includes(statusOf(error) ?? 0)) throw error;
}

function engineAddress(docker: Docker): string {
  const modem = docker.modem as { socketPath?: string; host?: string; port?: string | number; protocol?: string };
  if (modem.socketPath) return `unix://${modem.socketPath}`;
  return `${modem.protocol ?? 'http'}://${modem.host ?? 'localhost'}${modem.port ? `:${modem.port}` : ''}`;
}

/** The group's ports, once per label (tasks of a group share its network, as in Nomad). */
function portRequests(request: PlacementRequest): PortRequest[] {
  const requests = new Map<string, PortRequest>();
  for (const task of request.group.tasks) {
    for (const port of task.ports) if (!requests.has(port.label)) requests.set(port.label, { label: port.label, static: port.static });
  }
  return [...requests.values()];
}
