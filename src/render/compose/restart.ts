// `restart:` (`no`, `always`, `on-failure[:N]`, `unless-stopped`) and
// `deploy.restart_policy`. As in Compose, a restart_policy replaces `restart:` as a
// whole; Swarm's defaults fill the fields neither sets.
import type { RestartCondition, RestartPolicy } from '../../model/index.js';
import { swarmRestartDefaults } from '../defaults.js';
import { describeValue } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';
import { restartPolicyKeys } from './keys.js';
import type { Path } from './report.js';
import { record } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readDuration, readEnum, readMap, readWholeNumber, unreadable, refuseUnknownKeys } from './values.js';

const conditions: readonly RestartCondition[] = ['none', 'on-failure', 'any'];

export function mapRestart(scope: ServiceScope, service: PlainMap, deploy: PlainMap | undefined): RestartPolicy {
  if (deploy?.restart_policy !== undefined) {
    if (service.restart !== undefined) {
      scope.r.notice([...scope.path, 'restart'], '"restart" is ignored: deploy.restart_policy is set and wins', {
        code: 'ignored-field',
      });
    }
    return fromRestartPolicy(scope, [...scope.path, 'deploy', 'restart_policy'], deploy.restart_policy);
  }
  return fromRestart(scope, [...scope.path, 'restart'], service.restart);
}

function fromRestartPolicy(scope: ServiceScope, path: Path, value: unknown): RestartPolicy {
  const policy: RestartPolicy = { ...swarmRestartDefaults };
  const map = readMap(scope.r, path, value);
  if (!map) return policy;
  const model = `${scope.group}.restart`;
  record(scope, model, path);
  refuseUnknownKeys(scope.r, path, map, restartPolicyKeys);
  const { r } = scope;
  const set = <K extends keyof RestartPolicy>(field: K, key: string, read: (at: Path, v: unknown) => RestartPolicy[K] | undefined): void => {
    const at = [...path, key];
    const found = read(at, map[key]);
    if (found === undefined) return;
    policy[field] = found;
    record(scope, `${model}.${field}`, at);
  };
  set('condition', 'condition', (at, v) => readEnum(r, at, v, conditions));
  set('delayMs', 'delay', (at, v) => readDuration(r, at, v));
  set('maxAttempts', 'max_attempts', (at, v) => readWholeNumber(r, at, v));
  set('windowMs', 'window', (at, v) => readDuration(r, at, v));
  return policy;
}

function fromRestart(scope: ServiceScope, path: Path, value: unknown): RestartPolicy {
  const policy: RestartPolicy = { ...swarmRestartDefaults };
  if (value === undefined || value === unreadable) return policy;
  const match = typeof value === 'string' ? /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(value.trim()) : null;
  if (!match || (match[2] !== undefined && match[1] !== 'on-failure')) {
    scope.r.error(path, `expected "no", "always", "on-failure", "on-failure:N" or "unless-stopped", got ${describeValue(value)}`);
    return policy;
  }
  const model = `${scope.group}.restart`;
  record(scope, model, path);
  record(scope, `${model}.condition`, path);
  const [, name, attempts] = match;
  policy.condition = name === 'no' ? 'none' : name === 'on-failure' ? 'on-failure' : 'any';
  if (attempts !== undefined) {
    policy.maxAttempts = Number(attempts);
    record(scope, `${model}.maxAttempts`, path);
  }
  return policy;
}
