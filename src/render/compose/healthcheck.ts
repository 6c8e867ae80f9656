// `healthcheck:` as one exec check, which the Docker engine runs as the container's
// HEALTHCHECK. Without one, the image's own HEALTHCHECK applies at runtime.
import type { Check, ExecCheck } from '../../model/index.js';
import { checkDefaults } from '../defaults.js';
import { describeValue } from '../yaml/values.js';
import { healthcheckKeys } from './keys.js';
import type { Path } from './report.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readBoolean, readDuration, readMap, readWholeNumber, unreadable, refuseUnknownKeys } from './values.js';

interface MappedHealth {
  checks: Check[];
  imageHealthcheck: 'use' | 'disable';
}

const useImage: MappedHealth = { checks: [], imageHealthcheck: 'use' };
const timingKeys = ['interval', 'timeout', 'retries', 'start_period', 'start_interval'] as const;

type TestSpec = { none: true } | { none: false; command: string[] };

export function mapHealthcheck(scope: ServiceScope, value: unknown): MappedHealth {
  const path = [...scope.path, 'healthcheck'];
  const map = readMap(scope.r, path, value);
  if (!map) return { ...useImage };
  refuseUnknownKeys(scope.r, path, map, healthcheckKeys);
  const task = taskPath(scope);
  const disable = readBoolean(scope.r, [...path, 'disable'], map.disable) ?? false;
  const test = readTest(scope, [...path, 'test'], map.test);
  // Read every timing field first, so each wrong one is reported whatever the test.
  const defaults = checkDefaults.docker;
  const timing = {
    // Docker reads 0 as "not set": the default applies.
    intervalMs: readDuration(scope.r, [...path, 'interval'], map.interval) || defaults.intervalMs,
    timeoutMs: readDuration(scope.r, [...path, 'timeout'], map.timeout) || defaults.timeoutMs,
    retries: readWholeNumber(scope.r, [...path, 'retries'], map.retries) || defaults.retries,
    startPeriodMs: readDuration(scope.r, [...path, 'start_period'], map.start_period) ?? defaults.startPeriodMs,
  };
  if (map.start_interval !== undefined && map.start_interval !== null) {
    scope.r.error([...path, 'start_interval'], 'start_interval is not supported: during start_period the HEALTHCHECK deckhand sets probes every interval', {
      code: 'unsupported',
      part: 'key',
      hint: 'remove start_interval, or shorten interval',
    });
  }

  if (disable && test && !test.none) {
    scope.r.error([...path, 'disable'], 'expected either "disable: true" or a "test", got both');
  }
  if (disable || test?.none) {
    record(scope, `${task}.imageHealthcheck`, disable ? [...path, 'disable'] : [...path, 'test']);
    return { checks: [], imageHealthcheck: 'disable' };
  }
  if (!test) {
    const given = timingKeys.filter((key) => map[key] !== undefined);
    if (given.length > 0 && map.test === undefined) {
      scope.r.warning([...path, given[0]!], `a healthcheck without "test" keeps the image's HEALTHCHECK with the image's timing; ${given.join(', ')} ignored`, {
        code: 'ignored-field',
        hint: 'add a test, e.g. ["CMD", "wget", "-q", "--spider", "http://localhost:8000/"]',
      });
    }
    return { ...useImage };
  }

  const check: ExecCheck = { type: 'exec', name: null, role: 'readiness', command: test.command, ...timing };
  const at = `${task}.checks.0`;
  record(scope, at, path, 'key');
  record(scope, `${at}.command`, [...path, 'test']);
  const timingFields = { intervalMs: 'interval', timeoutMs: 'timeout', retries: 'retries', startPeriodMs: 'start_period' };
  for (const [model, key] of Object.entries(timingFields)) {
    if (map[key] !== undefined) record(scope, `${at}.${model}`, [...path, key]);
  }
  return { checks: [check], imageHealthcheck: 'use' };
}

/** `test:` as a string (run by the container's shell) or a list starting with CMD, CMD-SHELL or NONE. */
function readTest(scope: ServiceScope, path: Path, value: unknown): TestSpec | undefined {
  if (value === undefined || value === unreadable) return undefined;
  const expected = 'expected a command string or a list starting with "CMD", "CMD-SHELL" or "NONE"';
  if (typeof value === 'string') {
    if (value.trim() === '') {
      scope.r.error(path, `${expected}, got an empty string`);
      return undefined;
    }
    return { none: false, command: ['CMD-SHELL', value] };
  }
  if (!Array.isArray(value) || value.length === 0) {
    scope.r.error(path, `${expected}, got ${Array.isArray(value) ? 'an empty list' : describeValue(value)}`);
    return undefined;
  }
  const badItem = value.findIndex((item) => typeof item !== 'string');
  if (badItem >= 0) {
    // A word whose interpolation failed is reported already.
    if (value[badItem] !== unreadable) scope.r.error([...path, badItem], `expected a string, got ${describeValue(value[badItem])}`);
    return undefined;
  }
  const words = value as string[];
  const [kind] = words;
  if (kind === 'NONE') return { none: true };
  if (kind === 'CMD' && words.length >= 2) return { none: false, command: words };
  if (kind === 'CMD-SHELL' && words.length === 2) return { none: false, command: words };
  const why =
    kind === 'CMD'
      ? 'got "CMD" without a command after it'
      : kind === 'CMD-SHELL'
        ? `got "CMD-SHELL" with ${words.length - 1} scripts instead of one`
        : `got ${describeValue(kind)} first`;
  scope.r.error([...path, 0], `${expected}, ${why}`, { hint: kind !== 'CMD' && kind !== 'CMD-SHELL' ? 'e.g. ["CMD", "curl", "-f", "http://localhost/"]' : undefined });
  return undefined;
}
