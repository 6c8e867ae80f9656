// `deploy.update_config` and `deploy.rollback_config` as an UpdateStrategy, per the
// table in docs/spec.md. Swarm's defaults fill what is absent; Swarm has no
// canaries, so canary is 0 and autoPromote false.
import type { FailureAction, UpdateOrder, UpdateStrategy } from '../../model/index.js';
import { swarmUpdateDefaults } from '../defaults.js';
import { updateConfigKeys } from './keys.js';
import type { Path } from './report.js';
import { record } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readDuration, readEnum, readMap, readNumber, readWholeNumber, refuseUnknownKeys } from './values.js';

type StrategyKind = 'update' | 'rollback';

const failureActions: Record<StrategyKind, readonly FailureAction[]> = {
  update: ['pause', 'continue', 'rollback'],
  // A failing rollback cannot roll back again.
  rollback: ['pause', 'continue'],
};
const orders: readonly UpdateOrder[] = ['stop-first', 'start-first'];

/**
 * The strategy from the config at `path`; absent fields (or the whole config) take
 * Swarm's defaults, which are the same for update_config and rollback_config.
 */
export function mapUpdateConfig(scope: ServiceScope, path: Path, value: unknown, kind: StrategyKind): UpdateStrategy {
  const strategy: UpdateStrategy = { ...swarmUpdateDefaults };
  const model = `${scope.group}.${kind}`;
  const map = readMap(scope.r, path, value);
  if (!map) return strategy;
  record(scope, model, path);
  refuseUnknownKeys(scope.r, path, map, updateConfigKeys);

  const { r } = scope;
  const set = <K extends keyof UpdateStrategy>(field: K, key: string, read: (at: Path, v: unknown) => UpdateStrategy[K] | undefined): void => {
    const at = [...path, key];
    const found = read(at, map[key]);
    if (found === undefined) return;
    strategy[field] = found;
    record(scope, `${model}.${field}`, at);
  };
  set('maxParallel', 'parallelism', (at, v) => readWholeNumber(r, at, v));
  set('delayMs', 'delay', (at, v) => readDuration(r, at, v));
  set('monitorMs', 'monitor', (at, v) => readDuration(r, at, v));
  set('maxFailureRatio', 'max_failure_ratio', (at, v) => readNumber(r, at, v, { min: 0, max: 1 }));
  set('order', 'order', (at, v) => readEnum(r, at, v, orders));
  set('failureAction', 'failure_action', (at, v) => readEnum(r, at, v, failureActions[kind]));
  strategy.autoRevert = strategy.failureAction === 'rollback';
  if (strategy.autoRevert) record(scope, `${model}.autoRevert`, [...path, 'failure_action']);
  return strategy;
}
