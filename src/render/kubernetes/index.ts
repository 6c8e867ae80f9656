// Kubernetes manifests: every apps/v1 Deployment of a (multi-document) YAML file is
// one job; each v1 Service is read here and put in front of the Deployment it selects
// once the whole tree is rendered (attach.ts), so a file holding only Services is
// read too; each v1 Secret and ConfigMap is read for the Deployments that take
// variables or files from it (attach-configs.ts). Kinds that run containers otherwise
// (StatefulSet, DaemonSet, Pod, Job, ...) are refused, naming what to write instead;
// other kinds (Ingress, ...) have nothing for deckhand to run and are skipped with a
// notice, so a manifest written for a cluster can be used as is.
// An exception here would be a deckhand bug: the tree's renderFile reports it against the file.
import type { Position } from '../../model/index.js';
import type { SettingUse } from '../explain.js';
import { closestName } from '../suggest.js';
import type { ConfigSource, FormatRenderer, FormatResult, MappedJob, ServiceDefinition, SourceFile } from '../types.js';
import { loadYaml } from '../yaml/document.js';
import { isYamlMap, yamlKey } from '../yaml/detect.js';
import { isPlainMap } from '../yaml/values.js';
import { mapDeployment } from './deployment.js';
import { ManifestReader } from './reader.js';
import { readService } from './service.js';
import { readConfigSource } from './config-source.js';

const deploymentKind = new RegExp(`${yamlKey('kind')}["']?Deployment["']?\\s*(#.*)?$`, 'm');
const appsV1 = new RegExp(`${yamlKey('apiVersion')}["']?apps/v1["']?\\s*(#.*)?$`, 'm');
const serviceKind = new RegExp(`${yamlKey('kind')}["']?Service["']?\\s*(#.*)?$`, 'm');
const coreV1 = new RegExp(`${yamlKey('apiVersion')}["']?v1["']?\\s*(#.*)?$`, 'm');

const isDeploymentDocument = (d: unknown) => isYamlMap(d) && d.kind === 'Deployment' && d.apiVersion === 'apps/v1';
const isServiceDocument = (d: unknown) => isYamlMap(d) && d.kind === 'Service' && d.apiVersion === 'v1';
const configKind = new RegExp(`${yamlKey('kind')}["']?(Secret|ConfigMap)["']?\\s*(#.*)?$`, 'm');
const isConfigDocument = (d: unknown) => isYamlMap(d) && (d.kind === 'Secret' || d.kind === 'ConfigMap') && d.apiVersion === 'v1';

/**
 * Kinds that run containers but are not Deployments: skipped, their containers would
 * silently not run, and read as a Deployment they would be misread. Refused, naming
 * what to write instead; a file holding one is a job file, so it is never passed over.
 */
const workloadKinds: Readonly<Record<string, { apiVersion: string; why: string; hint: string }>> = {
  StatefulSet: {
    apiVersion: 'apps/v1',
    why: 'a StatefulSet\'s pods have stable names, start one by one and get a volume each (volumeClaimTemplates), which deckhand\'s allocations do not',
    hint: 'for one replica, write it as a Deployment (strategy Recreate) mounting a persistentVolumeClaim volume, which deckhand makes a named Docker volume; or keep the file out of the job folder',
  },
  DaemonSet: {
    apiVersion: 'apps/v1',
    why: 'a DaemonSet runs a pod on each node of a cluster; deckhand has one Docker engine',
    hint: 'write it as a Deployment with replicas: 1; or keep the file out of the job folder',
  },
  ReplicaSet: { apiVersion: 'apps/v1', why: 'deckhand runs Deployments, which roll out their pods; a ReplicaSet alone does not', hint: 'write it as a Deployment with the same pod template' },
  ReplicationController: { apiVersion: 'v1', why: 'deckhand runs Deployments, which roll out their pods; a ReplicationController does not', hint: 'write it as a Deployment with the same pod template' },
  Pod: { apiVersion: 'v1', why: 'deckhand runs Deployments; a bare Pod is not restarted elsewhere nor rolled out', hint: 'write it as a Deployment with replicas: 1 and this pod as its template' },
  Job: { apiVersion: 'batch/v1', why: 'deckhand runs services; a Job runs to completion', hint: 'run it from CI, or as an init container of the Deployment that needs it' },
  CronJob: { apiVersion: 'batch/v1', why: 'deckhand runs services; a CronJob runs on a schedule', hint: 'run it from a scheduler outside deckhand' },
};
const workloadKind = new RegExp(`${yamlKey('kind')}["']?(${Object.keys(workloadKinds).join('|')})["']?\\s*(#.*)?$`, 'm');
const workloadApi = new RegExp(`${yamlKey('apiVersion')}["']?(apps/v1|batch/v1|v1)["']?\\s*(#.*)?$`, 'm');
const isWorkloadDocument = (d: unknown) => isYamlMap(d) && typeof d.kind === 'string' && Object.hasOwn(workloadKinds, d.kind) && d.apiVersion === workloadKinds[d.kind]!.apiVersion;

