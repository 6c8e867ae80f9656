// `readinessProbe` / `livenessProbe` → the task's checks.
import type { Check, Port } from '../../model/index.js';
import { checkDefaults } from '../defaults.js';
import type { YamlPath } from '../yaml/document.js';
import { execFields, grpcFields, httpGetFields, probeFields, tcpSocketFields } from './api-fields.js';
import { isPortName, portNameRule } from './ports.js';
import type { ManifestReader } from './reader.js';

export type ProbeKey = 'readinessProbe' | 'livenessProbe';

const checkNames: Record<ProbeKey, string> = { readinessProbe: 'readiness', livenessProbe: 'liveness' };
const handlers = ['httpGet', 'tcpSocket', 'exec', 'grpc'] as const;
const supportedHandlers = 'httpGet, tcpSocket, grpc or exec';
const portRange = { min: 1, max: 65_535 };

/**
 * One probe as a check; undefined when the container has none or it is wrong.
 * `at` is the check's model path (`groups.0.tasks.0.checks.0`).
 */
export function mapProbe(reader: ManifestReader, container: YamlPath, key: ProbeKey, ports: Port[], at: string): Check | undefined {
  const probe = [...container, key];
  if (!reader.mapping(probe)) return undefined;
  reader.checkKeys(probe, probeFields);

  const timing = mapTiming(reader, probe, key, checkNames[key]);
  const present = handlers.filter((h) => reader.has([...probe, h]));
  if (present.length === 0) {
    reader.missing(probe, `expected one of ${supportedHandlers}, got none`);
    return undefined;
  }
  if (present.length > 1) {
    reader.error([...probe, present[1]!], `expected one of ${supportedHandlers}, got ${present.join(' and ')}`, { part: 'key' });
    return undefined;
  }
  const handler = present[0]!;
  if (!reader.mapping([...probe, handler])) return undefined;
  reader.record(at, probe);
  recordTiming(reader, probe, at);

  if (handler === 'exec') {
    reader.checkKeys([...probe, 'exec'], execFields);
    const commandPath = [...probe, 'exec', 'command'];
    const command = reader.stringList(commandPath);
    if (!reader.has(commandPath) || command?.length === 0) {
      reader.missing(commandPath, 'an exec probe needs a command: a list of the program and its arguments');
    }
    if (!command?.length) return undefined;
    reader.record(`${at}.command`, commandPath);
    return { type: 'exec', ...timing, command: ['CMD', ...command] };
  }

  reader.checkKeys([...probe, handler], handler === 'httpGet' ? httpGetFields : handler === 'grpc' ? grpcFields : tcpSocketFields);
  const port = handler === 'grpc' ? grpcPort(reader, [...probe, handler, 'port'], ports) : probePort(reader, [...probe, handler, 'port'], ports);
  if (port === undefined) return undefined;
  reader.record(`${at}.port`, [...probe, handler, 'port']);
  if (handler === 'tcpSocket') return { type: 'tcp', ...timing, port };
  if (handler === 'grpc') {
    const servicePath = [...probe, 'grpc', 'service'];
    if (reader.has(servicePath)) reader.record(`${at}.service`, servicePath);
    return { type: 'grpc', ...timing, port, service: reader.string(servicePath) ?? '' };
  }

  if (!httpOnly(reader, [...probe, 'httpGet'])) return undefined;
  const path = reader.string([...probe, 'httpGet', 'path']) || '/';
  if (reader.has([...probe, 'httpGet', 'path'])) reader.record(`${at}.path`, [...probe, 'httpGet', 'path']);
  return { type: 'http', ...timing, port, path, method: 'GET' };
}

/**
 * deckhand probes over plain HTTP without extra headers. An HTTPS probe would fail
 * on every pod, so every rollout would fail: it is an error. Headers are only warned
 * about: a probe that needs them fails visibly.
 */
