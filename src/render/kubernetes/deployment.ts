// An apps/v1 Deployment → one job of one group, whose tasks are the pod's containers.
import { defaultGroupNetwork, defaultNetworkName } from '../../model/index.js';
import type { GroupNetwork, JobNetwork, RestartPolicy, Task } from '../../model/index.js';
import { kubernetesDefaults, kubernetesRestartDefaults } from '../defaults.js';
import type { ConfigRef, MappedJob } from '../types.js';
import type { YamlPath } from '../yaml/document.js';
import { deploymentFields, deploymentSpecFields, objectMetaFields, podSpecFields, podTemplateFields } from './api-fields.js';
import { readPodContainerSettings } from './container-settings.js';
import { mapContainer } from './containers.js';
import { readNodeSelector } from './node-selector.js';
import { checkDecisions, deploymentSpecDecisions, podSpecDecisions, securityContextDecisions } from './field-decisions.js';
import { readConfigVolumes } from './config-refs.js';
import type { PodSettings } from './containers.js';
import { gracePeriodPath, readGracePeriod } from './lifecycle.js';
import type { ManifestReader } from './reader.js';
import { mapUpdate } from './strategy.js';
import { readPodVolumes } from './volumes.js';

/** Kubernetes' DNS-1123 subdomain, required of a Deployment's name. */
const dnsSubdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const spec = ['spec'];
const template = ['spec', 'template'];
const podSpec = ['spec', 'template', 'spec'];
const containersPath = [...podSpec, 'containers'];

/** The job, or undefined when the document has errors (they are in the reader's diagnostics). */
export function mapDeployment(reader: ManifestReader, file: string): MappedJob | undefined {
  reader.checkKeys([], deploymentFields);
  for (const path of [['metadata'], spec, template, [...template, 'metadata'], podSpec]) reader.mapping(path);
  reader.checkKeys(['metadata'], objectMetaFields);
  reader.checkKeys(spec, deploymentSpecFields);
  reader.checkKeys(template, podTemplateFields);
  reader.checkKeys([...template, 'metadata'], objectMetaFields);
  reader.checkKeys(podSpec, podSpecFields);
  checkDecisions(reader, spec, deploymentSpecDecisions);
  checkDecisions(reader, podSpec, podSpecDecisions);
  checkDecisions(reader, [...podSpec, 'securityContext'], securityContextDecisions);

  const id = readName(reader);
  const meta = reader.stringMap(['metadata', 'labels']) ?? {};
  const replicas = reader.wholeNumber([...spec, 'replicas'], { min: 0 }) ?? kubernetesDefaults.replicas;
  const historyLimit = reader.wholeNumber([...spec, 'revisionHistoryLimit'], { min: 0 }) ?? kubernetesDefaults.revisionHistoryLimit;
  reader.boolean([...spec, 'paused']);
  const restart = readRestartPolicy(reader);
  const namespace = readNamespace(reader);
  const podLabels = reader.stringMap([...template, 'metadata', 'labels']) ?? {};
  const hostNetwork = reader.boolean([...podSpec, 'hostNetwork']) ?? false;
  const killTimeoutMs = readGracePeriod(reader);
  const volumes = readPodVolumes(reader, podSpec, namespace);
  const containerSettings = readPodContainerSettings(reader);
  const configVolumes = readConfigVolumes(reader, podSpec);
  const containers = readContainers(reader, { hostNetwork, killTimeoutMs, killTimeoutPath: gracePeriodPath(reader), containerSettings, volumes, configVolumes });
  const update = mapUpdate(reader, replicas, containers.some((c) => c.hasReadinessProbe));
  const placement = readNodeSelector(reader, podSpec);
  if (id === undefined || reader.hasErrors) return undefined;

  reader.record('id', ['metadata', 'name']);
  reader.record('groups.0', spec);
  reader.record('groups.0.name', ['metadata', 'name']);
  reader.recordFirstPresent('groups.0.count', [[...spec, 'replicas'], spec]);
  reader.recordFirstPresent('groups.0.restart', [[...podSpec, 'restartPolicy'], podSpec]);
  reader.record('groups.0.tasks', containersPath);
  if (reader.has([...spec, 'revisionHistoryLimit'])) reader.record('historyLimit', [...spec, 'revisionHistoryLimit']);
  if (reader.has(['metadata', 'labels'])) reader.record('meta', ['metadata', 'labels']);
  if (hostNetwork) {
    reader.record('groups.0.network', [...podSpec, 'hostNetwork']);
    reader.record('groups.0.network.mode', [...podSpec, 'hostNetwork']);
  }
  const network: GroupNetwork = hostNetwork ? { mode: 'host', attachments: [] } : defaultGroupNetwork();

  return {
    job: {
      id,
      type: 'service',
      source: { format: 'kubernetes', file },
      meta,
      historyLimit,
      networks: hostNetwork ? [] : [namespaceNetwork(namespace)],
      // A Service selecting the Deployment, in this file or another, adds its endpoints once the tree is rendered (services.ts).
      endpoints: [],
      ...(volumes.jobVolumes.length ? { volumes: volumes.jobVolumes } : {}),
      groups: [{ name: id, count: replicas, update, rollback: null, restart, network, ...placement, meta: {}, tasks: containers.map((c) => c.task) }],
    },
    fields: reader.fields,
    selectable: { namespace, labels: podLabels },
    ...configRefsOf(containers, readPullSecrets(reader, containers.length)),
  };
}

