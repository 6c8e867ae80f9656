// A Deployment's `strategy`, `minReadySeconds` and `progressDeadlineSeconds` → the
// group's update strategy, with maxSurge / maxUnavailable resolved against the
// replica count exactly as the Deployment controller resolves them.
import type { UpdateStrategy } from '../../model/index.js';
import { kubernetesDefaults } from '../defaults.js';
import { unknownKeyHint } from '../suggest.js';
import type { YamlPath } from '../yaml/document.js';
import { rollingUpdateFields, strategyFields } from './api-fields.js';
import type { ManifestReader } from './reader.js';
import { int32Max } from './reader.js';

/** A maxSurge / maxUnavailable as written: a number of pods or a percentage of the replicas. */
type Budget = { pods: number } | { percent: number };

const strategyTypes = ['RollingUpdate', 'Recreate'];
const update = 'groups.0.update';

/**
 * A Deployment's rollout in the model's terms when the manifest sets nothing (one
 * replica, maxSurge and maxUnavailable 25%). Kubernetes has no canaries, no deadline
 * per pod (the progress deadline alone decides) and no automatic rollback: a failed
 * rollout stays where it stopped. Fields in the model's order, so the rendered job
 * reads like every other format's.
 */
export const kubernetesUpdateDefaults: UpdateStrategy = Object.freeze({
  // 25% of one replica: the surge rounds up to 1 and unavailable down to 0, so the
  // new pod starts before the old one stops.
  maxParallel: 1,
  canary: 0,
  autoPromote: false,
  autoRevert: false,
  minHealthyTimeMs: kubernetesDefaults.minReadySeconds * 1000,
  monitorMs: 0,
  healthyDeadlineMs: 0,
  progressDeadlineMs: kubernetesDefaults.progressDeadlineSeconds * 1000,
  // Without a readiness probe a pod is ready once its containers run.
  healthCheck: 'task_states',
  order: 'start-first',
  delayMs: 0,
  failureAction: 'pause',
  maxFailureRatio: 0,
  // A pod that fails is restarted; only the progress deadline fails a rollout.
  onUnhealthy: 'replace',
  maxSurge: 1,
  maxUnavailable: 0,
});

export function mapUpdate(reader: ManifestReader, replicas: number, hasReadinessProbe: boolean): UpdateStrategy {
  const strategy = ['spec', 'strategy'];
  reader.mapping(strategy);
  reader.checkKeys(strategy, strategyFields);
  reader.recordFirstPresent(update, [strategy, ['spec']]);

  const type = reader.string([...strategy, 'type']) ?? 'RollingUpdate';
  if (!strategyTypes.includes(type)) {
    const hint = unknownKeyHint(type, strategyTypes);
    reader.error([...strategy, 'type'], `expected "RollingUpdate" or "Recreate", got ${JSON.stringify(type)}`, hint ? { hint } : {});
  }
  const budgets = type === 'Recreate' ? recreateBudgets(reader, strategy, replicas) : rollingBudgets(reader, strategy, replicas);
  return {
    ...kubernetesUpdateDefaults,
    ...budgets,
    ...deadlines(reader),
    healthCheck: hasReadinessProbe ? 'checks' : kubernetesUpdateDefaults.healthCheck,
  };
}

type Budgets = Pick<UpdateStrategy, 'maxSurge' | 'maxUnavailable' | 'maxParallel' | 'order'>;

/** Recreate stops every old pod before starting any new one. */
function recreateBudgets(reader: ManifestReader, strategy: YamlPath, replicas: number): Budgets {
  const rolling = [...strategy, 'rollingUpdate'];
  if (reader.has(rolling)) reader.error(rolling, 'rollingUpdate may not be set when type is "Recreate"', { part: 'key' });
  for (const field of ['maxSurge', 'maxUnavailable', 'maxParallel', 'order']) reader.record(`${update}.${field}`, [...strategy, 'type']);
  return { maxSurge: 0, maxUnavailable: replicas, maxParallel: Math.max(1, replicas), order: 'stop-first' };
}

