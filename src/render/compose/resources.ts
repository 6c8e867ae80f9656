// `deploy.resources.limits` (`cpus`, `memory`) as the task's hard limits. Compose
// has no CPU reservation in MHz, so `cpu` stays null; reservations are not used.
// The older service-level `cpus` and `mem_limit` apply when deploy sets no limit.
import type { Resources } from '../../model/index.js';
import { describeValue, mebibytesRoundedUp } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';
import { limitsKeys, reservationsKeys, resourcesKeys } from './keys.js';
import type { Path } from './report.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readMap, readNumber, unreadable, warnUnknownKeys } from './values.js';

export function mapResources(scope: ServiceScope, service: PlainMap, deploy: PlainMap | undefined): Resources {
  const resources: Resources = { cpu: null, cpuLimit: null, memoryMB: null };
  const model = `${taskPath(scope)}.resources`;
  const limitsPath = [...scope.path, 'deploy', 'resources', 'limits'];
  const limits = readLimits(scope, deploy);

  // The first place that sets a limit wins; 0 is Docker's "no limit".
  const cpus = firstGiven([[[...limitsPath, 'cpus'], limits?.cpus], [[...scope.path, 'cpus'], service.cpus]]);
  const cores = cpus && readNumber(scope.r, cpus.path, cpus.value, { min: 0 });
  if (cpus && cores) {
    resources.cpuLimit = cores;
    record(scope, `${model}.cpuLimit`, cpus.path);
  }
  const memory = firstGiven([[[...limitsPath, 'memory'], limits?.memory], [[...scope.path, 'mem_limit'], service.mem_limit]]);
  const bytes = memory && readBytes(scope, memory.path, memory.value);
  if (memory && bytes) {
    resources.memoryMB = mebibytesRoundedUp(BigInt(bytes));
    record(scope, `${model}.memoryMB`, memory.path);
  }
  return resources;
}

function firstGiven(candidates: Array<[Path, unknown]>): { path: Path; value: unknown } | undefined {
  const found = candidates.find(([, value]) => value !== undefined);
  return found && { path: found[0], value: found[1] };
}

/** `deploy.resources.limits`, checking the keys around it; reservations are read only to check their keys. */
function readLimits(scope: ServiceScope, deploy: PlainMap | undefined): PlainMap | undefined {
  if (!deploy) return undefined;
  const path = [...scope.path, 'deploy', 'resources'];
  const resources = readMap(scope.r, path, deploy.resources);
  if (!resources) return undefined;
  warnUnknownKeys(scope.r, path, resources, resourcesKeys);
  const reservations = readMap(scope.r, [...path, 'reservations'], resources.reservations);
  if (reservations) warnUnknownKeys(scope.r, [...path, 'reservations'], reservations, reservationsKeys);
  const limits = readMap(scope.r, [...path, 'limits'], resources.limits);
  if (limits) warnUnknownKeys(scope.r, [...path, 'limits'], limits, limitsKeys);
  return limits;
}

const unitPower: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

/** Bytes from `512m`, `1g`, `50M`, `1.5GiB`, `100b` or a plain number of bytes (units are powers of 1024, as Docker's). */
export function readBytes(scope: ServiceScope, path: Path, value: unknown): number | undefined {
  if (value === unreadable) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?\s*$/i.exec(value) : null;
  if (!match) {
    scope.r.error(path, `expected an amount of memory such as "512m", "1g" or a number of bytes, got ${describeValue(value)}`);
    return undefined;
  }
  const power = unitPower[match[2]!.toLowerCase()] ?? 0;
  const bytes = Math.round(Number(match[1]) * 1024 ** power);
  if (Number.isSafeInteger(bytes)) return bytes;
  scope.r.error(path, `expected an amount of memory of less than 8p, got ${describeValue(value)}`);
  return undefined;
}
