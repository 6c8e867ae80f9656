// Compose networks: the top-level `networks:` (each a user-defined bridge deckhand
// makes, or an `external` one it joins), a service's `networks:` (which ones it
// joins, with extra DNS aliases) and `network_mode: host`. As in Compose, a service
// without `networks:` joins `default`, and only networks some service joins exist.
import { defaultNetworkName } from '../../model/index.js';
import type { GroupNetwork, JobNetwork, NetworkAttachment } from '../../model/index.js';
import type { FieldMap } from '../types.js';
import { describeValue, isPlainMap } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';
import { networkKeys, serviceNetworkKeys } from './keys.js';
import type { Path, Reporter } from './report.js';
import { record } from './scope.js';
import type { DeclaredNetworks, ServiceScope } from './scope.js';
import { readBoolean, readMap, readString, unreadable, refuseUnknownKeys } from './values.js';

/**
 * Settings of a top-level network that a user-defined bridge on one engine gives
 * anyway (`attachable`: every local bridge is; IPv4 on, IPv6 off: Docker's defaults),
 * accepted at those values; any other value would not be honoured, so it is an error.
 */
const honouredAt: Record<string, boolean> = { attachable: true, enable_ipv4: true, enable_ipv6: false, internal: false };

/** Settings that change what the network is, which deckhand's bridge does not do. */
const refused: Record<string, string> = {
  driver_opts: 'driver_opts are not applied to the bridge deckhand makes',
  ipam: 'ipam (fixed subnets and addresses) is not applied: Docker picks the subnet of the bridge deckhand makes',
};

export function readNetworks(r: Reporter, value: unknown): DeclaredNetworks {
  const declared: DeclaredNetworks = new Map([[defaultNetworkName, { network: { name: defaultNetworkName, dockerName: null, external: false }, path: [] }]]);
  const map = readMap(r, ['networks'], value);
  if (!map) return declared;
  for (const [name, settings] of Object.entries(map)) {
    // A network with an error is still declared: the services joining it must not hear it is missing.
    const network = readNetwork(r, ['networks', name], name, settings) ?? { name, dockerName: null, external: false };
    declared.set(name, { network, path: ['networks', name] });
  }
  return declared;
}

function readNetwork(r: Reporter, path: Path, name: string, value: unknown): JobNetwork | undefined {
  const settings = readMap(r, path, value);
  if (value !== undefined && value !== unreadable && !settings) return undefined;
  const network: JobNetwork = { name, dockerName: null, external: false };
  if (!settings) return network;
  refuseUnknownKeys(r, path, settings, networkKeys);
  let ok = true;
  const driver = readString(r, [...path, 'driver'], settings.driver);
  if (driver !== undefined && driver !== 'bridge') {
    r.error([...path, 'driver'], `network driver "${driver}" is not supported: deckhand runs on one Docker engine and makes each network a user-defined bridge`, {
      code: 'unsupported',
      hint: 'remove the driver, or set it to "bridge"',
    });
    ok = false;
  }
  for (const [key, why] of Object.entries(refused)) {
    if (settings[key] === undefined || settings[key] === null) continue;
    r.error([...path, key], why, { code: 'unsupported', part: 'key' });
    ok = false;
  }
  for (const [key, honoured] of Object.entries(honouredAt)) {
    const given = readBoolean(r, [...path, key], settings[key]);
    if (given === undefined || given === honoured) continue;
    r.error([...path, key], `${key}: ${given} is not supported: deckhand's bridge networks have ${key} ${honoured}`, { code: 'unsupported' });
    ok = false;
  }
  if (settings.labels !== undefined && settings.labels !== null) {
    r.warning([...path, 'labels'], 'labels of a network are not applied: deckhand labels the networks it makes with its own', { code: 'unsupported-field', part: 'key' });
  }
  const fixedName = readString(r, [...path, 'name'], settings.name);
  if (fixedName !== undefined) network.dockerName = fixedName;
  const external = readExternal(r, path, settings);
  if (external === undefined) return undefined;
  if (external.external) {
    network.external = true;
    network.dockerName = external.name ?? fixedName ?? name;
    const conflicting = Object.keys(settings).filter((key) => !['external', 'name'].includes(key) && !key.startsWith('x-'));
    if (conflicting.length > 0) {
      r.error([...path, conflicting[0]!], `an external network is joined as it is: "${conflicting[0]}" cannot be set beside "external: true"`, { part: 'key' });
      ok = false;
    }
  }
  return ok ? network : undefined;
}

/** `external: true`, or the older `external: { name: x }`. */
function readExternal(r: Reporter, path: Path, settings: PlainMap): { external: boolean; name?: string } | undefined {
  const value = settings.external;
  if (isPlainMap(value)) {
    const name = readString(r, [...path, 'external', 'name'], value.name);
    return name === undefined ? { external: true } : { external: true, name };
  }
  const external = readBoolean(r, [...path, 'external'], value);
  if (value !== undefined && value !== unreadable && external === undefined) return undefined;
  return { external: external ?? false };
}

