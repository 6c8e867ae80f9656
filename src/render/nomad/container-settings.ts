// A docker task's container settings: the driver config's labels, work_dir,
// hostname, DNS, capabilities, sysctls, ulimits, logging and friends, the task's
// `user` and `kill_signal`, and the group network's `dns {}` and `hostname`.
// Each is recorded where it was read, so the shared checks point at the file.
import { isIP } from 'node:net';
import type { ContainerSettings } from '../../model/index.js';
import type { Block, Expr, Span, Value } from '../../hcl/index.js';
import { formatNumber, isObject } from '../../hcl/index.js';
import { setPlainKey } from '../../util/index.js';
import { capabilityName, extraHostRule, isExtraHost, isStopSignal, parseUlimit, stopSignalRule } from '../container-settings.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';
import type { Read } from './reader.js';

type Key = keyof ContainerSettings;

/** Settings being gathered for one task, each remembered with where it came from. */
class Gathered {
  readonly settings: ContainerSettings = {};
  constructor(
    private readonly ctx: NomadContext,
    private readonly modelPath: string,
  ) {}

  set<K extends Key>(key: K, value: ContainerSettings[K], from: { span: Span; field: string }): void {
    this.settings[key] = value;
    this.ctx.origin(`${this.modelPath}.container.${key}`, from.span, from.field);
  }

  /** A result the model can hold: absent when the file sets nothing, so the task hashes as before. */
  result(): ContainerSettings | undefined {
    return Object.keys(this.settings).length > 0 ? this.settings : undefined;
  }
}

/** `task` is the task block's reader, `config` its docker config's; `modelPath` the task's (`groups.0.tasks.1`). */
export function mapContainerSettings(ctx: NomadContext, task: BlockReader, config: BlockReader | undefined, modelPath: string): ContainerSettings | undefined {
  const out = new Gathered(ctx, modelPath);
  const user = task.string('user');
  if (user && user.value !== '') out.set('user', user.value, user);
  const signal = task.string('kill_signal');
  if (signal) {
    if (isStopSignal(signal.value)) out.set('stopSignal', signal.value, signal);
    else ctx.error(signal.span, signal.field, `expected ${stopSignalRule}, got "${signal.value}"`);
  }
  if (config) mapDockerConfig(ctx, config, out, modelPath);
  return out.result();
}

function mapDockerConfig(ctx: NomadContext, config: BlockReader, out: Gathered, modelPath: string): void {
  const labels = readMap(config, 'labels');
  if (labels) {
    out.set('labels', labels.value, labels);
    // Each label where it is written: a reserved name is reported at its own line.
    for (const [name, span] of labels.keySpans) ctx.origin(`${modelPath}.container.labels.${name}`, span, `${labels.field}.${name}`);
  }
  const strings = [['work_dir', 'workingDir'], ['hostname', 'hostname']] as const;
  for (const [attribute, key] of strings) {
    const read = config.string(attribute);
    if (read && read.value !== '') out.set(key, read.value, read);
  }
  const extraHosts = config.stringList('extra_hosts');
  if (extraHosts) {
    const bad = extraHosts.value.find((h) => !isExtraHost(h));
    if (bad !== undefined) ctx.error(extraHosts.span, extraHosts.field, `expected ${extraHostRule}, got "${bad}"`);
    else out.set('extraHosts', extraHosts.value, extraHosts);
  }
  const lists = [['dns_servers', 'dns'], ['dns_search_domains', 'dnsSearch'], ['dns_options', 'dnsOptions']] as const;
  for (const [attribute, key] of lists) {
    const read = config.stringList(attribute);
    if (read && (key !== 'dns' || addressesOnly(ctx, read))) out.set(key, read.value, read);
  }
  for (const [attribute, key] of [['cap_add', 'capAdd'], ['cap_drop', 'capDrop']] as const) {
    const read = config.stringList(attribute);
    if (!read) continue;
    const names = read.value.map(capabilityName);
    const bad = read.value.find((_, i) => names[i] === undefined);
    if (bad !== undefined) ctx.report('error', 'invalid-value', read.span, read.field, `"${bad}" is not a Linux capability`, 'write it as Docker does, e.g. "net_admin" or "NET_ADMIN"');
    else out.set(key, names as string[], read);
  }
  const readOnly = config.bool('readonly_rootfs');
  if (readOnly) out.set('readOnlyRootfs', readOnly.value, readOnly);
  const sysctls = readMap(config, 'sysctl');
  if (sysctls) out.set('sysctls', sysctls.value, sysctls);
  const ulimits = readMap(config, 'ulimit');
  if (ulimits) {
    const parsed = Object.entries(ulimits.value).map(([name, text]) => ({ name, text, ulimit: parseUlimit(name, text) }));
    const bad = parsed.find((p) => !p.ulimit);
    if (bad) ctx.error(ulimits.keySpans.get(bad.name) ?? ulimits.span, `${ulimits.field}.${bad.name}`, `expected "soft:hard" or one number, got "${bad.text}"`, 'e.g. nofile = "2048:4096"');
    else out.set('ulimits', parsed.map((p) => p.ulimit!), ulimits);
  }
  const shm = config.number('shm_size', { integer: true, min: 1 });
  if (shm) out.set('shmSizeBytes', shm.value, shm);
  const init = config.bool('init');
  if (init) out.set('init', init.value, init);
  const logging = config.blocks('logging');
  if (logging.length > 1) ctx.error(logging[1]!.typeSpan, config.field('logging'), 'a docker config has one logging block');
  if (logging[0]) mapLogging(ctx, logging[0], config.field('logging'), out);
}

