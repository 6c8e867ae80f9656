// `deploy.resources.limits` (`cpus`, `memory`) as the task's hard limits. Compose
// has no CPU reservation in MHz, so `cpu` stays null; reservations are not used.
// The older service-level `cpus` and `mem_limit` apply when deploy sets no limit.
import type { Resources } from '../../model/job.js';
import { limitsKeys, reservationsKeys, resourcesKeys } from './keys.js';
import type { Path } from './report.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { describeValue, readMap, readNumber, unreadable, warnUnknownKeys } from './values.js';
import type { PlainMap } from './values.js';

export function mapResources(scope: ServiceScope, service: PlainMap, deploy: PlainMap | undefined): Resources {
  const resources: Resources = { cpu: null, cpuLimit: null, memoryMB: null };
  const model = `${taskPath(scope)}.resources`;
  const limits = readLimits(scope, deploy);
  const sources: Array<[Path, unknown]> = [
    [limits.path ? [...limits.path, 'cpus'] : [], limits.map?.cpus],
    [[...scope.path, 'cpus'], service.cpus],
  ];
  for (const [path, value] of sources) {
    if (value === undefined || resources.cpuLimit !== null) continue;
    const cores = readNumber(scope.r, path, value, { min: 0 });
    // 0 is Docker's "no limit".
    if (cores) {
      resources.cpuLimit = cores;
      record(scope, `${model}.cpuLimit`, path);
    }
  }
  const memorySources: Array<[Path, unknown]> = [
    [limits.path ? [...limits.path, 'memory'] : [], limits.map?.memory],
    [[...scope.path, 'mem_limit'], service.mem_limit],
  ];
  for (const [path, value] of memorySources) {
    if (value === undefined || resources.memoryMB !== null) continue;
    const bytes = readBytes(scope, path, value);
    if (bytes) {
      resources.memoryMB = bytes / (1024 * 1024);
      record(scope, `${model}.memoryMB`, path);
    }
  }
  return resources;
}

function readLimits(scope: ServiceScope, deploy: PlainMap | undefined): { map?: PlainMap; path?: Path } {
  if (!deploy) return {};
  const path = [...scope.path, 'deploy', 'resources'];
  const resources = readMap(scope.r, path, deploy.resources);
  if (!resources) return {};
  warnUnknownKeys(scope.r, path, resources, resourcesKeys);
  const reservations = readMap(scope.r, [...path, 'reservations'], resources.reservations);
  if (reservations) warnUnknownKeys(scope.r, [...path, 'reservations'], reservations, reservationsKeys);
  const limitsPath = [...path, 'limits'];
  const limits = readMap(scope.r, limitsPath, resources.limits);
  if (!limits) return {};
  warnUnknownKeys(scope.r, limitsPath, limits, limitsKeys);
  return { map: limits, path: limitsPath };
}

const unitPower: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

/** Bytes from `512m`, `1g`, `50M`, `1.5GiB`, `100b` or a plain number of bytes (units are powers of 1024, as Docker's). */
export function readBytes(scope: ServiceScope, path: Path, value: unknown): number | undefined {
  if (value === unreadable) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?\s*$/i.exec(value) : null;
  if (!match) {
    scope.r.error(path, `expected an amount of memory such as "512m", "1g" or a number of bytes, found ${describeValue(value)}`);
    return undefined;
  }
  const power = unitPower[match[2]!.toLowerCase()] ?? 0;
  return Math.round(Number(match[1]) * 1024 ** power);
}