function httpOnly(reader: ManifestReader, httpGet: YamlPath): boolean {
  const schemePath = [...httpGet, 'scheme'];
  const scheme = reader.string(schemePath);
  const headers = reader.list([...httpGet, 'httpHeaders']);
  if (headers && headers.length > 0) {
    reader.error([...httpGet, 'httpHeaders'], 'httpHeaders is not supported: deckhand probes without headers, so the probe would ask another question', { code: 'unsupported', part: 'key', hint: 'serve the health check without the headers, or remove them' });
  }
  if (scheme === 'HTTPS') {
    reader.error(schemePath, 'HTTPS probes are not supported; deckhand probes over HTTP', { code: 'unsupported' });
    return false;
  }
  if (scheme !== undefined && scheme !== 'HTTP') {
    reader.expected(schemePath, '"HTTP" or "HTTPS"');
    return false;
  }
  return scheme !== undefined || !reader.has(schemePath);
}

interface Timing {
  name: string;
  role: 'readiness' | 'liveness';
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** Kubernetes defaults a timing of 0 as if it were absent, so 0 means "the default" here too. */
function mapTiming(reader: ManifestReader, probe: YamlPath, key: ProbeKey, name: string): Timing {
  const defaults = checkDefaults.kubernetes;
  const seconds = (field: string) => reader.wholeNumber([...probe, field], { min: 0 }) || undefined;
  const successThreshold = reader.wholeNumber([...probe, 'successThreshold'], { min: 0 });
  if (key === 'livenessProbe' && successThreshold !== undefined && successThreshold > 1) {
    reader.expected([...probe, 'successThreshold'], '1 for a liveness probe');
  }
  reader.wholeNumber([...probe, 'terminationGracePeriodSeconds'], { min: 1 });
  return {
    name,
    role: key === 'livenessProbe' ? 'liveness' : 'readiness',
    intervalMs: (seconds('periodSeconds') ?? defaults.intervalMs / 1000) * 1000,
    timeoutMs: (seconds('timeoutSeconds') ?? defaults.timeoutMs / 1000) * 1000,
    retries: seconds('failureThreshold') ?? defaults.retries,
    startPeriodMs: (seconds('initialDelaySeconds') ?? defaults.startPeriodMs / 1000) * 1000,
  };
}

/** The model's timing fields and the probe fields they come from. */
const timingFields = Object.entries({ intervalMs: 'periodSeconds', timeoutMs: 'timeoutSeconds', retries: 'failureThreshold', startPeriodMs: 'initialDelaySeconds' });

function recordTiming(reader: ManifestReader, probe: YamlPath, at: string): void {
  for (const [model, field] of timingFields) {
    const path = [...probe, field];
    if (reader.has(path)) reader.record(`${at}.${model}`, path);
  }
}

/** A grpc probe's port is a number only (Kubernetes' GRPCAction has no named ports). */
function grpcPort(reader: ManifestReader, path: YamlPath, ports: Port[]): string | number | undefined {
  if (!reader.has(path)) {
    reader.missing(path, 'a grpc probe needs the port number its server listens on');
    return undefined;
  }
  if (typeof reader.value(path) !== 'number') {
    reader.expected(path, 'a port number (grpc probes take no port names)');
    return undefined;
  }
  return probePort(reader, path, ports);
}

/**
 * A probe's port: a number or the name of one of the container's ports. A number
 * that is one of the container's ports becomes that port's label, so the check
 * follows the port wherever the runtime publishes it.
 */
function probePort(reader: ManifestReader, path: YamlPath, ports: Port[]): string | number | undefined {
  if (!reader.has(path)) {
    reader.missing(path, 'a probe needs a port: a number or the name of one of the container\'s ports');
    return undefined;
  }
  const value = reader.value(path);
  if (typeof value === 'string') {
    if (/^\d+$/.test(value.trim())) {
      reader.expected(path, 'a port number or a port name', 'remove the quotes: a port name must contain a letter');
      return undefined;
    }
    if (!isPortName(value)) {
      reader.expected(path, `a port number or ${portNameRule}`);
      return undefined;
    }
    return value;
  }
  if (typeof value !== 'number') {
    reader.expected(path, 'a port number or a port name');
    return undefined;
  }
  const number = reader.wholeNumber(path, portRange);
  if (number === undefined) return undefined;
  return ports.find((p) => p.to === number)?.label ?? number;
}
