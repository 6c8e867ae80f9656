// A service's container settings (labels, user, working_dir, hostname, stop_signal,
// extra_hosts, dns*, cap_add/cap_drop, read_only, sysctls, ulimits, shm_size, init,
// logging) as the task's ContainerSettings. Each is set only when the file gives it,
// so a service without them keeps its spec hash.
import type { ContainerSettings, Ulimit } from '../../model/index.js';
import { capabilityName, isExtraHost, isStopSignal, stopSignalRule } from '../container-settings.js';
import { describeValue, isPlainMap } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';
import { keyValueEntries, mapLabels } from './environment.js';
import type { Path } from './report.js';
import { readBytes } from './resources.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readBoolean, readMap, readScalarText, readString, readWholeNumber, unreadable, refuseUnknownKeys } from './values.js';

const loggingKeys = new Set(['driver', 'options']);
const ulimitKeys = new Set(['soft', 'hard']);

export function mapContainerSettings(scope: ServiceScope, service: PlainMap): ContainerSettings | undefined {
  const settings: ContainerSettings = {};
  const model = `${taskPath(scope)}.container`;
  const at = (key: string): Path => [...scope.path, key];
  const set = <K extends keyof ContainerSettings>(key: K, value: ContainerSettings[K] | undefined, from: string) => {
    // An empty list or map (`labels: {}`, `dns: []`, `logging: {}`) says nothing: the same job as without it.
    if (value === undefined || isEmpty(value)) return;
    settings[key] = value;
    record(scope, `${model}.${key}`, at(from));
  };

  if (service.labels !== undefined) set('labels', mapLabels(scope, at('labels'), service.labels, `${model}.labels`), 'labels');
  set('user', readScalarText(scope.r, at('user'), service.user), 'user');
  set('workingDir', readString(scope.r, at('working_dir'), service.working_dir), 'working_dir');
  set('hostname', readString(scope.r, at('hostname'), service.hostname), 'hostname');
  set('stopSignal', readStopSignal(scope, at('stop_signal'), service.stop_signal), 'stop_signal');
  set('extraHosts', readExtraHosts(scope, at('extra_hosts'), service.extra_hosts), 'extra_hosts');
  set('dns', readStrings(scope, at('dns'), service.dns, true), 'dns');
  set('dnsSearch', readStrings(scope, at('dns_search'), service.dns_search, true), 'dns_search');
  set('dnsOptions', readStrings(scope, at('dns_opt'), service.dns_opt, false), 'dns_opt');
  set('capAdd', readCapabilities(scope, at('cap_add'), service.cap_add), 'cap_add');
  set('capDrop', readCapabilities(scope, at('cap_drop'), service.cap_drop), 'cap_drop');
  set('readOnlyRootfs', readBoolean(scope.r, at('read_only'), service.read_only), 'read_only');
  set('sysctls', readSysctls(scope, at('sysctls'), service.sysctls), 'sysctls');
  set('ulimits', readUlimits(scope, at('ulimits'), service.ulimits, `${model}.ulimits`), 'ulimits');
  set('shmSizeBytes', service.shm_size === undefined ? undefined : readBytes(scope, at('shm_size'), service.shm_size), 'shm_size');
  set('init', readBoolean(scope.r, at('init'), service.init), 'init');
  set('logging', readLogging(scope, at('logging'), service.logging), 'logging');
  return Object.keys(settings).length ? settings : undefined;
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== 'object' || value === null) return false;
  if ('driver' in value && 'options' in value) return value.driver === '' && Object.keys(value.options as object).length === 0;
  return Object.keys(value).length === 0;
}

function readStopSignal(scope: ServiceScope, path: Path, value: unknown): string | undefined {
  const signal = readString(scope.r, path, value);
  if (signal === undefined || isStopSignal(signal)) return signal;
  scope.r.error(path, `expected ${stopSignalRule}, got ${describeValue(signal)}`);
  return undefined;
}

/** A string or a list of strings (`dns: 8.8.8.8` or `dns: [a, b]`); a single string only where Compose allows it. */
function readStrings(scope: ServiceScope, path: Path, value: unknown, single: boolean): string[] | undefined {
  if (value === undefined || value === null || value === unreadable) return undefined;
  if (single && typeof value === 'string') return [value];
  if (!Array.isArray(value)) {
    scope.r.error(path, `expected ${single ? 'a string or ' : ''}a list of strings, got ${describeValue(value)}`);
    return undefined;
  }
  const out: string[] = [];
  value.forEach((item: unknown, i) => {
    const text = readScalarText(scope.r, [...path, i], item);
    if (text !== undefined) out.push(text);
  });
  return out;
}

