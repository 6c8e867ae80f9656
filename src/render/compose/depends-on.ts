// `depends_on`: the services this one starts after. A list (each started first) or
// a map with `condition` (service_started, service_healthy), `required` (false: a
// service not in the file is no dependency) and `restart` (only false: deckhand
// never restarts a service because another one was updated).
import type { Group } from '../../model/index.js';
import { describeValue, isPlainMap } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';
import { record } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readBoolean, readEnum, readString, unreadable, refuseUnknownKeys } from './values.js';

const dependencyKeys = new Set(['condition', 'required', 'restart']);
const conditions = ['service_started', 'service_healthy', 'service_completed_successfully'] as const;

export function mapDependsOn(scope: ServiceScope, service: PlainMap, services: ReadonlySet<string>): Pick<Group, 'dependsOn'> {
  const path = [...scope.path, 'depends_on'];
  const value = service.depends_on;
  if (value === undefined || value === null || value === unreadable) return {};
  const dependsOn: NonNullable<Group['dependsOn']> = {};
  const add = (name: string, condition: 'started' | 'healthy', at: (string | number)[], required: boolean) => {
    if (!services.has(name)) {
      if (required) scope.r.error(at, `service "${name}" is not in the file`, { code: 'invalid-value', hint: 'depend on a service of this file, or set required: false' });
      return;
    }
    if (name === scope.name) {
      scope.r.error(at, 'a service cannot depend on itself');
      return;
    }
    dependsOn[name] = condition;
    record(scope, `${scope.group}.dependsOn.${name}`, at);
  };
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      const name = readString(scope.r, [...path, i], item);
      if (name !== undefined) add(name, 'started', [...path, i], true);
    });
  } else if (isPlainMap(value)) {
    for (const [name, settings] of Object.entries(value)) {
      const at = [...path, name];
      const map = settings === null ? {} : isPlainMap(settings) ? settings : undefined;
      if (!map) {
        scope.r.error(at, `expected a map with "condition", got ${describeValue(settings)}`);
        continue;
      }
      refuseUnknownKeys(scope.r, at, map, dependencyKeys);
      const condition = readEnum(scope.r, [...at, 'condition'], map.condition, conditions) ?? 'service_started';
      const required = readBoolean(scope.r, [...at, 'required'], map.required) ?? true;
      if (readBoolean(scope.r, [...at, 'restart'], map.restart) === true) {
        scope.r.error([...at, 'restart'], 'restart: true is not supported: deckhand never restarts a service because another one was updated', { code: 'unsupported', hint: 'remove restart, or set it to false' });
      }
      if (condition === 'service_completed_successfully') {
        scope.r.error([...at, 'condition'], 'service_completed_successfully is not supported: deckhand runs services that keep running', {
          code: 'unsupported',
          hint: 'run the one-off step in the service\'s own entrypoint before it starts, or use service_healthy',
        });
        continue;
      }
      add(name, condition === 'service_healthy' ? 'healthy' : 'started', at, required);
    }
  } else {
    scope.r.error(path, `expected a list of services or a map of service to condition, got ${describeValue(value)}`);
  }
  return Object.keys(dependsOn).length ? { dependsOn } : {};
}
