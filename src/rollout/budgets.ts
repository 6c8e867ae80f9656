// Kubernetes' budgets for replacing allocations: at most `count + surge` exist, at
// least `count - unavailable` are healthy. Nomad and Swarm say them with
// max_parallel/parallelism and an order; every rollout and replacement keeps to them.
import type { JobFormat, UpdateStrategy } from '../model/index.js';

export interface Budgets {
  surge: number;
  unavailable: number;
}

/** Kubernetes' budgets, from the strategy: Nomad and Swarm say them with maxParallel and order. */
export function budgets(strategy: UpdateStrategy, count: number): Budgets {
  const parallel = strategy.maxParallel > 0 ? strategy.maxParallel : Math.max(1, count);
  const surge = strategy.maxSurge ?? (strategy.order === 'start-first' ? parallel : 0);
  let unavailable = strategy.maxUnavailable ?? (strategy.order === 'stop-first' ? parallel : 0);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** The budgets in the words of the job's own format, for reasons people read. */
export function budgetWords(strategy: UpdateStrategy, format: JobFormat, { surge, unavailable }: Budgets): string {
  if (format === 'kubernetes') return `maxSurge ${surge}, maxUnavailable ${unavailable}`;
  if (format === 'compose') return `parallelism ${strategy.maxParallel}${strategy.order === 'start-first' ? ', order start-first' : ''}`;
  return `max_parallel ${strategy.maxParallel}`;
}
