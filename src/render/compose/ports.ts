// `ports:` in short syntax (`"8000"`, `"8000:80"`, `"127.0.0.1:8000:80/udp"`,
// `"8000-8001:80-81"`) and long syntax (`target`, `published`, `name`, ...), as
// model ports: static = the published host port (null: none fixed), to = the
// target, and a label unique in the service (see `labelPorts`).
import type { Port } from '../../model/index.js';
import { describeValue } from '../yaml/values.js';
import { portKeys } from './keys.js';
import type { Path } from './report.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { readEnum, readMap, readString, unreadable, warnUnknownKeys } from './values.js';

interface PortRange {
  first: number;
  count: number;
}

/** One `ports:` entry, before expanding ranges. */
interface PortSpec {
  target: PortRange;
  published: PortRange | null;
  name: string | null;
  /** Where `static` and `to` came from (the entry itself in short syntax). */
  publishedPath: Path;
  targetPath: Path;
}

const protocols = ['tcp', 'udp', 'sctp'] as const;

/** One container port of an entry, after expanding ranges. */
interface ExpandedPort {
  to: number;
  static: number | null;
  /** The long syntax's `name`, for an entry of one port. */
  name: string | null;
  at: Path;
  spec: PortSpec;
}

export function mapPorts(scope: ServiceScope, value: unknown): Port[] {
  const path = [...scope.path, 'ports'];
  if (value === undefined || value === null || value === unreadable) return [];
  if (!Array.isArray(value)) {
    scope.r.error(path, `expected a list of ports, got ${describeValue(value)}`);
    return [];
  }
  const expanded: ExpandedPort[] = [];
  value.forEach((entry: unknown, index) => {
    const at = [...path, index];
    const spec = isPlainEntry(entry) ? shortSyntax(scope, at, entry) : longSyntax(scope, at, entry);
    if (spec) expand(scope, at, spec, expanded);
  });
  return labelPorts(scope, expanded);
}

function isPlainEntry(entry: unknown): entry is string | number {
  return typeof entry === 'string' || typeof entry === 'number';
}

/** Adds a spec's ports, one per target port; entries that differ only in protocol collapse into one. */
function expand(scope: ServiceScope, at: Path, spec: PortSpec, ports: ExpandedPort[]): void {
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
    // Containers use the host's network, where one port serves tcp and udp alike.
    if (ports.some((p) => p.name === name && p.static === fixed && p.to === to)) continue;
    ports.push({ to, static: fixed, name, at, spec });
  }
}

/**
 * Labels each port uniquely in the service (Compose allows `"8000:80"` beside
 * `"8001:80"`): the `name` when given, else the target when no other port has
 * it, else `<published>-<target>`, or `<target>-<n>` (the n-th port with that
 * target) when nothing is published.
 */
function labelPorts(scope: ServiceScope, expanded: ExpandedPort[]): Port[] {
  const perTarget = new Map<number, number>();
  for (const port of expanded) perTarget.set(port.to, (perTarget.get(port.to) ?? 0) + 1);
  const seen = new Map<number, number>();
  return expanded.map((port, index) => {
    const nth = (seen.get(port.to) ?? 0) + 1;
    seen.set(port.to, nth);
    const shared = perTarget.get(port.to)! > 1;
    const label = port.name ?? (!shared ? String(port.to) : port.static !== null ? `${port.static}-${port.to}` : `${port.to}-${nth}`);
    const model = `${taskPath(scope)}.ports.${index}`;
    const { spec, at } = port;
    record(scope, model, at);
    record(scope, `${model}.label`, port.name !== null ? [...at, 'name'] : spec.targetPath);
    record(scope, `${model}.static`, spec.publishedPath);
    record(scope, `${model}.to`, spec.targetPath);
    return { label, static: port.static, to: port.to };
  });
}

function shortSyntax(scope: ServiceScope, at: Path, entry: string | number): PortSpec | undefined {
  const text = String(entry).trim();
  const bad = (why: string): undefined => {
    scope.r.error(at, `expected a port such as "80", "8000:80" or "127.0.0.1:8000:80/udp", got ${describeValue(entry)}: ${why}`);
    return undefined;
  };
  let rest = text;
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const protocol = rest.slice(slash + 1);
    if (!(protocols as readonly string[]).includes(protocol)) return bad(`the protocol must be tcp, udp or sctp`);
    rest = rest.slice(0, slash);
  }
  // A bracketed IPv6 host address (`[::1]:8000:80`) holds colons of its own.
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return bad('the IPv6 address has no closing "]"');
    rest = rest.slice(close + 1).replace(/^:/, '');
  }
  const parts = rest.split(':');
  if (parts.length > 3) return bad('too many ":"');
  const targetText = parts[parts.length - 1]!;
  const publishedText = parts.length >= 2 ? parts[parts.length - 2]! : '';
  const target = parseRange(targetText);
  if (!target) return bad(`the container port must be a number from 1 to 65535 or a range such as 80-81`);
  const published = publishedText === '' ? null : parseRange(publishedText);
  if (published === undefined) return bad(`the host port must be a number from 1 to 65535 or a range such as 8000-8001`);
  return { target, published, name: null, publishedPath: at, targetPath: at };
}

function longSyntax(scope: ServiceScope, at: Path, entry: unknown): PortSpec | undefined {
  const map = readMap(scope.r, at, entry);
  if (!map) return undefined;
  warnUnknownKeys(scope.r, at, map, portKeys);
  readEnum(scope.r, [...at, 'protocol'], map.protocol, protocols);
  readEnum(scope.r, [...at, 'mode'], map.mode, ['host', 'ingress']);
  readString(scope.r, [...at, 'host_ip'], map.host_ip);
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
  return { target, published, name, publishedPath: absent ? at : publishedPath, targetPath };
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