/** A service's networking: `network_mode: host`, or the networks it joins (`default` when it names none). */
export function mapServiceNetwork(scope: ServiceScope, service: PlainMap, declared: DeclaredNetworks): GroupNetwork {
  const { r } = scope;
  const modePath = [...scope.path, 'network_mode'];
  const mode = readString(r, modePath, service.network_mode);
  const networksPath = [...scope.path, 'networks'];
  if (mode !== undefined) {
    if (mode !== 'host') {
      r.error(modePath, `network_mode "${mode}" is not supported: a service joins the job's networks, or the host's with "host"`, {
        code: 'unsupported',
        hint: 'remove network_mode to join the job\'s networks, where services reach each other by name',
      });
    } else if (service.networks !== undefined && service.networks !== null) {
      r.error(networksPath, 'a service with network_mode cannot also join networks, as in Compose', { part: 'key' });
    }
    record(scope, `${scope.group}.network`, modePath);
    record(scope, `${scope.group}.network.mode`, modePath);
    return { mode: 'host', attachments: [] };
  }
  const attachments = readAttachments(scope, networksPath, service.networks, declared);
  return { mode: 'bridge', attachments };
}

function readAttachments(scope: ServiceScope, path: Path, value: unknown, declared: DeclaredNetworks): NetworkAttachment[] {
  const { r } = scope;
  const joined: NetworkAttachment[] = [];
  const join = (at: Path, name: string, aliases: string[]) => {
    if (!declared.has(name)) {
      const known = [...declared.keys()].filter((n) => n !== defaultNetworkName);
      r.error(at, `service "${scope.name}" joins network "${name}", which is not declared under the top-level networks`, {
        part: typeof at[at.length - 1] === 'number' ? 'value' : 'key',
        hint: known.length ? `declared: ${known.map((n) => `"${n}"`).join(', ')}` : 'declare it under a top-level "networks:"',
      });
      return;
    }
    const model = `${scope.group}.network.attachments.${joined.length}`;
    record(scope, model, at, typeof at[at.length - 1] === 'number' ? 'value' : 'key');
    joined.push({ network: name, aliases });
  };
  if (value === undefined || value === null || value === unreadable) {
    join(scope.path, defaultNetworkName, []);
    return joined;
  }
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      const name = readString(r, [...path, index], item);
      if (name !== undefined) join([...path, index], name, []);
    });
  } else if (isPlainMap(value)) {
    for (const [name, settings] of Object.entries(value)) {
      // Refused settings are reported already; the network still counts as joined.
      join([...path, name], name, readServiceNetwork(scope, [...path, name], settings) ?? []);
    }
  } else {
    r.error(path, `expected a list or a map of networks, got ${describeValue(value)}`);
    return [];
  }
  // `networks: []` names none: the service joins default, as with no networks at all.
  if (joined.length === 0 && Object.keys(value as object).length === 0) join(path, defaultNetworkName, []);
  return joined;
}

/** One entry of a service's `networks` map: its aliases; every other setting is refused. */
function readServiceNetwork(scope: ServiceScope, path: Path, value: unknown): string[] | undefined {
  const { r } = scope;
  const settings = readMap(r, path, value);
  if (!settings) return value === undefined || value === null ? [] : undefined;
  refuseUnknownKeys(r, path, settings, serviceNetworkKeys);
  let ok = true;
  for (const key of Object.keys(settings)) {
    if (key === 'aliases' || key.startsWith('x-') || !serviceNetworkKeys.has(key)) continue;
    r.error([...path, key], `${key} is not supported: Docker gives each container of a network its own address, and deckhand runs several of each service`, {
      code: 'unsupported',
      part: 'key',
      hint: 'reach the service by its name or an alias',
    });
    ok = false;
  }
  const aliasesPath = [...path, 'aliases'];
  const aliases: string[] = [];
  if (settings.aliases !== undefined && settings.aliases !== null && settings.aliases !== unreadable) {
    if (!Array.isArray(settings.aliases)) {
      r.error(aliasesPath, `expected a list of names, got ${describeValue(settings.aliases)}`);
      return undefined;
    }
    settings.aliases.forEach((alias: unknown, index) => {
      const name = readString(r, [...aliasesPath, index], alias);
      if (name !== undefined && !aliases.includes(name)) aliases.push(name);
    });
  }
  return ok ? aliases : undefined;
}

/**
 * The job's networks: those some service joins, `default` first, then in the order
 * the file declares them. Records where each came from.
 */
export function usedNetworks(r: Reporter, declared: DeclaredNetworks, groups: { network: GroupNetwork }[], fields: FieldMap): JobNetwork[] {
  const used = new Set(groups.flatMap((g) => g.network.attachments.map((a) => a.network)));
  const networks = [...declared.values()].filter((d) => used.has(d.network.name));
  networks.forEach((d, index) => {
    if (d.path.length > 0) fields.set(`networks.${index}`, r.origin(d.path, 'key'));
  });
  for (const [name, d] of declared) {
    if (!used.has(name) && d.path.length > 0) {
      r.notice(d.path, `network "${name}" is joined by no service; deckhand does not make it`, { code: 'unused-network', part: 'key' });
    }
  }
  return networks.map((d) => d.network);
}