/** `logging { type = "json-file" config { max-size = "10m" } }`; `driver` is Nomad's older name for `type`. */
function mapLogging(ctx: NomadContext, block: Block, field: string, out: Gathered): void {
  const reader = BlockReader.ofBlock(ctx, block, 'logging', field);
  const type = reader.string('type');
  const driver = reader.string('driver');
  if (type && driver && type.value !== driver.value) {
    ctx.error(driver.span, driver.field, `driver "${driver.value}" and type "${type.value}" disagree`, 'driver is the older name of type: keep one');
    return;
  }
  const chosen = type ?? driver;
  const options = readMap(reader, 'config');
  if (!chosen || chosen.value === '') {
    // Nomad's own default is json-file; options without a driver would be Docker's default driver's.
    if (options) ctx.error(block.typeSpan, reader.field('type'), 'logging options need a logging type', 'add type = "json-file" (or the driver they are for)');
    return;
  }
  out.set('logging', { driver: chosen.value, options: options?.value ?? {} }, { span: block.typeSpan, field });
}

/** The group network's `dns { servers searches options }` and `hostname`, which Nomad gives to each of its tasks. */
export interface GroupNetworkSettings {
  dns?: Read<string[]>;
  dnsSearch?: Read<string[]>;
  dnsOptions?: Read<string[]>;
  hostname?: Read<string>;
}

/** Reads them from one group `network` block's reader (network.ts walks the blocks). */
export function readGroupNetworkSettings(ctx: NomadContext, network: BlockReader, into: GroupNetworkSettings): void {
  const hostname = network.string('hostname');
  if (hostname && hostname.value !== '') into.hostname = hostname;
  const blocks = network.blocks('dns');
  if (blocks.length > 1) ctx.error(blocks[1]!.typeSpan, network.field('dns'), 'a network has one dns block');
  if (!blocks[0]) return;
  const dns = BlockReader.ofBlock(ctx, blocks[0], 'dns', network.field('dns'));
  const servers = dns.stringList('servers');
  const searches = dns.stringList('searches');
  const options = dns.stringList('options');
  if (servers && addressesOnly(ctx, servers)) into.dns = servers;
  if (searches) into.dnsSearch = searches;
  if (options) into.dnsOptions = options;
}

/**
 * Gives a task its group network's DNS and hostname. As in Nomad, the group's DNS
 * replaces the docker config's (Nomad then writes the task's resolv.conf itself),
 * while the task's own `hostname` wins over the group's.
 */
export function applyGroupNetworkSettings(ctx: NomadContext, settings: ContainerSettings | undefined, group: GroupNetworkSettings, modelPath: string, task: string): ContainerSettings | undefined {
  const hasDns = group.dns ?? group.dnsSearch ?? group.dnsOptions;
  if (!hasDns && (!group.hostname || settings?.hostname !== undefined)) return settings;
  const out: ContainerSettings = { ...settings };
  if (hasDns) {
    if (settings?.dns ?? settings?.dnsSearch ?? settings?.dnsOptions) {
      // Said rather than dropped: the task's own lines lose to the network's, as in Nomad.
      ctx.report('warning', 'unsupported', hasDns.span, hasDns.field, `this network's dns replaces the docker config's dns_* settings of task "${task}", as in Nomad`, 'set DNS in one place');
    }
    delete out.dns;
    delete out.dnsSearch;
    delete out.dnsOptions;
    for (const key of ['dns', 'dnsSearch', 'dnsOptions'] as const) {
      const read = group[key];
      if (!read) continue;
      out[key] = read.value;
      ctx.origin(`${modelPath}.container.${key}`, read.span, read.field);
    }
  }
  if (group.hostname && out.hostname === undefined) {
    out.hostname = group.hostname.value;
    ctx.origin(`${modelPath}.container.hostname`, group.hostname.span, group.hostname.field);
  }
  return out;
}

