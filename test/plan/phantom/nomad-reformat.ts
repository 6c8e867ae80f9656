// Rewrites a Nomad job file into another text for the same job: the file is
// parsed with deckhand's HCL parser and printed again from its syntax tree, each
// expression copied from its source span, with the order, comments, spacing,
// value spellings and explicit defaults chosen at random.
import type { Attribute, Block, Body, Expr } from '../../../src/hcl/index.js';
import { parseHcl } from '../../../src/hcl/index.js';
import type { Choices } from './choices.js';
import { respellDuration } from './durations.js';

export interface NomadReformatOptions {
  /** Attributes and blocks in another order (same-type blocks only where they are matched by name). */
  reorder: boolean;
  /** `#`, `//` and `/* *\/` comments and blank lines wherever HCL allows them. */
  comments: boolean;
  /** Indentation, spaces around `=` and braces, bare-word labels, single-line blocks, CRLF. */
  layout: boolean;
  /** `"10s"` as `"10000ms"`, `"1m"` as `"60s"`, and so on. */
  durations: boolean;
  /** `count = 3` as `count = "3"` (and back), `auto_revert = true` as `"true"`. */
  scalars: boolean;
  /** Nomad's defaults written out where the file leaves them out. */
  defaults: boolean;
  /** `env { A = "1" }` as `env = { A = "1" }` (and back). */
  mapStyle: boolean;
  /**
   * Blocks moved where they mean the same: with one group, its `update` to the job and back; with one
   * task, the group's `restart` into the task and the group's `network` into the task's `resources` (and back).
   */
  placement: boolean;
  /** `"${NOMAD_PORT_http}"` as `"$${NOMAD_PORT_http}"`: the text Nomad interpolates at placement either way. */
  escapes: boolean;
  /** `"${NOMAD_PORT_http}"` as `"${ NOMAD_PORT_http }"`: spaces and comments inside an interpolation. */
  interpolationSpaces: boolean;
  /**
   * Block types whose blocks may change places among themselves (they are matched by
   * name, or are a set); the others keep their relative order.
   */
  freeOrder: readonly string[];
}

/** Every block type whose order means nothing to Nomad. */
export const nomadFreeOrder: readonly string[] = ['variable', 'locals', 'variables', 'group', 'task', 'network', 'service', 'check', 'port'];

export const allNomadRewrites: NomadReformatOptions = {
  reorder: true,
  comments: true,
  layout: true,
  durations: true,
  scalars: true,
  defaults: true,
  mapStyle: true,
  placement: true,
  escapes: true,
  interpolationSpaces: true,
  freeOrder: nomadFreeOrder,
};

type Literal = string | number | boolean;

interface PAttr {
  kind: 'attr';
  name: string;
  /** The expression's source text; for a map written as an object, its entries; for a list, its items' texts. */
  value: { kind: 'text'; text: string; heredoc: boolean } | { kind: 'object'; entries: PAttr[] } | { kind: 'tuple'; items: string[] };
  /** Set when the expression is a plain literal, so it may be spelled another way. */
  literal: Literal | null;
}

interface PBlock {
  kind: 'block';
  type: string;
  labels: string[];
  items: PItem[];
}

type PItem = PAttr | PBlock;

export function reformatNomad(text: string, choices: Choices, options: NomadReformatOptions = allNomadRewrites): string {
  const root: PBlock = { kind: 'block', type: 'file', labels: [], items: fromBody(text, parseHcl(text)) };
  if (options.placement) movePlacement(root, choices);
  if (options.defaults) addDefaults(root, choices);
  if (options.mapStyle) switchMapStyles(root, text, choices);
  if (options.durations || options.scalars) respellValues(root, choices, options);
  if (options.escapes || options.interpolationSpaces) respellInterpolations(root, choices, options);
  if (options.reorder) reorder(root, choices, new Set(options.freeOrder));
  return new Printer(choices, options).file(root);
}

// ---- from the syntax tree ----

function fromBody(src: string, body: Body): PItem[] {
  return body.items.map((item) => (item.kind === 'attribute' ? fromAttribute(src, item) : fromBlock(src, item)));
}

