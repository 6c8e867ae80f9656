// One container of the pod template → one task of the group.
import type { Check, Task } from '../../model/index.js';
import type { ConfigRef } from '../types.js';
import type { YamlPath } from '../yaml/document.js';
import { containerFields } from './api-fields.js';
import { mapContainerSettings } from './container-settings.js';
import type { PodContainerSettings } from './container-settings.js';
import { mapEnv } from './env.js';
import { readConfigMounts } from './config-refs.js';
import type { ConfigVolume } from './config-refs.js';
import { expandReferences } from './expansion.js';
import { checkDecisions, containerDecisions, initContainerDecisions, securityContextDecisions } from './field-decisions.js';
import { readPreStop } from './lifecycle.js';
import { mapPorts } from './ports.js';
import type { ProbeKey } from './probes.js';
import { mapProbe } from './probes.js';
import { mapPullPolicy } from './pull-policy.js';
import type { ManifestReader } from './reader.js';
import { mapResources } from './resources.js';
import { mapVolumeMounts } from './volumes.js';
import type { PodVolumes } from './volumes.js';

/** Kubernetes' DNS_LABEL, required of container names. */
const dnsLabel = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabelRule = 'a name of at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit';

interface MappedContainer {
  task: Task;
  hasReadinessProbe: boolean;
  /** What it takes from Secrets and ConfigMaps, filled in once the tree is rendered. */
  configRefs: ConfigRef[];
}

/** What the pod decides for each of its containers. */
export interface PodSettings {
  hostNetwork: boolean;
  /** terminationGracePeriodSeconds in ms; null: the agent's default. */
  killTimeoutMs: number | null;
  /** Where it came from, for the task's `killTimeoutMs`. */
  killTimeoutPath: YamlPath | null;
  /** The pod's volumes, which volumeMounts name. */
  volumes: PodVolumes;
  /** User, sysctls, host aliases, DNS and hostname the pod gives each container. */
  containerSettings: PodContainerSettings;
  /** The pod's secret and configMap volumes, by name. */
  configVolumes?: Map<string, ConfigVolume>;
}

/** `task` is the task's model path (`groups.0.tasks.1`). */
export function mapContainer(reader: ManifestReader, container: YamlPath, task: string, pod: PodSettings): MappedContainer | undefined {
  if (!reader.mapping(container)) {
    if (!reader.has(container)) reader.expected(container, 'a container (a map with name and image)');
    return undefined;
  }
  reader.checkKeys(container, containerFields);
  checkDecisions(reader, container, container.at(-2) === 'initContainers' ? initContainerDecisions : containerDecisions);
  checkDecisions(reader, [...container, 'securityContext'], securityContextDecisions);
  reader.record(task, container);
  const taskIndex = Number(task.slice(task.lastIndexOf('.') + 1));
  const configRefs: ConfigRef[] = [];
  configRefs.push(...readConfigMounts(reader, container, taskIndex, pod.configVolumes ?? new Map()).refs);

  const name = reader.string([...container, 'name']);
  if (!reader.has([...container, 'name'])) reader.missing([...container, 'name'], 'a container needs a name');
  else if (name !== undefined && !dnsLabel.test(name)) reader.expected([...container, 'name'], dnsLabelRule);
  reader.record(`${task}.name`, [...container, 'name']);
  // A missing image is left empty for the shared validation, which reports it for every format alike.
  const image = reader.string([...container, 'image']) ?? '';
  reader.record(`${task}.image`, [...container, 'image']);

  const env = mapEnv(reader, container, taskIndex, configRefs);
  if (reader.has([...container, 'env'])) reader.record(`${task}.env`, [...container, 'env']);
  // Kubernetes expands `$(VAR)` in command and args against the container's whole environment.
  const fromConfigs = new Set(configRefs.flatMap((ref) => (ref.use === 'env' ? [ref.env] : [])));
  const expand = (field: 'command' | 'args') => {
    const words = nonEmpty(reader.stringList([...container, field]));
    return words?.map((w, i) => expandReferences(w, (ref) => {
      // Filled in once the tree is rendered: the reference would stay as written, which Kubernetes never leaves.
      if (fromConfigs.has(ref)) reader.error([...container, field, i], `$(${ref}) takes its value from a Secret or ConfigMap, which deckhand does not expand in ${field}`, { code: 'unsupported', hint: `read $${ref} in the program, or through a shell: ["sh", "-c", "exec app \\"$${ref}\\""]` });
      return env.get(ref);
    })) ?? null;
  };
  const entrypoint = expand('command');
  const args = expand('args');
  if (entrypoint) reader.record(`${task}.entrypoint`, [...container, 'command']);
  if (args) reader.record(`${task}.args`, [...container, 'args']);

  const ports = mapPorts(reader, container, task, pod.hostNetwork);
  const shutdownDelayMs = readPreStop(reader, container);
  if (shutdownDelayMs > 0) reader.record(`${task}.shutdownDelayMs`, [...container, 'lifecycle', 'preStop']);
  if (pod.killTimeoutPath) reader.record(`${task}.killTimeoutMs`, pod.killTimeoutPath);
  const resources = mapResources(reader, container, task);
  const pull = mapPullPolicy(reader, container, task, image);
  const checks: Check[] = [];
  for (const key of ['readinessProbe', 'livenessProbe'] satisfies ProbeKey[]) {
    const check = mapProbe(reader, container, key, ports, `${task}.checks.${checks.length}`);
    if (check) checks.push(check);
  }
  const volumeMounts = mapVolumeMounts(reader, container, name, task, pod.volumes, new Set((pod.configVolumes ?? new Map()).keys()));
  const settings = mapContainerSettings(reader, container, task, pod.containerSettings);
  if (name === undefined) return undefined;
  return {
    task: {
      name,
      driver: 'docker',
      image,
      command: null,
      args,
      entrypoint,
      env: Object.fromEntries(env),
      ports,
      resources,
      checks,
      imageHealthcheck: 'use',
      shutdownDelayMs,
      killTimeoutMs: pod.killTimeoutMs,
      // Only when there are some: a container without mounts keeps its spec hash.
      ...(volumeMounts.length ? { mounts: volumeMounts } : {}),
      ...(settings ? { container: settings } : {}),
      ...pull,
      meta: {},
    },
    hasReadinessProbe: reader.has([...container, 'readinessProbe']),
    configRefs,
  };
}

/** Kubernetes reads an empty `command: []` as "not set": the image's own applies. */
function nonEmpty(words: string[] | undefined): string[] | null {
  return words && words.length > 0 ? words : null;
}