/** Name servers are addresses: Docker refuses a name there when it creates the container. */
function addressesOnly(ctx: NomadContext, read: Read<string[]>): boolean {
  const bad = read.value.find((server) => isIP(server) === 0);
  if (bad === undefined) return true;
  ctx.error(read.span, read.field, `expected IPv4 or IPv6 addresses, got "${bad}"`);
  return false;
}

interface MapRead extends Read<Record<string, string>> {
  /** Where each key is written, when it can be told. */
  keySpans: Map<string, Span>;
}

/**
 * A map of strings in each form Nomad's docker driver takes: a block
 * (`labels { a = "b" }`), a map (`labels = { "a.b" = "c" }`) or the older list of
 * maps (`labels = [{ a = "b" }]`), later keys winning.
 */
function readMap(reader: BlockReader, name: string): MapRead | undefined {
  const attribute = reader.attribute(name);
  const blocks = reader.blocks(name);
  if (attribute && blocks.length) {
    reader.ctx.error(blocks[0]!.typeSpan, reader.field(name), `"${name}" is set both as an attribute and as a block; use one`);
    return undefined;
  }
  if (blocks.length) return readMapBlocks(reader, name, blocks);
  const read = reader.value(name);
  if (!read || !attribute) return undefined;
  const maps: Value[] = Array.isArray(read.value) ? read.value : [read.value];
  const value: Record<string, string> = {};
  for (const map of maps) {
    if (!isObject(map)) return mismatch(reader, read.span, read.field);
    for (const [key, item] of Object.entries(map)) {
      if (typeof item === 'string' || typeof item === 'boolean') setPlainKey(value, key, String(item));
      else if (typeof item === 'number') setPlainKey(value, key, formatNumber(item));
      else return mismatch(reader, read.span, read.field);
    }
  }
  return { value, span: read.span, field: read.field, keySpans: objectKeySpans(attribute.expr) };
}

/** Blocks of free keys (a logging `config` block is not a docker `config`: its keys are not checked against one). */
function readMapBlocks(reader: BlockReader, name: string, blocks: Block[]): MapRead {
  const value: Record<string, string> = {};
  const keySpans = new Map<string, Span>();
  for (const block of blocks) {
    const free = new BlockReader(reader.ctx, block.body, `${reader.schemaName}.${name}`, reader.field(name), block.typeSpan);
    for (const item of block.body.items) {
      if (item.kind === 'block') {
        reader.ctx.error(item.typeSpan, `${reader.field(name)}.${item.type}`, `expected a string for "${item.type}", got a block`);
        continue;
      }
      const read = free.string(item.name);
      if (!read) continue;
      setPlainKey(value, item.name, read.value);
      keySpans.set(item.name, item.nameSpan);
    }
  }
  return { value, span: blocks[0]!.typeSpan, field: reader.field(name), keySpans };
}

function mismatch(reader: BlockReader, span: Span, field: string): undefined {
  reader.ctx.error(span, field, 'expected a map of strings (or a list of maps)');
  return undefined;
}

/** Where the keys of a literal map, or list of maps, are written. */
function objectKeySpans(expr: Expr): Map<string, Span> {
  const spans = new Map<string, Span>();
  const objects = expr.kind === 'tuple' ? expr.items : [expr];
  for (const object of objects) {
    if (object.kind !== 'object') continue;
    for (const { key } of object.items) {
      const text = key.kind === 'variable' ? key.name
        : key.kind === 'literal' ? String(key.value)
        : key.kind === 'template' && key.parts.every((p) => p.kind === 'text') ? key.parts.map((p) => (p as { text: string }).text).join('')
        : undefined;
      if (text !== undefined) spans.set(text, key.span);
    }
  }
  return spans;
}