function fromAttribute(src: string, attr: Attribute): PAttr {
  const expr = attr.expr;
  const text = src.slice(expr.span.start, expr.span.end);
  if (expr.kind === 'tuple' && expr.items.every((item) => !(item.kind === 'template' && item.heredoc))) {
    return { kind: 'attr', name: attr.name, value: { kind: 'tuple', items: expr.items.map((item) => src.slice(item.span.start, item.span.end)) }, literal: null };
  }
  const heredoc = expr.kind === 'template' && expr.heredoc;
  return { kind: 'attr', name: attr.name, value: { kind: 'text', text, heredoc }, literal: literalOf(expr) };
}

function fromBlock(src: string, block: Block): PBlock {
  return { kind: 'block', type: block.type, labels: [...block.labels], items: fromBody(src, block.body) };
}

function literalOf(expr: Expr): Literal | null {
  if (expr.kind !== 'literal' || expr.value === null) return null;
  return expr.value;
}

function attr(name: string, literal: Literal): PAttr {
  return { kind: 'attr', name, value: { kind: 'text', text: literalText(literal), heredoc: false }, literal };
}

function literalText(value: Literal): string {
  return typeof value === 'string' ? hclString(value) : String(value);
}

/** A quoted HCL string holding exactly `value` (no interpolation). */
export function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{');
}

const blocksOf = (block: PBlock, type: string) => block.items.filter((i): i is PBlock => i.kind === 'block' && i.type === type);
const attrOf = (block: PBlock, name: string) => block.items.find((i): i is PAttr => i.kind === 'attr' && i.name === name);
const has = (block: PBlock, name: string) => block.items.some((i) => (i.kind === 'attr' ? i.name : i.type) === name);

// ---- blocks moved where they mean the same ----

function take(block: PBlock, item: PItem): void {
  block.items.splice(block.items.indexOf(item), 1);
}

function movePlacement(root: PBlock, choices: Choices): void {
  for (const job of blocksOf(root, 'job')) {
    const groups = blocksOf(job, 'group');
    if (groups.length === 1) {
      const group = groups[0]!;
      const jobUpdates = blocksOf(job, 'update');
      const groupUpdates = blocksOf(group, 'update');
      if (jobUpdates.length === 1 && groupUpdates.length === 0 && choices.chance(3)) {
        take(job, jobUpdates[0]!);
        group.items.push(jobUpdates[0]!);
      } else if (groupUpdates.length === 1 && jobUpdates.length === 0 && choices.chance(3)) {
        take(group, groupUpdates[0]!);
        job.items.push(groupUpdates[0]!);
      }
    }
    for (const group of groups) {
      const tasks = blocksOf(group, 'task');
      if (tasks.length !== 1) continue;
      const task = tasks[0]!;
      const groupRestarts = blocksOf(group, 'restart');
      const taskRestarts = blocksOf(task, 'restart');
      if (groupRestarts.length === 1 && taskRestarts.length === 0 && choices.chance(3)) {
        take(group, groupRestarts[0]!);
        task.items.push(groupRestarts[0]!);
      } else if (taskRestarts.length === 1 && groupRestarts.length === 0 && choices.chance(3)) {
        take(task, taskRestarts[0]!);
        group.items.push(taskRestarts[0]!);
      }
      const groupNetworks = blocksOf(group, 'network');
      const resources = blocksOf(task, 'resources')[0];
      const taskNetworks = resources ? blocksOf(resources, 'network') : [];
      if (groupNetworks.length === 1 && taskNetworks.length === 0 && choices.chance(3)) {
        take(group, groupNetworks[0]!);
        if (resources) resources.items.push(groupNetworks[0]!);
        else task.items.push({ kind: 'block', type: 'resources', labels: [], items: [groupNetworks[0]!] });
      } else if (resources && taskNetworks.length === 1 && groupNetworks.length === 0 && choices.chance(3)) {
        take(resources, taskNetworks[0]!);
        group.items.push(taskNetworks[0]!);
      }
    }
  }
}

// ---- defaults written out ----