/**
 * The pod's `imagePullSecrets`, for each of its containers: resolved once the tree is
 * rendered (attach-configs.ts), each Secret's credentials for the image's registry.
 */
function readPullSecrets(reader: ManifestReader, tasks: number): ConfigRef[] {
  const path = [...podSpec, 'imagePullSecrets'];
  return (reader.list(path) ?? []).flatMap((_, i) => {
    const item = [...path, i];
    if (!reader.mapping(item)) return [];
    reader.checkKeys(item, new Set(['name']));
    const name = reader.string([...item, 'name']);
    if (name === undefined) {
      if (!reader.has([...item, 'name'])) reader.missing([...item, 'name'], 'an image pull secret names a Secret');
      return [];
    }
    const origin = reader.origin([...item, 'name']);
    return Array.from({ length: tasks }, (_, task): ConfigRef => ({ use: 'pull', kind: 'Secret', name, task, optional: false, origin }));
  });
}

/**
 * The Deployments of one namespace share a network, as pods of a namespace reach
 * each other's Services by name; deckhand makes it with the first and removes it with the last.
 */
export function namespaceNetwork(namespace: string): JobNetwork {
  return { name: defaultNetworkName, dockerName: `deckhand-k8s-${namespace}`, external: false };
}

/** Kubernetes' DNS-1123 label, required of namespaces. */
const dnsLabel = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function readNamespace(reader: ManifestReader): string {
  const path = ['metadata', 'namespace'];
  const namespace = reader.string(path);
  if (namespace === undefined) return 'default';
  if (!dnsLabel.test(namespace)) {
    reader.expected(path, 'a namespace of at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit');
    return 'default';
  }
  return namespace;
}

function readName(reader: ManifestReader): string | undefined {
  const path = ['metadata', 'name'];
  const name = reader.string(path);
  if (!reader.has(path)) {
    const generated = reader.has(['metadata', 'generateName']);
    reader.error(path, 'a Deployment needs a name: it is the job\'s id', {
      code: 'missing-field',
      ...(generated ? { hint: 'generateName is not supported: a job needs the same name on every sync' } : {}),
    });
  } else if (name !== undefined && !dnsSubdomain.test(name)) {
    reader.expected(path, 'a name of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit');
    return undefined;
  }
  return name;
}

/** A Deployment's pods always restart; Kubernetes refuses any other policy for them. */
function readRestartPolicy(reader: ManifestReader): RestartPolicy {
  const path = [...podSpec, 'restartPolicy'];
  const policy = reader.string(path);
  if (policy !== undefined && policy !== 'Always') {
    reader.expected(path, '"Always", the only restartPolicy a Deployment allows');
  }
  return { ...kubernetesRestartDefaults };
}

/** References only when some container has them: jobs without keep their shape. */
function configRefsOf(containers: { configRefs: ConfigRef[] }[], pull: ConfigRef[]): { configRefs?: ConfigRef[] } {
  const refs = [...containers.flatMap((c) => c.configRefs), ...pull];
  return refs.length ? { configRefs: refs } : {};
}

/**
 * The pod's containers, then its init containers as prestart tasks (placed after
 * them in the group, so a container's task index is its index in `containers`):
 * each runs to its end before the next starts, unless it is a sidecar
 * (`restartPolicy: Always`), which is started and keeps running.
 */
function readContainers(reader: ManifestReader, pod: PodSettings): { task: Task; hasReadinessProbe: boolean; configRefs: ConfigRef[] }[] {
  const items = reader.list(containersPath);
  if (!reader.has(containersPath)) reader.missing(containersPath, 'a Deployment needs at least one container');
  else if (items?.length === 0) reader.error(containersPath, 'expected at least one container, got none');
  const containers = (items ?? []).flatMap((_, i) => {
    const container: YamlPath = [...containersPath, i];
    return mapContainer(reader, container, `groups.0.tasks.${i}`, pod) ?? [];
  });
  const initPath = [...podSpec, 'initContainers'];
  const inits = (reader.list(initPath) ?? []).flatMap((_, i) => {
    const container: YamlPath = [...initPath, i];
    const task = `groups.0.tasks.${containers.length + i}`;
    const mapped = mapContainer(reader, container, task, pod);
    if (!mapped) return [];
    const policy = reader.string([...container, 'restartPolicy']);
    if (policy !== undefined && policy !== 'Always') reader.expected([...container, 'restartPolicy'], '"Always" (a sidecar), or no restartPolicy');
    reader.record(`${task}.lifecycle`, container);
    return [{ ...mapped, task: { ...mapped.task, lifecycle: { hook: 'prestart' as const, sidecar: policy === 'Always' } } }];
  });
  return [...containers, ...inits];
}
