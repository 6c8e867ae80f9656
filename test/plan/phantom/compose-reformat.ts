// Rewrites a Compose file into another text for the same job, with the yaml
// package's Document API: keys in another order, comments, flow or block style,
// `environment` as a list or a map, other duration and number spellings,
// Swarm's defaults written out, ports in long or short syntax, and anchors.
import { Alias, Pair, Scalar, YAMLMap, YAMLSeq, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import type { Choices } from './choices.js';
import { composeBytes, composeSizeSpellings, pickOther } from './quantities.js';
import type { YamlPath, YamlStyleOptions } from './yaml-common.js';
import { aliasRepeatedScalars, decorate, get, hasKey, lineEnds, mapAt, printOptions, respellDurationNode, scalar, set, shuffle, toggleNumberText } from './yaml-common.js';

export interface ComposeReformatOptions extends YamlStyleOptions {
  /** `environment` (and `labels`) as a `KEY=VALUE` list or a map; values as numbers or strings. */
  environment: boolean;
  /** Durations and numbers spelled another way (`10s` as `10000ms`, `replicas: "2"`). */
  values: boolean;
  /** Swarm's defaults written out where the file leaves them out. */
  defaults: boolean;
  /** `ports` in short (`"8000:80"`) or long (`{target: 80, published: 8000}`) syntax. */
  ports: boolean;
  /** A map moved into an `x-` extension field and used through an alias or a `<<` merge key. */
  extensions: boolean;
  /** `command`/`entrypoint` as a string or a list of words, a healthcheck test as a string or `["CMD-SHELL", ...]`. */
  commands: boolean;
  /** `restart: on-failure:3` as `deploy.restart_policy: {condition: on-failure, max_attempts: 3}`, and back. */
  restart: boolean;
}

export const allComposeRewrites: ComposeReformatOptions = {
  reorder: true,
  comments: true,
  layout: true,
  anchors: true,
  environment: true,
  values: true,
  defaults: true,
  ports: true,
  extensions: true,
  commands: true,
  restart: true,
};

export function reformatCompose(text: string, choices: Choices, options: ComposeReformatOptions = allComposeRewrites): string {
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length) throw new Error(`reformatCompose: not YAML: ${doc.errors[0]!.message}`);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('reformatCompose: not a compose file');
  const services = get(root, 'services');
  if (isMap(services)) {
    for (const pair of services.items) {
      const service = pair.value;
      if (!isMap(service)) continue;
      if (options.defaults) addDefaults(service, choices);
      if (options.environment) {
        rewriteKeyValues(service, 'environment', choices);
        rewriteKeyValues(service, 'labels', choices);
      }
      if (options.values) respellValues(service, choices);
      if (options.ports) rewritePorts(service, choices);
      if (options.commands) rewriteCommands(service, choices);
      if (options.restart) rewriteRestart(service, choices);
    }
  }
  if (options.reorder) shuffle(root, [], choices, isUnorderedList);
  if (options.extensions && isMap(services)) moveToExtension(root, services, choices);
  if (options.anchors) aliasRepeatedScalars(doc, choices, 'same');
  decorate(doc, choices, options);
  return lineEnds(doc.toString(printOptions(choices, options.layout)), choices, options.layout);
}

/** Lists whose order means nothing to the job: ports (matched by label). */
function isUnorderedList(path: YamlPath): boolean {
  return path.length === 3 && path[0] === 'services' && path[2] === 'ports';
}

// ---- Swarm's defaults ----

const updateDefaults: ReadonlyArray<[string, unknown]> = [
  ['parallelism', 1],
  ['delay', '0s'],
  ['failure_action', 'pause'],
  ['monitor', '5s'],
  ['max_failure_ratio', 0],
  ['order', 'stop-first'],
];
const restartPolicyDefaults: ReadonlyArray<[string, unknown]> = [
  ['condition', 'any'],
  ['delay', '5s'],
  ['max_attempts', 0],
  ['window', '0s'],
];
const healthcheckDefaults: ReadonlyArray<[string, unknown]> = [
  ['interval', '30s'],
  ['timeout', '30s'],
  ['retries', 3],
  ['start_period', '0s'],
];