/** Nomad's defaults as deckhand applies them (src/render/defaults.ts, SPEC.md). */
const updateDefaults: ReadonlyArray<[string, Literal]> = [
  ['max_parallel', 1],
  ['min_healthy_time', '10s'],
  ['healthy_deadline', '5m'],
  ['progress_deadline', '10m'],
  ['health_check', 'checks'],
  ['auto_revert', false],
  ['auto_promote', false],
  ['canary', 0],
];
const restartDefaults: ReadonlyArray<[string, Literal]> = [
  ['attempts', 2],
  ['interval', '30m'],
  ['delay', '15s'],
  ['mode', 'fail'],
];
const resourceDefaults: ReadonlyArray<[string, Literal]> = [
  ['cpu', 100],
  ['memory', 300],
];
const checkDefaults: ReadonlyArray<[string, Literal]> = [
  ['interval', '10s'],
  ['timeout', '2s'],
  ['failures_before_critical', 0],
];

/** Adds some of `defaults` that `block` lacks and `alsoSetIn` does not set either. */
function addMissing(block: PBlock, defaults: ReadonlyArray<[string, Literal]>, choices: Choices, alsoSetIn: PBlock[] = []): void {
  for (const [name, value] of defaults) {
    if (has(block, name) || alsoSetIn.some((other) => has(other, name))) continue;
    // Whole cores replace the MHz reservation: with `cores`, `cpu` has no default to write out.
    if (block.type === 'resources' && name === 'cpu' && has(block, 'cores')) continue;
    if (choices.chance()) block.items.push(attr(name, value));
  }
}

function addDefaults(root: PBlock, choices: Choices): void {
  for (const job of blocksOf(root, 'job')) {
    if (!has(job, 'type') && choices.chance()) job.items.push(attr('type', 'service'));
    // Nomad's own defaults for fields deckhand accepts and does not use.
    if (!has(job, 'priority') && choices.chance(4)) job.items.push(attr('priority', 50));
    if (!has(job, 'all_at_once') && choices.chance(4)) job.items.push(attr('all_at_once', false));
    if (!has(job, 'meta') && choices.chance(4)) job.items.push({ kind: 'block', type: 'meta', labels: [], items: [] });
    // A job-level key applies to every group that does not set it: a default there changes nothing.
    let jobUpdate = blocksOf(job, 'update')[0];
    if (!jobUpdate && choices.chance(3)) {
      jobUpdate = { kind: 'block', type: 'update', labels: [], items: [] };
      job.items.push(jobUpdate);
    }
    if (jobUpdate) addMissing(jobUpdate, updateDefaults, choices);
    for (const group of blocksOf(job, 'group')) addGroupDefaults(group, jobUpdate, choices);
  }
}

function addGroupDefaults(group: PBlock, jobUpdate: PBlock | undefined, choices: Choices): void {
  if (!has(group, 'count') && choices.chance()) group.items.push(attr('count', 1));
  if (!has(group, 'meta') && choices.chance(4)) group.items.push({ kind: 'block', type: 'meta', labels: [], items: [] });

  // A group-level key wins over the job's: only keys neither sets may be added.
  let update = blocksOf(group, 'update')[0];
  if (!update && choices.chance(3)) {
    update = { kind: 'block', type: 'update', labels: [], items: [] };
    group.items.push(update);
  }
  if (update) addMissing(update, updateDefaults, choices, jobUpdate ? [jobUpdate] : []);

  // deckhand keeps one restart policy per group, merged from the group's and the tasks' blocks:
  // a key no block sets may be written into any of them.
  const tasks = blocksOf(group, 'task');
  const restarts = [...blocksOf(group, 'restart'), ...tasks.flatMap((t) => blocksOf(t, 'restart'))];
  if (restarts.length === 0 && choices.chance(3)) {
    const home = choices.chance(3) && tasks.length ? choices.one(tasks) : group;
    const created: PBlock = { kind: 'block', type: 'restart', labels: [], items: [] };
    home.items.push(created);
    restarts.push(created);
  }
  for (const [name, value] of restartDefaults) {
    if (restarts.length === 0 || restarts.some((r) => has(r, name)) || !choices.chance()) continue;
    choices.one(restarts).items.push(attr(name, value));
  }

  for (const network of blocksOf(group, 'network')) addNetworkDefaults(network, choices);
  for (const service of blocksOf(group, 'service')) addServiceDefaults(service, choices);
  for (const task of tasks) {
    const resources = blocksOf(task, 'resources')[0];
    if (resources) {
      addMissing(resources, resourceDefaults, choices);
      for (const network of blocksOf(resources, 'network')) addNetworkDefaults(network, choices);
    } else if (choices.chance()) {
      const created: PBlock = { kind: 'block', type: 'resources', labels: [], items: [] };
      addMissing(created, resourceDefaults, choices);
      task.items.push(created);
    }
    for (const service of blocksOf(task, 'service')) addServiceDefaults(service, choices);
    if (!has(task, 'leader') && choices.chance(4)) task.items.push(attr('leader', false));
    const config = blocksOf(task, 'config')[0];
    if (config && !has(config, 'healthchecks') && choices.chance(4)) config.items.push({ kind: 'block', type: 'healthchecks', labels: [], items: [attr('disable', false)] });
    for (const name of ['env', 'meta']) {
      if (!has(task, name) && choices.chance(4)) task.items.push({ kind: 'block', type: name, labels: [], items: [] });
    }
  }
}

