// Nomad's `constraint` and `spread` blocks (job, group and task level, all about the
// group: a group's tasks share a node) → the group's placement in Swarm's terms,
// where Swarm has an equivalent. The others change nothing on one engine, as every
// placement, and say so in `validate --explain`: --runtime swarm will refuse them.
import { formatConstraint, parseConstraint } from '../../model/index.js';
import type { Placement } from '../../model/index.js';
import type { Block, Span } from '../../hcl/index.js';
import { placementCarried, placementOf, placementWithoutSwarmEquivalent, swarmArchitecture } from '../placement.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

/** What one constraint or spread block comes to. */
export type SwarmPlacement =
  | { constraint: string }
  | { spread: string }
  | { maxReplicasPerNode: 1 }
  /** `distinct_hosts = false`: it asks for nothing. */
  | { nothing: true }
  | { noEquivalent: string };

/** Nomad's node attributes with a Swarm counterpart, and how their values read there. */
const attributes: Record<string, { key: string; value?: (nomad: string) => string | undefined }> = {
  '${attr.kernel.name}': { key: 'node.platform.os' },
  '${attr.cpu.arch}': { key: 'node.platform.arch', value: swarmArchitecture },
  '${node.unique.name}': { key: 'node.hostname' },
  '${attr.unique.hostname}': { key: 'node.hostname' },
};

const metaAttribute = /^\$\{meta\.([A-Za-z0-9_][A-Za-z0-9_.-]*)\}$/;
const operators: Record<string, '==' | '!='> = { '=': '==', '==': '==', is: '==', '!=': '!=', not: '!=' };

/** Shorthand attributes Nomad reads as an operator with its value (`distinct_hosts = true`, `regexp = "..."`). */
const shorthands = ['distinct_hosts', 'distinct_property', 'regexp', 'set_contains', 'version', 'semver'] as const;

/** Go's strconv.ParseBool, which Nomad reads distinct_hosts' value with. */
function goBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** `${ attr.kernel.name }` is `${attr.kernel.name}` to Nomad: a reference comes back as written (src/hcl/eval.ts). */
const reference = (written: string): string => written.trim().replace(/^\$\{\s*(.*?)\s*\}$/, '${$1}');

/** A constraint as Swarm would say it, or why it cannot. Pure: the mapping's decision, tested on its own. */
export function swarmConstraint(written: string, operator: string, value: string): SwarmPlacement {
  const attribute = reference(written);
  if (operator === 'distinct_hosts') {
    const distinct = value === '' ? true : goBool(value);
    if (distinct === undefined) return { noEquivalent: `distinct_hosts takes "true" or "false", got "${value}"` };
    return distinct ? { maxReplicasPerNode: 1 } : { nothing: true };
  }
  const op = operators[operator];
  if (!op) return { noEquivalent: `Swarm compares with == and != only, not "${operator}"` };
  const meta = metaAttribute.exec(attribute);
  const known = meta ? { key: `node.labels.${meta[1]}` } : attributes[attribute];
  if (!known) return { noEquivalent: `Swarm knows no node attribute like "${attribute}"` };
  const swarmValue = known.value ? known.value(value) : value;
  if (swarmValue === undefined) return { noEquivalent: `Swarm names no architecture "${value}"` };
  const parsed = parseConstraint(`${known.key}${op}${swarmValue}`);
  if ('problem' in parsed) return { noEquivalent: parsed.problem };
  return { constraint: formatConstraint(parsed) };
}

/** A spread as Swarm would say it: even over a node label, without Nomad's target percentages. */
export function swarmSpread(written: string, hasTargets: boolean): SwarmPlacement {
  const attribute = reference(written);
  if (hasTargets) return { noEquivalent: 'Swarm spreads evenly: it has no target percentages' };
  const meta = metaAttribute.exec(attribute);
  if (!meta) return { noEquivalent: `Swarm spreads over node labels only (\${meta.<name>}), not "${attribute}"` };
  return { spread: `node.labels.${meta[1]}` };
}

