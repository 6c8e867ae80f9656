// `ports:` in short syntax (`"8000"`, `"8000:80"`, `"127.0.0.1:8000:80"`,
// `"8000-8001:80-81"`) and long syntax (`target`, `published`, `mode`, `name`, ...).
// A port published in Swarm's default ingress mode is an endpoint: deckhand's edge
// listens on the published port and spreads connections over the replicas, each of
// which has its own host port (Port.static null) mapped to the target. `mode: host`
// publishes the target on that fixed host port itself, as Swarm does. Under
// `network_mode: host` nothing is mapped: each port is a host port the process listens on.
import type { Endpoint, GroupNetwork, Port } from '../../model/index.js';
import { describeValue } from '../yaml/values.js';
import { portKeys } from './keys.js';
import type { Path } from './report.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readEnum, readMap, readString, unreadable, refuseUnknownKeys } from './values.js';

interface PortRange {
  first: number;
  count: number;
}

type Protocol = (typeof protocols)[number];

/** One `ports:` entry, before expanding ranges. */
interface PortSpec {
  target: PortRange;
  published: PortRange | null;
  name: string | null;
  protocol: Protocol;
  /** Swarm's publish mode: ingress (the routing mesh, here an endpoint) or host. */
  mode: 'ingress' | 'host';
  hostIp: string | null;
  /** Where each part came from (the entry itself in short syntax). */
  publishedPath: Path;
  targetPath: Path;
  protocolPath: Path;
  hostIpPath: Path;
}

const protocols = ['tcp', 'udp', 'sctp'] as const;

/** Addresses a port may ask to be published on: the agent publishes on its own (`publish-address`, 127.0.0.1 by default). */
const publishAddresses = new Set(['', '0.0.0.0', '127.0.0.1']);

/** One container port of an entry, after expanding ranges. */
interface ExpandedPort {
  to: number;
  published: number | null;
  /** The long syntax's `name`, for an entry of one port. */
  name: string | null;
  at: Path;
  spec: PortSpec;
}

/** `endpoints` receives the service's endpoints (job-wide, so their model index is its length). */
export function mapPorts(scope: ServiceScope, value: unknown, network: GroupNetwork, endpoints: Endpoint[]): Port[] {
  const path = [...scope.path, 'ports'];
  if (value === undefined || value === null || value === unreadable) return [];
  if (!Array.isArray(value)) {
    scope.r.error(path, `expected a list of ports, got ${describeValue(value)}`);
    return [];
  }
  const hostNetwork = network.mode === 'host';
  if (hostNetwork && value.length > 0) {
    scope.r.warning(path, 'with network_mode "host" nothing is mapped (Compose ignores ports): deckhand takes each port as a host port the process listens on, the published one when given, else the target', {
      code: 'host-network-ports',
      part: 'key',
    });
  }
  const expanded: ExpandedPort[] = [];
  value.forEach((entry: unknown, index) => {
    const at = [...path, index];
    const spec = isPlainEntry(entry) ? shortSyntax(scope, at, entry) : longSyntax(scope, at, entry);
    if (spec && (hostNetwork || publishable(scope, spec))) expand(scope, at, spec, expanded, hostNetwork);
  });
  return labelPorts(scope, expanded, hostNetwork, endpoints);
}

/** What a bridge-networked service's port may ask for: TCP, published on the agent's address. */
function publishable(scope: ServiceScope, spec: PortSpec): boolean {
  let ok = true;
  if (spec.protocol !== 'tcp') {
    scope.r.error(spec.protocolPath, `protocol ${spec.protocol} is not supported: deckhand maps and serves TCP ports only`, {
      code: 'unsupported',
      hint: 'a service that needs UDP can use network_mode: host',
    });
    ok = false;
  }
  if (spec.hostIp !== null && !publishAddresses.has(spec.hostIp)) {
    scope.r.error(spec.hostIpPath, `host address ${spec.hostIp} is not supported: the agent publishes every port on its own publish address (127.0.0.1 unless its publish-address setting says otherwise)`, {
      code: 'unsupported',
      hint: 'leave the address out, or write 127.0.0.1 or 0.0.0.0',
    });
    ok = false;
  }
  return ok;
}

function isPlainEntry(entry: unknown): entry is string | number {
  return typeof entry === 'string' || typeof entry === 'number';
}

/** Adds a spec's ports, one per target port. */
function expand(scope: ServiceScope, at: Path, spec: PortSpec, ports: ExpandedPort[], hostNetwork: boolean): void {
  const { target, published } = spec;
  if (published && published.count > 1 && target.count === 1) {
    scope.r.warning(at, `a range of host ports for one container port lets Docker pick any of them; deckhand uses the first, ${published.first}`, {
      code: 'port-range',
    });
  } else if (published && published.count !== target.count) {
    scope.r.error(at, `expected as many host ports as container ports, got ${published.count} host and ${target.count} container ports`);
    return;
  }
  for (let i = 0; i < target.count; i++) {
    const to = target.first + i;
    const fixed = published ? published.first + (published.count > 1 ? i : 0) : null;
    const name = target.count === 1 ? spec.name : null;
    // On the host's network one port number serves tcp and udp alike: `53/tcp` and `53/udp` are one port.
    if (hostNetwork && ports.some((p) => p.name === name && (p.published ?? p.to) === (fixed ?? to))) continue;
    ports.push({ to, published: fixed, name, at, spec });
  }
}

