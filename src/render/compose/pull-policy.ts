// `pull_policy`: when the service's image is pulled. `if_not_present` is the older
// name of `missing`; `build` and the periodic policies (`daily`, `every_12h`) ask
// for what deckhand does not do, and are refused rather than read as another policy.
import type { PullPolicy } from '../../model/index.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import type { PlainMap } from '../yaml/values.js';
import { readEnum } from './values.js';

const policies: Record<string, PullPolicy> = { always: 'always', missing: 'missing', if_not_present: 'missing', never: 'never' };

/** The task's `pull` field when the service sets one: absent keeps jobs that say nothing as they were. */
export function mapPullPolicy(scope: ServiceScope, service: PlainMap): { pull?: PullPolicy } {
  const value = service.pull_policy;
  if (value === undefined) return {};
  const path = [...scope.path, 'pull_policy'];
  const policy = typeof value === 'string' ? policies[value] : undefined;
  if (policy) {
    record(scope, `${taskPath(scope)}.pull`, path);
    return { pull: policy };
  }
  if (value === 'build' || (typeof value === 'string' && /^(daily|weekly|every_\w+)$/.test(value))) {
    const why = value === 'build' ? 'deckhand runs images and builds none' : 'deckhand pulls on a schedule of its own: on each sync with "always"';
    scope.r.error(path, `pull_policy "${value}" is not supported: ${why}`, { code: 'unsupported', hint: 'use "always", "missing" or "never"; with "always" a tag pushed anew rolls out on the next sync' });
    return {};
  }
  readEnum(scope.r, path, value, Object.keys(policies));
  return {};
}