/** The placement blocks found at one level (job, group, task), mapped in file order. */
export interface PlacementBlocks {
  constraints: string[];
  spread: Array<{ descriptor: string; weight: number }>;
  maxReplicasPerNode: number | null;
}

export const noPlacement = (): PlacementBlocks => ({ constraints: [], spread: [], maxReplicasPerNode: null });

/** Reads the `constraint` and `spread` blocks of one block (its reader checked nothing of them: schema.ts). */
export function readPlacementBlocks(ctx: NomadContext, reader: BlockReader, into: PlacementBlocks): void {
  for (const block of reader.blocks('constraint')) explain(ctx, block, addTo(into, readConstraint(ctx, block)), 'constraint');
  for (const block of reader.blocks('spread')) {
    const spread = BlockReader.ofBlock(ctx, block, 'spread', 'spread');
    const attribute = spread.string('attribute');
    if (!attribute) spread.missing('attribute', 'spread over a node label: attribute = "${meta.zone}"');
    const weight = spread.number('weight', { min: 0 })?.value ?? 50;
    const mapped = swarmSpread(attribute?.value ?? '', spread.blocks('target').length > 0);
    if ('spread' in mapped) into.spread.push({ descriptor: mapped.spread, weight });
    explain(ctx, block, mapped, 'spread');
  }
}

function readConstraint(ctx: NomadContext, block: Block): SwarmPlacement {
  const reader = BlockReader.ofBlock(ctx, block, 'constraint', 'constraint');
  const shorthand = shorthands.find((name) => reader.has(name));
  if (shorthand) {
    // `distinct_hosts = true` is a bool; the others name a value.
    const read = shorthand === 'distinct_hosts' ? reader.bool(shorthand) : reader.string(shorthand);
    return swarmConstraint(reader.string('attribute')?.value ?? '', shorthand, read === undefined ? '' : String(read.value));
  }
  const operator = reader.string('operator')?.value ?? '=';
  const attribute = reader.string('attribute');
  const value = reader.string('value');
  // As Nomad's own validation: only these operators go without an attribute or a value.
  if (!attribute && operator !== 'distinct_hosts') reader.missing('attribute', 'name the node attribute: attribute = "${attr.kernel.name}"');
  if (!value && !['distinct_hosts', 'distinct_property', 'is_set', 'is_not_set'].includes(operator)) reader.missing('value');
  const mapped = swarmConstraint(attribute?.value ?? '', operator, value?.value ?? '');
  // Nomad refuses such a job too.
  if (value && operator === 'distinct_hosts' && 'noEquivalent' in mapped) ctx.error(value.span, value.field, mapped.noEquivalent);
  return mapped;
}

function addTo(into: PlacementBlocks, mapped: SwarmPlacement): SwarmPlacement {
  if ('constraint' in mapped && !into.constraints.includes(mapped.constraint)) into.constraints.push(mapped.constraint);
  if ('maxReplicasPerNode' in mapped) into.maxReplicasPerNode = 1;
  return mapped;
}

function explain(ctx: NomadContext, block: Block, mapped: SwarmPlacement, field: string): void {
  const span: Span = block.typeSpan;
  if ('noEquivalent' in mapped) ctx.use(span, field, 'no-effect', `${placementWithoutSwarmEquivalent} (${mapped.noEquivalent})`);
  // distinct_hosts = false asks for what happens anyway.
  else if ('nothing' in mapped) ctx.use(span, field, 'carried-out');
  else ctx.use(span, field, 'no-effect', placementCarried);
}

/**
 * A group's placement from the blocks of its job, itself and its tasks. Nomad weighs
 * several spreads; Swarm spreads over the first, then within each value over the next:
 * the heaviest goes first.
 */
export function groupPlacement(levels: PlacementBlocks[]): { placement?: Placement } {
  const constraints = [...new Set(levels.flatMap((l) => l.constraints))];
  const spread = [...new Set(levels.flatMap((l) => l.spread).sort((a, b) => b.weight - a.weight).map((s) => s.descriptor))];
  const max = levels.some((l) => l.maxReplicasPerNode !== null) ? { maxReplicasPerNode: 1 } : {};
  return placementOf({ constraints, spread, ...max });
}
