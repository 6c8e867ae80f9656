// The runtime's contract: what the rollout engine asks of whatever runs
// allocations. `docker/` implements it on the Docker engine; tests of the pure
// core never need it.
import type { Check, Group, Job, PullPolicy, RegistryCredentials, RestartPolicy } from '../model/index.js';

/** Everything needed to start one allocation: one container per task of its group. */
export interface PlacementRequest {
  allocId: string;
  jobId: string;
  jobVersion: number;
  deploymentId: string | null;
  group: Group;
  index: number;
  /** The group spec hash (plan/change-rules.ts), carried as the `deckhand.spec-hash` label. */
  specHash: string;
  /** Port label → host port, when they were chosen before (a replacement keeps nothing; a re-placement after a crash keeps them). */
  ports?: Record<string, number>;
  /** The whole job of this version, carried by the containers: a lost data directory is rebuilt from what runs. */
  job?: Job;
}

export interface Placement {
  /** Task name → container id. */
  containers: Record<string, string>;
  /** Port label → host port. */
  ports: Record<string, number>;
}

/** The engine could not start an allocation, with the engine's own words (e.g. a missing image). */
export class PlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlacementError';
  }
}

/**
 * The runtime did not answer at all (not running, restarting, its socket gone).
 * Nothing can be concluded about what runs then: callers wait and try again,
 * and never count it against an allocation.
 */
export class RuntimeUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeUnavailableError';
  }
}

export type TaskState = 'running' | 'restarting' | 'exited' | 'created' | 'missing';
export type DockerHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface TaskObservation {
  task: string;
  containerId: string | null;
  state: TaskState;
  exitCode: number | null;
  restartCount: number;
  /** Milliseconds since the epoch; null when never started. */
  startedAt: number | null;
  /** The container's HEALTHCHECK status (the image's, or one from the job). */
  health: DockerHealth;
  /** Milliseconds since the epoch at which the HEALTHCHECK turned healthy (Docker's probe log); null when not healthy. */
  healthySince: number | null;
}

/** What runs for one allocation, read from the engine's containers and their labels. */
export interface AllocationObservation {
  allocId: string;
  jobId: string;
  group: string;
  index: number;
  jobVersion: number;
  specHash: string;
  deploymentId: string | null;
  ports: Record<string, number>;
  /**
   * Port label → where the process listens, on the job's network (the container's
   * address there and the port inside); absent under host networking. The host reaches
   * it directly, without Docker's port proxy: the edge connects there.
   */
  addresses: Record<string, { host: string; port: number }>;
  tasks: TaskObservation[];
  /** The job version's spec as the containers carry it (JSON), when they do. */
  spec: string | null;
  /**
   * Placed by an agent with this agent's own `--labels` (none for none). An agent
   * without labels sees every agent's containers; it adopts only its own.
   */
  inScope: boolean;
}

/** `disconnected`: the event stream broke (the runtime may be gone); `reconnected`: it is back, and events may have been missed. */
export type RuntimeEventKind = 'start' | 'die' | 'health' | 'destroy' | 'check' | 'reconnected' | 'disconnected';

/** Something changed for an allocation: the engine re-reads and reconciles its job. */
export interface RuntimeEvent {
  kind: RuntimeEventKind;
  allocId: string | null;
  jobId: string | null;
  time: number;
  /** A `health` event's container and the status it turned to: enough to act on before the container is read again. */
  health?: { containerId: string; status: DockerHealth };
}

export interface CheckStatus {
  /** True when every readiness check passes (also when there are none). */
  ready: boolean;
  /** True when a liveness check has failed `retries` times in a row. */
  livenessFailed: boolean;
  /** The last failure, for descriptions. */
  lastError: string | null;
  /** When `ready` last turned true (the passing probe's end); null while not ready, or when there are no checks. */
  readySince: number | null;
}

/** The engine's images and the registries they come from. */
export interface ImageRegistry {
  /** The policy of tasks that set none (the agent's `--pull`). */
  readonly defaultPullPolicy: PullPolicy;
  /** The registry's current manifest digest for a reference (`sha256:...`), with the job file's credentials if given; rejects with the registry's own words. */
  registryDigest(image: string, credentials?: RegistryCredentials): Promise<string>;
  /** Whether the engine holds the image. */
  has(image: string): Promise<boolean>;
}

export interface Driver {
  /** Images and registries, when the runtime pulls from registries: absent, nothing is resolved. */
  readonly imageRegistry?: ImageRegistry;
  /**
   * Creates and starts the allocation's containers; throws PlacementError, leaving nothing behind, when it cannot.
   * Every method throws RuntimeUnavailableError when the runtime does not answer.
   */
  place(request: PlacementRequest): Promise<Placement>;
  /** Stops and removes every container of an allocation; nothing to do is fine. */
  stop(allocId: string): Promise<void>;
  /**
   * Removes the job networks deckhand made, by the Docker name the job gives them
   * (model dockerNetworkName; the driver adds its own suffix), that no container uses
   * any more (a purged job's); returns those removed. Never one it did not make.
   */
  releaseNetworks(dockerNames: string[]): Promise<string[]>;
  /**
   * The job volumes deckhand made among `dockerNames` (model dockerVolumeName; the
   * driver adds its own suffix): removed with `remove` (those no container uses),
   * else only listed as kept; those in `keep` (name → why) are kept whatever. Never
   * one it did not make, nor an external one.
   */
  purgeVolumes(dockerNames: string[], remove: boolean, keep?: Record<string, string>): Promise<VolumePurge>;
  /** Restarts an allocation's containers (a liveness check failed). */
  restart(allocId: string): Promise<void>;
  /** Changes the restart policy of running containers, in place. */
  updateRestartPolicy(allocId: string, policy: RestartPolicy): Promise<void>;
  /** Every allocation deckhand has containers for, from their labels. */
  observe(): Promise<AllocationObservation[]>;
  /** What runs for one allocation; null when it has no containers. */
  observeAllocation(allocId: string): Promise<AllocationObservation | null>;
  /** Starts running an allocation's http/tcp checks (after placing it, or adopting it after a restart). */
  watchChecks(allocId: string, jobId: string, checks: Check[], ports: Record<string, number>): void;
  unwatchChecks(allocId: string): void;
  checkStatus(allocId: string): CheckStatus;
  /** Container and check events, reconnecting to the engine when the stream breaks. */
  subscribe(listener: (event: RuntimeEvent) => void): () => void;
  close(): Promise<void>;
}

/** What purgeVolumes did: Docker names removed, and those kept with why. */
export interface VolumePurge {
  removed: string[];
  kept: Array<{ name: string; why: string }>;
}
