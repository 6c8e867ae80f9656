// Each format's own defaults (docs/spec.md): a field absent from a job file gets
// the value its own tool would use, so the plan of an unchanged file never moves.
import type { RestartPolicy, UpdateStrategy } from '../model/index.js';

/** Nomad's `update` stanza defaults. */
export const nomadUpdateDefaults: UpdateStrategy = Object.freeze({
  maxParallel: 1,
  canary: 0,
  autoPromote: false,
  autoRevert: false,
  minHealthyTimeMs: 10_000,
  monitorMs: 0,
  healthyDeadlineMs: 300_000,
  progressDeadlineMs: 600_000,
  healthCheck: 'checks',
  order: 'stop-first',
  delayMs: 0,
  failureAction: 'pause',
  maxFailureRatio: 0,
  onUnhealthy: 'replace',
  maxSurge: null,
  maxUnavailable: null,
});

/** Nomad's restart defaults for service jobs: 2 attempts in 30m, 15s apart, then fail. */
export const nomadRestartDefaults: RestartPolicy = Object.freeze({
  condition: 'any',
  maxAttempts: 2,
  delayMs: 15_000,
  windowMs: 1_800_000,
});

/** Nomad's resource defaults. */
export const nomadResourceDefaults = Object.freeze({ cpu: 100, memoryMB: 300 });

/**
 * Swarm's `update_config` / `rollback_config` defaults. Swarm has no deadline per
 * task (0: none) and none per update: Nomad's progress deadline bounds it.
 */
export const swarmUpdateDefaults: UpdateStrategy = Object.freeze({
  maxParallel: 1,
  canary: 0,
  autoPromote: false,
  autoRevert: false,
  // Swarm's monitor (5s) watches for failures without holding a batch.
  minHealthyTimeMs: 0,
  monitorMs: 5_000,
  healthyDeadlineMs: 0,
  progressDeadlineMs: 600_000,
  healthCheck: 'checks',
  order: 'stop-first',
  delayMs: 0,
  failureAction: 'pause',
  maxFailureRatio: 0,
  onUnhealthy: 'fail',
  maxSurge: null,
  maxUnavailable: null,
});

/** Swarm's restart defaults: restart on any exit, 5s apart, without limit. */
export const swarmRestartDefaults: RestartPolicy = Object.freeze({
  condition: 'any',
  maxAttempts: 0,
  delayMs: 5_000,
  windowMs: 0,
});

/** Kubernetes Deployment defaults. */
export const kubernetesDefaults = Object.freeze({
  replicas: 1,
  maxSurge: '25%',
  maxUnavailable: '25%',
  progressDeadlineSeconds: 600,
  minReadySeconds: 0,
  revisionHistoryLimit: 10,
  terminationGracePeriodSeconds: 30,
});

/** A Pod's `restartPolicy: Always`, with kubelet's back-off approximated by a fixed delay. */
export const kubernetesRestartDefaults: RestartPolicy = Object.freeze({
  condition: 'any',
  maxAttempts: 0,
  delayMs: 10_000,
  windowMs: 0,
});

/** Check timing defaults when a format leaves them out. */
export const checkDefaults = Object.freeze({
  nomad: { intervalMs: 10_000, timeoutMs: 2_000, retries: 1, startPeriodMs: 0 },
  docker: { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 },
  kubernetes: { intervalMs: 10_000, timeoutMs: 1_000, retries: 3, startPeriodMs: 0 },
});
