// The one model every job format renders into (docs/spec.md "Job as JSON").
// Nothing after render knows which format a job came from, except `source`
// for pointing errors and plans at a file.

export type JobFormat = 'nomad' | 'compose' | 'kubernetes';

export interface JobSource {
  format: JobFormat;
  /** Path of the job file relative to the rendered tree's root, with `/` separators. */
  file: string;
}

export interface Job {
  id: string;
  type: 'service';
  source: JobSource;
  meta: Record<string, string>;
  /** How many old versions to keep (Kubernetes `revisionHistoryLimit`); null: the agent's default. */
  historyLimit: number | null;
  groups: Group[];
}

export interface Group {
  name: string;
  count: number;
  update: UpdateStrategy;
  /** How a rollback is carried out (Compose: `deploy.rollback_config`, else Swarm's defaults); null: as `update` (Nomad, Kubernetes). */
  rollback: UpdateStrategy | null;
  restart: RestartPolicy;
  meta: Record<string, string>;
  tasks: Task[];
}

export type HealthCheckMode = 'checks' | 'task_states' | 'manual';
export type UpdateOrder = 'stop-first' | 'start-first';
export type FailureAction = 'pause' | 'continue' | 'rollback';

export interface UpdateStrategy {
  /** Allocations replaced at a time; 0 replaces them all at once (Swarm's `parallelism: 0`). */
  maxParallel: number;
  canary: number;
  autoPromote: boolean;
  autoRevert: boolean;
  minHealthyTimeMs: number;
  /** 0: no deadline per allocation (Compose, Kubernetes): only the progress deadline applies. */
  healthyDeadlineMs: number;
  /** 0 disables the deployment deadline (as in Nomad). */
  progressDeadlineMs: number;
  healthCheck: HealthCheckMode;
  order: UpdateOrder;
  delayMs: number;
  failureAction: FailureAction;
  maxFailureRatio: number;
  /**
   * What an unhealthy allocation does to a deployment. replace: it is replaced, and
   * only the progress deadline fails the deployment (Nomad with a progress deadline,
   * Kubernetes). fail: it counts as a failure against maxFailureRatio, and
   * failureAction decides (Swarm; Nomad with progress_deadline = 0).
   */
  onUnhealthy: 'replace' | 'fail';
  /** Kubernetes budgets resolved to whole numbers against the replica count; null elsewhere. */
  maxSurge: number | null;
  maxUnavailable: number | null;
}

export type RestartCondition = 'any' | 'on-failure' | 'none';

export interface RestartPolicy {
  condition: RestartCondition;
  /** 0 means no limit. */
  maxAttempts: number;
  delayMs: number;
  /** Window in which `maxAttempts` are counted; 0: the whole life of the allocation. */
  windowMs: number;
}

export interface Task {
  name: string;
  driver: 'docker';
  image: string;
  /** Docker's Cmd is `[command, ...args]` when command is set, else `args`. */
  command: string | null;
  args: string[] | null;
  entrypoint: string[] | null;
  env: Record<string, string>;
  ports: Port[];
  resources: Resources;
  checks: Check[];
  /** Compose `healthcheck: { disable: true }` / `test: NONE`: ignore the image's HEALTHCHECK. */
  imageHealthcheck: 'use' | 'disable';
  meta: Record<string, string>;
}

export interface Port {
  label: string;
  /** A fixed host port; null: taken from the agent's dynamic range. */
  static: number | null;
  /** The port the process listens on when it is fixed by the image (Compose target, Kubernetes containerPort). */
  to: number | null;
}

export interface Resources {
  /** Nomad's CPU in MHz, mapped to Docker CPU shares; null: no reservation. */
  cpu: number | null;
  /** A hard limit in cores (Compose `cpus`, Kubernetes `limits.cpu`); null: none. */
  cpuLimit: number | null;
  memoryMB: number | null;
}

export type Check = HttpCheck | TcpCheck | ExecCheck;

interface CheckTiming {
  name: string | null;
  /**
   * readiness: the allocation is healthy only while it passes (what rollouts wait for);
   * liveness: failing restarts the task, but does not hold a rollout (Kubernetes' livenessProbe).
   */
  role: 'readiness' | 'liveness';
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before the check counts as failing. */
  retries: number;
  startPeriodMs: number;
}

export interface HttpCheck extends CheckTiming {
  type: 'http';
  /** A port label of the task, or a fixed port number. */
  port: string | number;
  path: string;
  method: string;
}

export interface TcpCheck extends CheckTiming {
  type: 'tcp';
  port: string | number;
}

/** Runs inside the container; carried out by the Docker engine as the container's HEALTHCHECK. */
export interface ExecCheck extends CheckTiming {
  type: 'exec';
  /** Docker's form: `["CMD", ...argv]` or `["CMD-SHELL", script]`. */
  command: string[];
}
