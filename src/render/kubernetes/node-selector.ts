// A pod's `nodeSelector` → Swarm constraints on the group: a plain label key becomes
// `node.labels.<key>`, the well-known os, arch and hostname labels Swarm's node
// attributes. A key Swarm cannot name (a prefixed one, `cloud.google.com/...`) changes
// nothing on one engine, as every placement, and says so in `validate --explain`.
import { formatConstraint, parseConstraint } from '../../model/index.js';
import type { Placement } from '../../model/index.js';
import { placementCarried, placementOf, placementWithoutSwarmEquivalent, swarmArchitecture } from '../placement.js';
import type { YamlPath } from '../yaml/document.js';
import type { ManifestReader } from './reader.js';

const wellKnown: Record<string, { key: string; value?: (v: string) => string | undefined }> = {
  'kubernetes.io/os': { key: 'node.platform.os' },
  'kubernetes.io/arch': { key: 'node.platform.arch', value: swarmArchitecture },
  'kubernetes.io/hostname': { key: 'node.hostname' },
};

/** The Swarm constraint a nodeSelector entry is, or why there is none. Pure. */
export function nodeSelectorConstraint(label: string, value: string): { constraint: string } | { noEquivalent: string } {
  const known = wellKnown[label];
  const key = known?.key ?? (label.includes('/') ? undefined : `node.labels.${label}`);
  if (key === undefined) return { noEquivalent: `Swarm's node labels have no prefix like "${label}"` };
  const swarmValue = known?.value ? known.value(value) : value;
  if (swarmValue === undefined) return { noEquivalent: `Swarm names no architecture "${value}"` };
  const parsed = parseConstraint(`${key}==${swarmValue}`);
  return 'problem' in parsed ? { noEquivalent: parsed.problem } : { constraint: formatConstraint(parsed) };
}

export function readNodeSelector(reader: ManifestReader, podSpec: YamlPath): { placement?: Placement } {
  const path = [...podSpec, 'nodeSelector'];
  const selector = reader.stringMap(path);
  if (!selector) return {};
  const constraints: string[] = [];
  for (const [label, value] of Object.entries(selector)) {
    const mapped = nodeSelectorConstraint(label, value);
    const at = [...path, label];
    if ('noEquivalent' in mapped) {
      reader.use(at, 'no-effect', `${placementWithoutSwarmEquivalent} (${mapped.noEquivalent})`);
      continue;
    }
    reader.use(at, 'no-effect', placementCarried);
    reader.record(`groups.0.placement.constraints.${constraints.length}`, at);
    constraints.push(mapped.constraint);
  }
  return placementOf({ constraints });
}