export const kubernetesRenderer: FormatRenderer = {
  format: 'kubernetes',
  describe: 'a YAML with an apps/v1 Deployment (or a v1 Service)',
  // Manifests have no name of their own: their content says what they are.
  claimsName: () => false,
  claimsText: (text) => {
    if ((deploymentKind.test(text) && appsV1.test(text)) || ((serviceKind.test(text) || configKind.test(text)) && coreV1.test(text))) return true;
    if (workloadKind.test(text) && workloadApi.test(text)) return 'maybe';
    return (/\bDeployment\b/.test(text) && /apps\/v1/.test(text)) || (/\b(Service|Secret|ConfigMap)\b/.test(text) && /\bv1\b/.test(text)) ? 'maybe' : false;
  },
  claimsDocuments: (documents) => documents.some((d) => isDeploymentDocument(d) || isServiceDocument(d) || isConfigDocument(d) || isWorkloadDocument(d)),
  render: renderManifest,
};

function renderManifest(file: SourceFile): FormatResult {
  const { documents, diagnostics } = loadYaml(file);
  const jobs: MappedJob[] = [];
  const services: ServiceDefinition[] = [];
  const configSources: ConfigSource[] = [];
  const settings: SettingUse[] = [];
  const seen = new Map<string, Position>();
  for (const document of documents) {
    if (document.value === null || document.value === undefined) continue;
    const reader = new ManifestReader(file.path, document);
    if (isYamlMap(document.value) && isServiceDocument(document.value)) {
      const service = readService(reader, file.path);
      if (service) services.push(service);
      diagnostics.push(...reader.diagnostics);
      settings.push(...reader.settings);
      continue;
    }
    if (isYamlMap(document.value) && isConfigDocument(document.value)) {
      const source = readConfigSource(reader, file.path, document.value.kind as ConfigSource['kind']);
      if (source) configSources.push(source);
      diagnostics.push(...reader.diagnostics);
      settings.push(...reader.settings);
      continue;
    }
    const mapped = isDeployment(reader) ? mapDeployment(reader, file.path) : undefined;
    if (mapped) {
      const first = seen.get(mapped.job.id);
      if (first) {
        reader.error(['metadata', 'name'], `Deployment "${mapped.job.id}" is defined more than once in this file`, {
          hint: `first at line ${first.line}`,
        });
      } else {
        seen.set(mapped.job.id, mapped.fields.get('id')?.pos ?? { line: 1, col: 1 });
        jobs.push(mapped);
      }
    }
    diagnostics.push(...reader.diagnostics);
    settings.push(...reader.settings);
  }
  return { jobs, diagnostics, services, configSources, settings };
}

/** Whether the document is a Deployment deckhand maps; anything else is reported and skipped. */
function isDeployment(reader: ManifestReader): boolean {
  if (!isPlainMap(reader.value([]))) {
    reader.expected([], 'a Kubernetes object (a map with apiVersion and kind)');
    return false;
  }
  if (!reader.has(['kind'])) {
    reader.error(['kind'], 'expected a kind such as "Deployment", got nothing', { code: 'missing-field' });
    return false;
  }
  const kind = reader.string(['kind']);
  if (kind === undefined) return false;
  const workload = Object.hasOwn(workloadKinds, kind) ? workloadKinds[kind] : undefined;
  if (workload && reader.value(['apiVersion']) === workload.apiVersion) {
    reader.error(['kind'], `${kind} is not supported: ${workload.why}`, { code: 'unsupported', hint: workload.hint });
    return false;
  }
  if (kind !== 'Deployment') {
    // A near miss (`Deploymnet`) is a typo, not a kind to skip: skipped, it would stop the Deployment it was.
    const typo = closestName(kind, ['Deployment']);
    reader.report(typo ? 'error' : 'notice', ['kind'], typo ? `kind ${kind} is not a kind deckhand knows` : `kind ${kind} is not deployed by deckhand; skipped`, {
      code: 'skipped-kind',
      part: 'key',
      // The message names the kind already; `kind: kind Service ...` would read twice.
      field: '',
      ...(typo ? { hint: `did you mean "${typo}"?` } : {}),
    });
    return false;
  }
  const apiVersion = reader.value(['apiVersion']);
  if (apiVersion !== 'apps/v1') {
    reader.expected(['apiVersion'], '"apps/v1" for a Deployment');
    return false;
  }
  return true;
}