function addMissing(map: YAMLMap, defaults: ReadonlyArray<[string, unknown]>, choices: Choices): void {
  for (const [key, value] of defaults) if (!hasKey(map, key) && choices.chance()) set(map, key, scalar(value));
}

function addDefaults(service: YAMLMap, choices: Choices): void {
  const deploy = mapAt(service, ['deploy'], choices.chance(2));
  if (deploy) {
    const mode = get(deploy, 'mode');
    const global = isScalar(mode) && mode.value === 'global';
    if (!global && !hasKey(deploy, 'replicas') && !hasKey(service, 'scale') && choices.chance()) set(deploy, 'replicas', scalar(1));
    if (!hasKey(deploy, 'mode') && choices.chance(3)) set(deploy, 'mode', scalar('replicated'));
    const update = mapAt(deploy, ['update_config'], choices.chance(2));
    if (update) addMissing(update, updateDefaults, choices);
    // Without rollback_config Swarm rolls back with the same defaults.
    const rollback = mapAt(deploy, ['rollback_config'], choices.chance(3));
    if (rollback) addMissing(rollback, updateDefaults, choices);
    // A restart_policy replaces `restart:` as a whole: only where neither is set.
    const policy = hasKey(service, 'restart') ? undefined : mapAt(deploy, ['restart_policy'], choices.chance(3));
    if (policy) addMissing(policy, restartPolicyDefaults, choices);
  }
  const health = get(service, 'healthcheck');
  if (isMap(health) && hasKey(health, 'test')) addMissing(health, healthcheckDefaults, choices);
  for (const key of ['environment', 'labels']) {
    if (!hasKey(service, key) && choices.chance(4)) set(service, key, choices.chance() ? new YAMLSeq() : new YAMLMap());
  }
}

// ---- environment and labels ----

/** `{KEY: value}` ↔ `["KEY=value"]`, with values as Compose reads them. */
function rewriteKeyValues(service: YAMLMap, key: string, choices: Choices): void {
  const node = get(service, key);
  if (isMap(node)) {
    for (const pair of node.items) if (isScalar(pair.value)) toggleScalarText(pair.value, choices);
    if (!choices.chance()) return;
    const list = new YAMLSeq();
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : null;
      if (name === null || (pair.value !== null && !isScalar(pair.value))) return;
      const value = pair.value === null ? null : (pair.value as Scalar).value;
      list.items.push(scalar(value === null ? name : `${name}=${String(value)}`));
    }
    set(service, key, list);
  } else if (isSeq(node) && choices.chance()) {
    const map = new YAMLMap();
    for (const item of node.items) {
      if (!isScalar(item) || typeof item.value !== 'string') return;
      const equals = item.value.indexOf('=');
      const name = equals < 0 ? item.value : item.value.slice(0, equals);
      // A later entry wins; a map may not repeat a key.
      map.items = map.items.filter((p) => (p.key as Scalar).value !== name);
      map.items.push(new Pair(scalar(name), equals < 0 ? null : scalar(item.value.slice(equals + 1))));
    }
    set(service, key, map);
  }
}

/** A number or boolean value as the string Compose makes of it, or back. */
function toggleScalarText(node: Scalar, choices: Choices): void {
  if (!choices.chance()) return;
  if (typeof node.value === 'number' || typeof node.value === 'boolean') {
    node.value = String(node.value);
    node.type = Scalar.QUOTE_DOUBLE;
  }
}

// ---- durations and numbers ----

const durationPaths = [
  ['deploy', 'update_config', 'delay'], ['deploy', 'update_config', 'monitor'],
  ['deploy', 'rollback_config', 'delay'], ['deploy', 'rollback_config', 'monitor'],
  ['deploy', 'restart_policy', 'delay'], ['deploy', 'restart_policy', 'window'],
  ['healthcheck', 'interval'], ['healthcheck', 'timeout'], ['healthcheck', 'start_period'], ['healthcheck', 'start_interval'],
];
const numberPaths = [
  ['deploy', 'replicas'], ['scale'], ['deploy', 'update_config', 'parallelism'], ['deploy', 'rollback_config', 'parallelism'],
  ['deploy', 'update_config', 'max_failure_ratio'], ['deploy', 'rollback_config', 'max_failure_ratio'],
  ['deploy', 'restart_policy', 'max_attempts'], ['healthcheck', 'retries'],
];