function addNetworkDefaults(network: PBlock, choices: Choices): void {
  if (!has(network, 'mode') && choices.chance(3)) network.items.push(attr('mode', 'host'));
  for (const port of blocksOf(network, 'port')) {
    // Nomad's `to = -1` (and an absent `to`) maps the port to itself.
    if (!has(port, 'to') && choices.chance(4)) port.items.push({ kind: 'attr', name: 'to', value: { kind: 'text', text: '-1', heredoc: false }, literal: null });
  }
}

function addServiceDefaults(service: PBlock, choices: Choices): void {
  for (const check of blocksOf(service, 'check')) {
    addMissing(check, checkDefaults, choices);
    if (attrOf(check, 'type')?.literal === 'http') {
      if (!has(check, 'method') && choices.chance()) check.items.push(attr('method', 'GET'));
      if (!has(check, 'protocol') && choices.chance(3)) check.items.push(attr('protocol', 'http'));
    }
  }
}

// ---- maps as blocks or as objects ----

const mapNames = new Set(['env', 'meta']);
const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function switchMapStyles(block: PBlock, src: string, choices: Choices): void {
  for (const child of block.items) if (child.kind === 'block' && !mapNames.has(child.type)) switchMapStyles(child, src, choices);
  if (!['job', 'group', 'task'].includes(block.type)) return;
  for (const name of mapNames) {
    const blocks = blocksOf(block, name);
    const attribute = attrOf(block, name);
    if (blocks.length === 1 && !attribute && blocks[0]!.labels.length === 0 && blocks[0]!.items.every((i) => i.kind === 'attr')) {
      if (!choices.chance()) continue;
      const entries = blocks[0]!.items as PAttr[];
      replace(block, blocks[0]!, { kind: 'attr', name, value: { kind: 'object', entries }, literal: null });
    } else if (blocks.length === 0 && attribute?.value.kind === 'text') {
      const entries = objectEntries(attribute.value.text);
      if (!entries || !choices.chance()) continue;
      replace(block, attribute, { kind: 'block', type: name, labels: [], items: entries });
    }
  }
}

function replace(block: PBlock, old: PItem, next: PItem): void {
  block.items[block.items.indexOf(old)] = next;
}

/** The entries of an object literal whose keys are plain names, as attributes; null for anything else. */
function objectEntries(text: string): PAttr[] | null {
  let body: Body;
  try {
    body = parseHcl(`x = ${text}\n`);
  } catch {
    return null;
  }
  const expr = (body.items[0] as Attribute | undefined)?.expr;
  if (!expr || expr.kind !== 'object') return null;
  const source = `x = ${text}\n`;
  const entries: PAttr[] = [];
  for (const item of expr.items) {
    const key = item.key.kind === 'variable' ? item.key.name : item.key.kind === 'literal' ? item.key.value : null;
    if (typeof key !== 'string' || !identifier.test(key) || entries.some((e) => e.name === key)) return null;
    entries.push(fromAttribute(source, { kind: 'attribute', name: key, nameSpan: item.key.span, expr: item.value }));
  }
  return entries;
}

// ---- other spellings of the same values ----

const durationFields = new Set([
  'update.min_healthy_time', 'update.healthy_deadline', 'update.progress_deadline',
  'restart.interval', 'restart.delay', 'check.interval', 'check.timeout',
]);
const numberFields = new Set([
  'group.count', 'update.max_parallel', 'update.canary', 'resources.cpu', 'resources.memory', 'resources.cores',
  'port.static', 'port.to', 'restart.attempts', 'check.failures_before_critical', 'check.port', 'service.port',
]);
const boolFields = new Set(['update.auto_revert', 'update.auto_promote']);