/**
 * Labels each port uniquely in the service (Compose allows `"8000:80"` beside
 * `"8001:80"`): the `name` when given, else the target when no other port has
 * it, else `<published>-<target>`, or `<target>-<n>` (the n-th port with that
 * target) when nothing is published. Ingress-published ports become endpoints.
 */
function labelPorts(scope: ServiceScope, expanded: ExpandedPort[], hostNetwork: boolean, endpoints: Endpoint[]): Port[] {
  const perTarget = new Map<number, number>();
  for (const port of expanded) perTarget.set(port.to, (perTarget.get(port.to) ?? 0) + 1);
  const seen = new Map<number, number>();
  return expanded.map((port, index) => {
    const nth = (seen.get(port.to) ?? 0) + 1;
    seen.set(port.to, nth);
    const shared = perTarget.get(port.to)! > 1;
    const label = port.name ?? (!shared ? String(port.to) : port.published !== null ? `${port.published}-${port.to}` : `${port.to}-${nth}`);
    const model = `${taskPath(scope)}.ports.${index}`;
    const { spec, at } = port;
    record(scope, model, at);
    record(scope, `${model}.label`, port.name !== null ? [...at, 'name'] : spec.targetPath);
    if (hostNetwork) {
      record(scope, `${model}.static`, port.published !== null ? spec.publishedPath : spec.targetPath);
      return { label, static: port.published ?? port.to, to: null };
    }
    record(scope, `${model}.to`, spec.targetPath);
    if (port.published !== null && spec.mode === 'host') {
      record(scope, `${model}.static`, spec.publishedPath);
      return { label, static: port.published, to: port.to };
    }
    if (port.published !== null) {
      const endpoint = `endpoints.${endpoints.length}`;
      record(scope, endpoint, at);
      record(scope, `${endpoint}.port`, spec.publishedPath);
      endpoints.push({ port: port.published, group: scope.name, task: scope.name, portLabel: label, canaries: false });
    }
    return { label, static: null, to: port.to };
  });
}

function shortSyntax(scope: ServiceScope, at: Path, entry: string | number): PortSpec | undefined {
  const text = String(entry).trim();
  const bad = (why: string): undefined => {
    scope.r.error(at, `expected a port such as "80", "8000:80" or "127.0.0.1:8000:80/udp", got ${describeValue(entry)}: ${why}`);
    return undefined;
  };
  let rest = text;
  let protocol: Protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const given = rest.slice(slash + 1);
    if (!(protocols as readonly string[]).includes(given)) return bad(`the protocol must be tcp, udp or sctp`);
    protocol = given as Protocol;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | null = null;
  // A bracketed IPv6 host address (`[::1]:8000:80`) holds colons of its own.
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return bad('the IPv6 address has no closing "]"');
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 1).replace(/^:/, '');
  }
  const parts = rest.split(':');
  if (parts.length > 3) return bad('too many ":"');
  if (parts.length === 3) hostIp = parts[0]!;
  const targetText = parts[parts.length - 1]!;
  const publishedText = parts.length >= 2 ? parts[parts.length - 2]! : '';
  const target = parseRange(targetText);
  if (!target) return bad(`the container port must be a number from 1 to 65535 or a range such as 80-81`);
  const published = publishedText === '' ? null : parseRange(publishedText);
  if (published === undefined) return bad(`the host port must be a number from 1 to 65535 or a range such as 8000-8001`);
  return { target, published, name: null, protocol, mode: 'ingress', hostIp, publishedPath: at, targetPath: at, protocolPath: at, hostIpPath: at };
}

function longSyntax(scope: ServiceScope, at: Path, entry: unknown): PortSpec | undefined {
  const map = readMap(scope.r, at, entry);
  if (!map) return undefined;
  refuseUnknownKeys(scope.r, at, map, portKeys);
  const protocol = readEnum(scope.r, [...at, 'protocol'], map.protocol, protocols) ?? 'tcp';
  const mode = readEnum(scope.r, [...at, 'mode'], map.mode, ['host', 'ingress']) ?? 'ingress';
  const hostIp = readString(scope.r, [...at, 'host_ip'], map.host_ip) ?? null;
  readString(scope.r, [...at, 'app_protocol'], map.app_protocol);
  const name = readString(scope.r, [...at, 'name'], map.name) ?? null;

  const targetPath = [...at, 'target'];
  if (map.target === undefined) {
    scope.r.error(at, 'expected a "target" (the container port), got none');
    return undefined;
  }
  const target = rangeField(scope, targetPath, map.target);
  if (!target) return undefined;
  const publishedPath = [...at, 'published'];
  const absent = map.published === undefined || map.published === null || map.published === '';
  const published = absent ? null : rangeField(scope, publishedPath, map.published);
  if (published === undefined) return undefined;
  return {
    target,
    published,
    name,
    protocol,
    mode,
    hostIp,
    publishedPath: absent ? at : publishedPath,
    targetPath,
    protocolPath: [...at, 'protocol'],
    hostIpPath: [...at, 'host_ip'],
  };
}

function rangeField(scope: ServiceScope, path: Path, value: unknown): PortRange | undefined {
  if (value === unreadable) return undefined;
  const range = isPlainEntry(value) ? parseRange(String(value).trim()) : undefined;
  if (!range) scope.r.error(path, `expected a port from 1 to 65535 or a range such as 8000-8001, got ${describeValue(value)}`);
  return range;
}

function parseRange(text: string): PortRange | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1 || last > 65535 || last < first) return undefined;
  return { first, count: last - first + 1 };
}
