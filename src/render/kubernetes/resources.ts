// A container's `resources.limits` → the task's hard limits. Requests only steer
// the Kubernetes scheduler, which deckhand does not have: they are checked, not used.
import type { Resources } from '../../model/index.js';
import { unknownKeyHint } from '../suggest.js';
import type { YamlPath } from '../yaml/document.js';
import { resourceRequirementsFields, standardResourceNames } from './api-fields.js';
import type { Quantity } from './quantity.js';
import { parseQuantity, quantityExamples, toCores, toMebibytes } from './quantity.js';
import type { ManifestReader } from './reader.js';

export function mapResources(reader: ManifestReader, container: YamlPath, task: string): Resources {
  const path = [...container, 'resources'];
  const resources: Resources = { cpu: null, cpuLimit: null, memoryMB: null };
  if (!reader.mapping(path)) return resources;
  reader.checkKeys(path, resourceRequirementsFields);

  for (const kind of ['limits', 'requests'] as const) {
    const listPath = [...path, kind];
    const list = reader.mapping(listPath);
    if (!list) continue;
    for (const name of Object.keys(list)) {
      if (!isResourceName(name)) {
        const hint = unknownKeyHint(name, standardResourceNames);
        // The API server refuses such a name too: it is neither standard nor a domain-prefixed extended resource.
        reader.error([...listPath, name], `unknown resource ${JSON.stringify(name)}: expected cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource such as example.com/gpu`, { code: 'unknown-field', part: 'key', ...(hint ? { hint } : {}) });
      }
    }
    const cpu = quantity(reader, [...listPath, 'cpu']);
    const memory = quantity(reader, [...listPath, 'memory']);
    if (kind !== 'limits') continue;
    // A zero limit is no limit, for the kubelet as for Docker.
    if (cpu && cpu.numerator > 0n) {
      resources.cpuLimit = toCores(cpu);
      reader.record(`${task}.resources.cpuLimit`, [...listPath, 'cpu']);
    }
    if (memory && memory.numerator > 0n) {
      resources.memoryMB = toMebibytes(memory);
      reader.record(`${task}.resources.memoryMB`, [...listPath, 'memory']);
    }
  }
  return resources;
}

function quantity(reader: ManifestReader, path: YamlPath): Quantity | undefined {
  if (!reader.has(path)) return undefined;
  const parsed = parseQuantity(reader.value(path));
  if (parsed && !parsed.negative) return parsed;
  reader.expected(path, parsed ? 'a quantity of at least 0' : quantityExamples);
  return undefined;
}

/** cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource such as `example.com/gpu`. */
function isResourceName(name: string): boolean {
  return standardResourceNames.has(name) || name.startsWith('hugepages-') || name.includes('/');
}