function respellValues(block: PBlock, choices: Choices, options: NomadReformatOptions): void {
  for (const item of block.items) {
    if (item.kind === 'block') {
      if (mapNames.has(item.type)) respellMapValues(item.items, choices, options);
      else respellValues(item, choices, options);
      continue;
    }
    if (item.value.kind === 'object' && mapNames.has(item.name)) respellMapValues(item.value.entries, choices, options);
    const field = `${block.type}.${item.name}`;
    const value = item.literal;
    if (value === null || item.value.kind !== 'text') continue;
    // A number variable's default may be written as a string: it is converted to the type.
    const numberVariable = block.type === 'variable' && item.name === 'default' && typeof value === 'number' && attrOf(block, 'type')?.value.kind === 'text' && (attrOf(block, 'type')!.value as { text: string }).text === 'number';
    let text: string | null = null;
    if (numberVariable) {
      if (choices.chance()) text = hclString(String(value));
    } else if (options.durations && durationFields.has(field) && typeof value === 'string') {
      const spelling = respellDuration(value, choices, { bareNanoseconds: true, bareZero: false });
      if (spelling && choices.chance(2)) text = spelling.kind === 'string' ? hclString(spelling.text) : spelling.text;
    } else if (options.scalars && numberFields.has(field)) {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && choices.chance()) text = choices.one(numberSpellings(value));
      else if (typeof value === 'string' && /^\d+$/.test(value) && choices.chance()) text = String(Number(value));
    } else if (options.scalars && boolFields.has(field)) {
      if (typeof value === 'boolean' && choices.chance()) text = hclString(String(value));
      else if ((value === 'true' || value === 'false') && choices.chance()) text = value;
    } else if (options.scalars && typeof value === 'string' && choices.chance(3)) {
      text = escapedString(value, choices);
    }
    if (text !== null) item.value = { kind: 'text', text, heredoc: false };
  }
}

/** Values of `env` and `meta`, which are strings: a number may be written bare (`4` for `"4"`), and back. */
function respellMapValues(items: PItem[], choices: Choices, options: NomadReformatOptions): void {
  if (!options.scalars) return;
  for (const item of items) {
    if (item.kind !== 'attr' || item.value.kind !== 'text' || !choices.chance(2)) continue;
    const value = item.literal;
    if (typeof value === 'number' && Number.isSafeInteger(value)) item.value = { kind: 'text', text: hclString(String(value)), heredoc: false };
    else if (typeof value === 'string' && /^(0|[1-9]\d{0,14})$/.test(value)) item.value = { kind: 'text', text: value, heredoc: false };
    else if (typeof value === 'boolean') item.value = { kind: 'text', text: hclString(String(value)), heredoc: false };
    else if (typeof value === 'string') item.value = { kind: 'text', text: escapedString(value, choices), heredoc: false };
  }
}

/** HCL spellings of a whole number: a string, a decimal, an exponent, a sum. */
function numberSpellings(n: number): string[] {
  const out = [hclString(String(n)), `${n}.0`, `${n}e0`, `${n * 10}e-1`, `(${n})`];
  if (n >= 1) out.push(`${n - 1} + 1`);
  return out;
}

/** A quoted string with some characters written as `\u` escapes. */
function escapedString(value: string, choices: Choices): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch !== '$' && ch !== '%' && code <= 0xffff && choices.chance(3)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += JSON.stringify(ch).slice(1, -1);
  }
  // Only unescaped characters can form `${` or `%{`: escape those as HCL does.
  return `"${out.replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{')}"`;
}

// ---- placement-time interpolations ----

