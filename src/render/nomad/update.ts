// Nomad's `update` stanza: a job-level stanza is merged into each group's, the
// group's attributes winning, then Nomad's defaults fill the rest (docs/spec.md table).
import type { HealthCheckMode, UpdateStrategy } from '../../model/index.js';
import { nomadUpdateDefaults } from '../defaults.js';
import type { Block } from '../../hcl/index.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

type NumberKey = 'maxParallel' | 'canary';
type DurationKey = 'minHealthyTimeMs' | 'healthyDeadlineMs' | 'progressDeadlineMs';
type BoolKey = 'autoRevert' | 'autoPromote';

const numbers: ReadonlyArray<[string, NumberKey]> = [
  ['max_parallel', 'maxParallel'],
  ['canary', 'canary'],
];
const durations: ReadonlyArray<[string, DurationKey]> = [
  ['min_healthy_time', 'minHealthyTimeMs'],
  ['healthy_deadline', 'healthyDeadlineMs'],
  ['progress_deadline', 'progressDeadlineMs'],
];
const bools: ReadonlyArray<[string, BoolKey]> = [
  ['auto_revert', 'autoRevert'],
  ['auto_promote', 'autoPromote'],
];

/** Nomad's own rules for an update stanza (nomad/structs UpdateStrategy.Validate) beyond the shared ones. */
function checkNomadRules(ctx: NomadContext, update: UpdateStrategy, modelPath: string): void {
  const at = (key: string) => ctx.fields.get(`${modelPath}.${key}`) ?? ctx.fields.get(modelPath);
  const fail = (key: string, message: string, hint?: string) => {
    const origin = at(key);
    if (!origin) return;
    ctx.diagnostics.push({ severity: 'error', code: 'invalid-value', file: ctx.file, line: origin.pos.line, col: origin.pos.col, field: origin.field, message, ...(hint ? { hint } : {}) });
  };
  if (update.autoPromote && update.canary === 0) fail('autoPromote', 'auto_promote needs canary greater than 0', 'without canaries there is nothing to promote');
  if (update.healthyDeadlineMs === 0) fail('healthyDeadlineMs', 'healthy_deadline must be greater than 0');
}

/**
 * The group's strategy from the job's and the group's `update` blocks (either may
 * be absent). `modelPath` is where the strategy lives in the Job, for FieldMap.
 */
export function mapUpdate(ctx: NomadContext, jobUpdate: Block | undefined, groupUpdate: Block | undefined, modelPath: string): UpdateStrategy {
  const update: UpdateStrategy = { ...nomadUpdateDefaults };
  // Job first, then group: the group's attributes overwrite the job's.
  const layers = [jobUpdate, groupUpdate].filter((b): b is Block => b !== undefined);
  for (const block of layers) {
    const reader = BlockReader.ofBlock(ctx, block, 'update', 'update');
    ctx.origin(modelPath, block.typeSpan, reader.fieldPrefix);
    for (const [name, key] of numbers) {
      const read = reader.number(name, { integer: true, min: 0 });
      if (!read) continue;
      update[key] = read.value;
      ctx.origin(`${modelPath}.${key}`, read.span, read.field);
    }
    for (const [name, key] of durations) {
      const read = reader.duration(name);
      if (!read) continue;
      update[key] = read.value;
      ctx.origin(`${modelPath}.${key}`, read.span, read.field);
    }
    for (const [name, key] of bools) {
      const read = reader.bool(name);
      if (!read) continue;
      update[key] = read.value;
      ctx.origin(`${modelPath}.${key}`, read.span, read.field);
    }
    const health = reader.oneOf<HealthCheckMode>('health_check', ['checks', 'task_states', 'manual']);
    if (health) {
      update.healthCheck = health.value;
      ctx.origin(`${modelPath}.healthCheck`, health.span, health.field);
    }
  }
  update.failureAction = update.autoRevert ? 'rollback' : 'pause';
  // Nomad: with a progress deadline, failed allocations are replaced until it passes; without one, the first fails the deployment.
  update.onUnhealthy = update.progressDeadlineMs > 0 ? 'replace' : 'fail';
  checkNomadRules(ctx, update, modelPath);
  return update;
}
