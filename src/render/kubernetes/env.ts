// A container's `env` list → the task's environment. Values from Secrets and
// ConfigMaps (`valueFrom`, `envFrom`) are references here, filled in once the tree
// is rendered (attach-configs.ts).
import type { ConfigRef } from '../types.js';
import type { YamlPath } from '../yaml/document.js';
import { envVarFields } from './api-fields.js';
import { readEnvFrom, readValueFrom } from './config-refs.js';
import { expandReferences } from './expansion.js';
import type { ManifestReader } from './reader.js';

/** The environment, in order, each value expanded against the variables defined before it (as Kubernetes does). */
export function mapEnv(reader: ManifestReader, container: YamlPath, task = 0, refs: ConfigRef[] = []): Map<string, string> {
  const env = new Map<string, string>();
  refs.push(...readEnvFrom(reader, container, task));
  const path = [...container, 'env'];
  const items = reader.list(path) ?? [];
  items.forEach((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) {
      if (!reader.has(item)) reader.expected(item, 'a map with name and value');
      return;
    }
    reader.checkKeys(item, envVarFields);
    const name = reader.string([...item, 'name']);
    if (name === undefined && !reader.has([...item, 'name'])) reader.missing([...item, 'name'], 'an environment variable needs a name');
    else if (name === '') reader.expected([...item, 'name'], 'a variable name');
    if (reader.has([...item, 'valueFrom'])) {
      const ref = name ? readValueFrom(reader, item, task, name) : undefined;
      if (ref) {
        refs.push(ref);
        // Defined later by the reference: an earlier value of the same name must not stay.
        env.delete(ref.env);
      }
      return;
    }
    const value = reader.string([...item, 'value']) ?? '';
    if (name) {
      // A repeated name overwrites the earlier one: the last definition wins, as in Kubernetes.
      env.set(name, expandReferences(value, (ref) => env.get(ref)));
    }
  });
  return env;
}