/** `${NOMAD_PORT_http}`, `${attr.kernel.name}`, `${meta["x"]}`: what Nomad fills in when it places an allocation. */
const runtimeReference = /(?<!\$)\$\{((?:NOMAD_\w+)|(?:(?:attr|node|meta|env)(?:\.[\w-]+|\["[^"\\]*"\])+))\}/g;

/** Only strings that are a whole value (an attribute's, a list item's, a map entry's), not arguments of a function. */
function respellInterpolations(block: PBlock, choices: Choices, options: NomadReformatOptions): void {
  const respell = (text: string): string => {
    if (!text.startsWith('"')) return text;
    return text.replace(runtimeReference, (whole, reference: string) => {
      if (!choices.chance(2)) return whole;
      const spaced = [`\${ ${reference} }`, `\${${reference} }`, `\${ ${reference}}`, `\${\t${reference}}`, `\${${reference} /* placed */}`];
      const forms = [...(options.escapes ? [`$$\{${reference}}`] : []), ...(options.interpolationSpaces ? spaced : [])];
      return forms.length ? choices.one(forms) : whole;
    });
  };
  const visit = (items: PItem[]) => {
    for (const item of items) {
      if (item.kind === 'block') visit(item.items);
      else if (item.value.kind === 'text' && !item.value.heredoc) item.value = { ...item.value, text: respell(item.value.text) };
      else if (item.value.kind === 'tuple') item.value = { kind: 'tuple', items: item.value.items.map(respell) };
      else if (item.value.kind === 'object') visit(item.value.entries);
    }
  };
  visit(block.items);
}

// ---- order ----

function reorder(block: PBlock, choices: Choices, free: ReadonlySet<string>): void {
  for (const item of block.items) {
    if (item.kind === 'block') reorder(item, choices, free);
    else if (item.value.kind === 'object') item.value.entries = choices.shuffle(item.value.entries);
  }
  const shuffled = choices.shuffle(block.items);
  // Blocks of one type whose order means something keep it: they take the same places, in the original order.
  const types = new Set(block.items.filter((i): i is PBlock => i.kind === 'block' && !free.has(i.type)).map((b) => b.type));
  for (const type of types) {
    const original = block.items.filter((i) => i.kind === 'block' && i.type === type);
    let next = 0;
    for (let i = 0; i < shuffled.length; i++) {
      const item = shuffled[i]!;
      if (item.kind === 'block' && item.type === type) shuffled[i] = original[next++]!;
    }
  }
  block.items = shuffled;
}

// ---- printing ----

const commentWords = ['note', 'count = 99', '}', '{', 'task "ghost" {', '"quoted"', '${var.nope}', 'é ünïcödé', '', '= "x"', 'TODO: tidy', '#', '//', '/*'];

class Printer {
  private readonly indentUnit: string;

  constructor(
    private readonly ch: Choices,
    private readonly options: NomadReformatOptions,
  ) {
    this.indentUnit = options.layout ? ch.one(['  ', '    ', '\t', ' ', '   ', '  \t']) : '  ';
  }

  file(root: PBlock): string {
    let out = this.items(root.items, 0);
    if (this.options.layout && this.ch.chance(6)) out = out.replace(/\n+$/, '');
    const hasHeredoc = /<<-?[A-Za-z_]/.test(out);
    if (this.options.layout && !hasHeredoc && this.ch.chance(6)) out = out.replace(/\n/g, '\r\n');
    return out;
  }

  private items(items: PItem[], depth: number): string {
    let out = '';
    for (const item of items) {
      out += this.gap(depth);
      out += this.indent(depth) + (item.kind === 'attr' ? this.attribute(item, depth) : this.block(item, depth)) + '\n';
    }
    return out + this.gap(depth);
  }

  /** `name = value`, then a comma (object entries) and a trailing comment where one may go. */
  private attribute(item: PAttr, depth: number, separator = '=', comma = ''): string {
    const before = this.options.layout ? this.ch.one([' ', '', '  ', '\t', ' '.repeat(1 + this.ch.pick(8))]) : ' ';
    const after = this.options.layout ? this.ch.one([' ', '', '   ', '\t']) : ' ';
    const head = item.name + this.inline() + before + separator + after + this.inline();
    if (item.value.kind === 'object') return head + this.object(item.value.entries, depth) + comma + this.trailing();
    if (item.value.kind === 'tuple') return head + this.tuple(item.value.items, depth) + comma + this.trailing();
    // A heredoc ends with its marker alone on a line: nothing may follow it there.
    if (item.value.heredoc) return head + item.value.text;
    return head + item.value.text + comma + this.trailing();
  }

  /** A list on one line or several, with or without a trailing comma; newlines and comments are free inside brackets. */
  private tuple(items: string[], depth: number): string {
    if (!this.options.layout || items.length === 0 || !this.ch.chance(2)) {
      return `[${items.join(this.options.layout ? this.ch.one([', ', ',', ' , ']) : ', ')}]`;
    }
    const inner = this.indent(depth + 1);
    const lines = items.map((item, i) => {
      const comment = this.options.comments && this.ch.chance(4) ? ` /* ${this.ch.one(commentWords).replace('/*', '')} */` : '';
      const comma = i < items.length - 1 || this.ch.chance(2) ? ',' : '';
      const own = this.options.comments && this.ch.chance(5) ? `${inner}# ${this.ch.one(commentWords)}\n` : '';
      return `${own}${inner}${item}${comma}${comment}`;
    });
    return `[\n${lines.join('\n')}\n${this.indent(depth)}]`;
  }

  private object(entries: PAttr[], depth: number): string {
    if (entries.length === 0) return '{}';
    let out = '{\n';
    for (const entry of entries) {
      out += this.gap(depth + 1);
      const quoted = entry.name === 'for' || entry.name === 'if' || (this.options.layout && this.ch.chance(3));
      const separator = this.options.layout && this.ch.chance(4) ? ':' : '=';
      const comma = this.options.layout && this.ch.chance(3) ? ',' : '';
      out += this.indent(depth + 1) + this.attribute({ ...entry, name: quoted ? hclString(entry.name) : entry.name }, depth + 1, separator, comma) + '\n';
    }
    return out + this.gap(depth + 1) + this.indent(depth) + '}';
  }

  private block(block: PBlock, depth: number): string {
    let head = block.type;
    for (const label of block.labels) {
      const bare = this.options.layout && identifier.test(label) && this.ch.chance(4);
      head += this.inline() + ' ' + (bare ? label : hclString(label));
    }
    head += this.options.layout ? this.ch.one([' ', '', '  ', '\t']) : ' ';
    if (block.items.length === 0) {
      return head + (this.options.layout && this.ch.chance(3) ? `{\n${this.gap(depth + 1)}${this.indent(depth)}}` : '{}') + this.trailing();
    }
    const only = block.items[0]!;
    const oneLine = block.items.length === 1 && only.kind === 'attr' && only.value.kind === 'text' && !only.value.text.includes('\n');
    if (oneLine && this.options.layout && this.ch.chance(3)) {
      const value = (only as PAttr).value as { text: string };
      return `${head}{ ${only.name} = ${value.text} }${this.trailing()}`;
    }
    return `${head}{${this.trailing()}\n${this.items(block.items, depth + 1)}${this.indent(depth)}}${this.trailing()}`;
  }

  private indent(depth: number): string {
    const jitter = this.options.layout && this.ch.chance(6) ? ' '.repeat(1 + this.ch.pick(3)) : '';
    return this.indentUnit.repeat(depth) + jitter;
  }

  /** Blank lines and comments on lines of their own, between items. */
  private gap(depth: number): string {
    let out = '';
    if (this.options.layout && this.ch.chance(4)) out += this.ch.one(['\n', '\n\n', '   \n', '\t\n']);
    if (this.options.comments && this.ch.chance(3)) {
      const word = this.ch.one(commentWords);
      const style = this.ch.pick(4);
      const at = this.indent(depth);
      if (style === 0) out += `${at}# ${word}\n`;
      else if (style === 1) out += `${at}// ${word}\n`;
      else if (style === 2) out += `${at}/* ${word.replace('/*', '')} */\n`;
      else out += `${at}/*\n${at}  ${word.replace('/*', '')}\n${at} */\n`;
    }
    return out;
  }

  /** A comment at the end of a line. */
  private trailing(): string {
    if (!this.options.comments || !this.ch.chance(4)) return '';
    const word = this.ch.one(commentWords);
    return this.ch.one([` # ${word}`, ` // ${word}`, ` /* ${word.replace('/*', '')} */`, `\t#${word}`]);
  }

  /** A comment inside a line, where spaces may go. */
  private inline(): string {
    if (!this.options.comments || !this.ch.chance(8)) return '';
    return ` /* ${this.ch.one(commentWords).replace('/*', '')} */ `;
  }
}