const memoryPaths = [['deploy', 'resources', 'limits', 'memory'], ['deploy', 'resources', 'reservations', 'memory'], ['mem_limit']];
const cpusPaths = [['deploy', 'resources', 'limits', 'cpus'], ['deploy', 'resources', 'reservations', 'cpus'], ['cpus']];

function respellValues(service: YAMLMap, choices: Choices): void {
  const node = (path: string[]) => path.reduce<unknown>((n, key) => get(n, key), service) as Node | undefined;
  for (const path of durationPaths) respellDurationNode(node(path), choices);
  for (const path of numberPaths) toggleNumberText(node(path), choices);
  for (const path of memoryPaths) {
    const found = node(path);
    const bytes = isScalar(found) ? composeBytes(found.value) : null;
    const spelling = bytes === null || !choices.chance() ? null : pickOther(composeSizeSpellings(bytes), (found as Scalar).value, choices);
    if (spelling !== null) (found as Scalar).value = spelling;
  }
  for (const path of cpusPaths) {
    const found = node(path);
    if (!isScalar(found) || !choices.chance()) continue;
    const cores = Number(found.value);
    if (found.value === '' || !Number.isFinite(cores)) continue;
    found.value = choices.one([cores, String(cores), cores.toFixed(3), `${cores}`.replace(/^0\./, '.')]);
  }
}

// ---- commands ----

/** Words that split the same with or without shell quoting. */
const plainWord = /^[\w./:=@%+,-]+$/;

function rewriteCommands(service: YAMLMap, choices: Choices): void {
  for (const key of ['command', 'entrypoint']) {
    const node = get(service, key);
    const words = wordsOf(node);
    if (!words || words.length === 0 || !words.every((w) => plainWord.test(w)) || !choices.chance()) continue;
    set(service, key, isScalar(node) ? listOf(words) : scalar(words.join(' ')));
  }
  const health = get(service, 'healthcheck');
  const test = get(health, 'test');
  if (!isMap(health) || !choices.chance()) return;
  // A string test is run by the container's shell: it is `["CMD-SHELL", string]`.
  if (isScalar(test) && typeof test.value === 'string' && test.value.trim() !== '') set(health, 'test', listOf(['CMD-SHELL', test.value]));
  const list = wordsOf(test);
  if (isSeq(test) && list && list.length === 2 && list[0] === 'CMD-SHELL') set(health, 'test', scalar(list[1]));
}

function wordsOf(node: Node | undefined): string[] | null {
  if (isScalar(node) && typeof node.value === 'string') return node.value.trim().split(/\s+/).filter(Boolean);
  if (isSeq(node) && node.items.every((i) => isScalar(i) && typeof i.value === 'string')) return node.items.map((i) => (i as Scalar).value as string);
  return null;
}

function listOf(words: string[]): YAMLSeq {
  const list = new YAMLSeq();
  list.items.push(...words.map((w) => scalar(w)));
  return list;
}

// ---- restart ----

function rewriteRestart(service: YAMLMap, choices: Choices): void {
  const deploy = get(service, 'deploy');
  const policy = get(deploy, 'restart_policy');
  const restart = get(service, 'restart');
  if (!choices.chance()) return;
  if (isScalar(restart) && typeof restart.value === 'string' && policy === undefined) {
    const match = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(restart.value);
    if (!match) return;
    const made = new YAMLMap();
    set(made, 'condition', scalar(match[1] === 'no' ? 'none' : match[1] === 'on-failure' ? 'on-failure' : 'any'));
    if (match[2] !== undefined) set(made, 'max_attempts', scalar(Number(match[2])));
    set(mapAt(service, ['deploy'], true)!, 'restart_policy', made);
    service.items = service.items.filter((p) => !(isScalar(p.key) && p.key.value === 'restart'));
  } else if (isMap(policy) && restart === undefined) {
    const keys = policy.items.map((p) => (isScalar(p.key) ? p.key.value : null));
    const condition = get(policy, 'condition');
    const attempts = get(policy, 'max_attempts');
    if (keys.some((k) => k !== 'condition' && k !== 'max_attempts') || !isScalar(condition)) return;
    const name = condition.value === 'none' ? 'no' : condition.value === 'any' ? 'always' : condition.value === 'on-failure' ? 'on-failure' : null;
    if (name === null || (attempts !== undefined && (name !== 'on-failure' || !isScalar(attempts) || typeof attempts.value !== 'number'))) return;
    set(service, 'restart', scalar(attempts === undefined ? name : `${name}:${(attempts as Scalar).value as number}`));
    (deploy as YAMLMap).items = (deploy as YAMLMap).items.filter((p) => !(isScalar(p.key) && p.key.value === 'restart_policy'));
  }
}