function rollingBudgets(reader: ManifestReader, strategy: YamlPath, replicas: number): Budgets {
  const rolling = [...strategy, 'rollingUpdate'];
  reader.mapping(rolling);
  reader.checkKeys(rolling, rollingUpdateFields);
  const surgeBudget = readBudget(reader, [...rolling, 'maxSurge'], false) ?? parseBudget(kubernetesDefaults.maxSurge)!;
  const unavailableBudget = readBudget(reader, [...rolling, 'maxUnavailable'], true) ?? parseBudget(kubernetesDefaults.maxUnavailable)!;
  if (budgetValue(surgeBudget) === 0 && budgetValue(unavailableBudget) === 0) {
    reader.error([...rolling, 'maxUnavailable'], 'may not be 0 when maxSurge is 0: the rollout could never replace a pod', {
      hint: 'allow at least one extra pod (maxSurge: 1) or one missing pod (maxUnavailable: 1)',
    });
  }
  const { maxSurge, maxUnavailable } = resolveBudgets(surgeBudget, unavailableBudget, replicas);
  for (const field of ['maxSurge', 'maxUnavailable'] as const) {
    if (reader.has([...rolling, field])) reader.record(`${update}.${field}`, [...rolling, field]);
  }
  if (reader.has(rolling)) {
    reader.record(`${update}.maxParallel`, rolling);
    reader.record(`${update}.order`, rolling);
  }
  return {
    maxSurge,
    maxUnavailable,
    maxParallel: Math.max(1, maxSurge + maxUnavailable),
    // With no pod allowed missing, the new pod must be up before an old one stops.
    order: maxUnavailable === 0 ? 'start-first' : 'stop-first',
  };
}

/**
 * The controller's resolution (ResolveFenceposts and MaxUnavailable in Kubernetes'
 * deployment util): surge rounds up and unavailable down; when rounding leaves both
 * at 0, one pod may be unavailable so the rollout can move; unavailable never
 * exceeds the replicas.
 */
export function resolveBudgets(surge: Budget, unavailable: Budget, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = resolveBudget(surge, replicas, 'up');
  let maxUnavailable = resolveBudget(unavailable, replicas, 'down');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

function resolveBudget(budget: Budget, replicas: number, round: 'up' | 'down'): number {
  if ('pods' in budget) return budget.pods;
  const exact = budget.percent * replicas;
  return round === 'up' ? Math.ceil(exact / 100) : Math.floor(exact / 100);
}

function budgetValue(budget: Budget): number {
  return 'pods' in budget ? budget.pods : budget.percent;
}

/** `3` or `"25%"`; undefined for anything else. */
export function parseBudget(value: unknown): Budget | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= int32Max ? { pods: value } : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,10})%$/.exec(value);
  return match ? { percent: Number(match[1]) } : undefined;
}

function readBudget(reader: ManifestReader, path: YamlPath, atMostAll: boolean): Budget | undefined {
  if (!reader.has(path)) return undefined;
  const value = reader.value(path);
  const budget = parseBudget(value);
  const expectation = 'a whole number of pods of at least 0 or a percentage such as "25%"';
  if (!budget) {
    const hint = typeof value === 'string' && /^\d+$/.test(value.trim())
      ? 'remove the quotes for a number of pods, or add "%" for a percentage'
      : undefined;
    reader.expected(path, expectation, hint);
    return undefined;
  }
  // More than all the pods missing at once means nothing; Kubernetes refuses it.
  if (atMostAll && 'percent' in budget && budget.percent > 100) {
    reader.expected(path, 'a percentage of at most 100%');
    return undefined;
  }
  return budget;
}

function deadlines(reader: ManifestReader): Pick<UpdateStrategy, 'minHealthyTimeMs' | 'progressDeadlineMs'> {
  const minReadyPath = ['spec', 'minReadySeconds'];
  const deadlinePath = ['spec', 'progressDeadlineSeconds'];
  const minReadySeconds = reader.wholeNumber(minReadyPath, { min: 0 }) ?? kubernetesDefaults.minReadySeconds;
  const deadlineSeconds = reader.wholeNumber(deadlinePath, { min: 0 }) ?? kubernetesDefaults.progressDeadlineSeconds;
  if (reader.has(minReadyPath)) reader.record(`${update}.minHealthyTimeMs`, minReadyPath);
  if (reader.has(deadlinePath)) reader.record(`${update}.progressDeadlineMs`, deadlinePath);
  // A pod must be able to count as available before the deadline passes.
  if (deadlineSeconds <= minReadySeconds) {
    if (reader.has(deadlinePath)) reader.expected(deadlinePath, `more than minReadySeconds (${minReadySeconds})`);
    else reader.expected(minReadyPath, `less than progressDeadlineSeconds (${deadlineSeconds} unless set)`);
  }
  return {
    minHealthyTimeMs: minReadySeconds * 1000,
    // Kubernetes reads the largest int32 as "no deadline"; 0 says the same in the model.
    progressDeadlineMs: deadlineSeconds === int32Max ? 0 : deadlineSeconds * 1000,
  };
}
