// A container's `env` list → the task's environment.
import type { YamlPath } from '../yaml/document.js';
import { envVarFields } from './api-fields.js';
import { expandReferences } from './expansion.js';
import type { ManifestReader } from './reader.js';

/** The environment, in order, each value expanded against the variables defined before it (as Kubernetes does). */
export function mapEnv(reader: ManifestReader, container: YamlPath): Map<string, string> {
  const env = new Map<string, string>();
  if (reader.has([...container, 'envFrom'])) {
    // Without the ConfigMap or Secret the variables would silently be missing.
    reader.error([...container, 'envFrom'], 'envFrom is not supported: deckhand has no ConfigMaps or Secrets', {
      code: 'unsupported',
      part: 'key',
      hint: 'list the variables under env with name and value',
    });
  }
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
      reader.error([...item, 'valueFrom'], 'valueFrom is not supported: deckhand has no ConfigMaps, Secrets or downward API', {
        code: 'unsupported',
        part: 'key',
        hint: 'give the value itself with value',
      });
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