/** Capabilities as Docker names them (`CAP_NET_ADMIN` and `net_admin` are `NET_ADMIN`). */
function readCapabilities(scope: ServiceScope, path: Path, value: unknown): string[] | undefined {
  const names = readStrings(scope, path, value, false);
  if (!names) return undefined;
  const out: string[] = [];
  names.forEach((text, i) => {
    const name = capabilityName(text);
    if (name === undefined) scope.r.error([...path, i], `expected a capability name such as "NET_ADMIN" or "ALL", got ${describeValue(text)}`);
    else out.push(name);
  });
  return out;
}

/** `["host:ip"]`, `["host=ip"]` or `{host: ip}` (or `{host: [ip, ...]}`) as Docker's `host:ip` lines. */
function readExtraHosts(scope: ServiceScope, path: Path, value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === unreadable) return undefined;
  const out: string[] = [];
  const add = (host: string, address: string, at: Path) => {
    const line = `${host.trim()}:${address.trim()}`;
    if (!isExtraHost(line)) scope.r.error(at, `expected "host:address" or "host=address" with an IP address (or host-gateway), got ${describeValue(`${host}:${address}`)}`);
    else out.push(line);
  };
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      const at = [...path, i];
      const text = readString(scope.r, at, item);
      if (text === undefined) return;
      // `=` is the unambiguous separator (IPv6 addresses hold colons); else the first colon.
      const cut = text.includes('=') ? text.indexOf('=') : text.indexOf(':');
      if (cut < 0) scope.r.error(at, `expected "host:address" or "host=address", got ${describeValue(text)}`);
      else add(text.slice(0, cut), text.slice(cut + 1), at);
    });
    return out;
  }
  if (!isPlainMap(value)) {
    scope.r.error(path, `expected a list of "host:address" strings or a map of host to address, got ${describeValue(value)}`);
    return undefined;
  }
  for (const [host, addresses] of Object.entries(value)) {
    const at = [...path, host];
    for (const address of Array.isArray(addresses) ? addresses : [addresses]) {
      const text = readScalarText(scope.r, at, address);
      if (text !== undefined) add(host, text, at);
    }
  }
  return out;
}

function readSysctls(scope: ServiceScope, path: Path, value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null || value === unreadable) return undefined;
  const out: Record<string, string> = {};
  for (const { key, value: text, at } of keyValueEntries(scope, path, value, 'sysctls')) {
    if (text === undefined) scope.r.error(at, `expected a value for sysctl "${key}"`);
    else out[key] = text;
  }
  return out;
}

/** -1: no limit (`memlock: -1`), as Docker and Compose read it. */
const unlimited = -1;

/** `nofile: 1024` (soft and hard alike) or `nofile: {soft: 1024, hard: 2048}`. */
function readUlimits(scope: ServiceScope, path: Path, value: unknown, modelPath: string): Ulimit[] | undefined {
  const map = readMap(scope.r, path, value);
  if (!map) return undefined;
  const out: Ulimit[] = [];
  for (const [name, limit] of Object.entries(map)) {
    const at = [...path, name];
    record(scope, `${modelPath}.${out.length}`, at, 'key');
    if (isPlainMap(limit)) {
      refuseUnknownKeys(scope.r, at, limit, ulimitKeys);
      const soft = readWholeNumber(scope.r, [...at, 'soft'], limit.soft, unlimited);
      const hard = readWholeNumber(scope.r, [...at, 'hard'], limit.hard, unlimited);
      if (limit.soft === undefined || limit.hard === undefined) scope.r.error(at, `expected both "soft" and "hard" for ulimit "${name}"`);
      else if (soft !== undefined && hard !== undefined) out.push({ name, soft, hard });
      continue;
    }
    const both = readWholeNumber(scope.r, at, limit, unlimited);
    if (both !== undefined) out.push({ name, soft: both, hard: both });
  }
  return out;
}

/** `logging: {driver, options}`; without a driver, the engine's default driver with the options. */
function readLogging(scope: ServiceScope, path: Path, value: unknown): ContainerSettings['logging'] {
  const map = readMap(scope.r, path, value);
  if (!map) return undefined;
  refuseUnknownKeys(scope.r, path, map, loggingKeys);
  const driver = readString(scope.r, [...path, 'driver'], map.driver) ?? '';
  const options: Record<string, string> = {};
  for (const [key, option] of Object.entries(readMap(scope.r, [...path, 'options'], map.options) ?? {})) {
    const text = readScalarText(scope.r, [...path, 'options', key], option);
    if (text !== undefined) options[key] = text;
  }
  return { driver, options };
}