// ---- ports ----

function rewritePorts(service: YAMLMap, choices: Choices): void {
  const ports = get(service, 'ports');
  if (!isSeq(ports)) return;
  ports.items = ports.items.map((item) => {
    if (!choices.chance()) return item;
    if (isScalar(item)) return longPort(item, choices.chance(3)) ?? item;
    if (isMap(item)) return shortPort(item) ?? item;
    return item;
  });
}

/** `"8000:80"` → `{target: 80, published: "8000"}`; `"8000"` → `{target: 8000}`; `8000` ↔ `"8000"`. */
function longPort(item: Scalar, protocolDefault: boolean): Node | null {
  const text = String(item.value);
  const match = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(text);
  if (!match) return null;
  if (typeof item.value === 'number') return scalar(text);
  const [, published, target, protocol] = match;
  const map = new YAMLMap();
  set(map, 'target', scalar(Number(target)));
  if (published !== undefined) set(map, 'published', scalar(published));
  if (protocol !== undefined) set(map, 'protocol', scalar(protocol));
  else if (protocolDefault) set(map, 'protocol', scalar('tcp'));
  return map;
}

function shortPort(map: YAMLMap): Node | null {
  const keys = map.items.map((p) => (isScalar(p.key) ? p.key.value : null));
  if (keys.some((k) => k !== 'target' && k !== 'published')) return null;
  const target = get(map, 'target');
  const published = get(map, 'published');
  if (!isScalar(target) || (published !== undefined && !isScalar(published))) return null;
  return scalar(published === undefined ? String(target.value) : `${String(published.value)}:${String(target.value)}`);
}

// ---- x- extension fields ----

/**
 * Moves one map of a service (its `deploy`, `update_config`, `environment`...) to a
 * top-level `x-` field with an anchor, used where it was through an alias or a `<<`
 * merge key. With a merge key some of its keys stay beside `<<`, and the anchored
 * copy holds other values for them, which the keys beside `<<` override.
 */
function moveToExtension(root: YAMLMap, services: YAMLMap, choices: Choices): void {
  if (!choices.chance(2)) return;
  const candidates: Array<{ parent: YAMLMap; key: string; map: YAMLMap }> = [];
  const collect = (parent: YAMLMap) => {
    for (const pair of parent.items) {
      if (isMap(pair.value) && isScalar(pair.key) && pair.value.items.length > 0) {
        candidates.push({ parent, key: String(pair.key.value), map: pair.value });
        collect(pair.value);
      }
    }
  };
  collect(services);
  if (candidates.length === 0) return;
  const { parent, key, map } = choices.one(candidates);
  const anchored = map.clone() as YAMLMap;
  anchored.anchor = 'shared';
  const useMerge = choices.chance();
  let replacement: Node = new Alias('shared');
  if (useMerge) {
    const merged = new YAMLMap();
    merged.items.push(new Pair(new Scalar('<<'), new Alias('shared')));
    for (const pair of map.items) {
      if (!isScalar(pair.key) || !choices.chance()) continue;
      // Stays beside `<<`; the anchored copy gets a decoy that the merge must not let through.
      merged.items.push(pair.clone() as Pair);
      const copy = anchored.items.find((p) => isScalar(p.key) && p.key.value === (pair.key as Scalar).value);
      if (copy && isScalar(copy.value)) copy.value = scalar(decoy(copy.value.value));
    }
    replacement = merged;
  }
  set(parent, key, replacement);
  root.items.unshift(new Pair(new Scalar('x-phantom-shared'), anchored));
}

function decoy(value: unknown): unknown {
  if (typeof value === 'number') return value + 7;
  if (typeof value === 'boolean') return !value;
  return `decoy-${String(value)}`;
}
