// One compose service → one group holding one task, both named after the service.
import type { ContainerSettings, Group, GroupNetwork, Mount, Task } from '../../model/index.js';
import type { PlainMap } from '../yaml/values.js';
import { mapCommand, mapEntrypoint } from './command.js';
import { mapContainerSettings } from './container.js';
import { mapDependsOn } from './depends-on.js';
import { mapEnvironment, mapLabels } from './environment.js';
import { deployFields, checkDecisions, serviceFields } from './field-decisions.js';
import { mapHealthcheck } from './healthcheck.js';
import { deployKeys, serviceKeys } from './keys.js';
import { mapServiceNetwork } from './networks.js';
import { mapPlacement } from './placement.js';
import { mapPorts } from './ports.js';
import { mapPullPolicy } from './pull-policy.js';
import { mapResources } from './resources.js';
import { mapRestart } from './restart.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { mapUpdateConfig } from './update-config.js';
import { mapMounts } from './volumes.js';
import type { RepositoryFile } from './volumes.js';
import { mapServiceFiles } from './secrets.js';
import { readDuration, readEnum, readMap, readString, readWholeNumber, refuseUnknownKeys } from './values.js';

export function mapService(scope: ServiceScope, value: unknown): Group {
  const { r, path } = scope;
  const service = readMap(r, path, value) ?? {};
  refuseUnknownKeys(r, path, service, serviceKeys);
  checkDecisions(r, path, service, serviceFields);
  const deployPath = [...path, 'deploy'];
  const deploy = readMap(r, deployPath, service.deploy);
  if (deploy) {
    refuseUnknownKeys(r, deployPath, deploy, deployKeys);
    checkDecisions(r, deployPath, deploy, deployFields);
  }

  record(scope, scope.group, path, 'key');
  record(scope, `${scope.group}.name`, path, 'key');
  const network = mapServiceNetwork(scope, service, scope.networks);
  return {
    name: scope.name,
    count: mapCount(scope, service, deploy),
    update: mapUpdateConfig(scope, [...deployPath, 'update_config'], deploy?.update_config, 'update'),
    // Without rollback_config Swarm rolls back with its own defaults, not with update_config's values.
    rollback: mapUpdateConfig(scope, [...deployPath, 'rollback_config'], deploy?.rollback_config, 'rollback'),
    restart: mapRestart(scope, service, deploy),
    network,
    ...mapDependsOn(scope, service, scope.serviceNames),
    ...mapPlacement(scope, deploy?.placement),
    // Swarm's service labels (`deploy.labels`) are deckhand's own metadata; `labels` go on the container.
    meta: deploy?.labels === undefined ? {} : mapLabels(scope, [...deployPath, 'labels'], deploy.labels, `${scope.group}.meta`),
    tasks: [mapTask(scope, service, deploy, network)],
  };
}

function mapTask(scope: ServiceScope, service: PlainMap, deploy: PlainMap | undefined, network: GroupNetwork): Task {
  const task = taskPath(scope);
  record(scope, task, scope.path, 'key');
  record(scope, `${task}.name`, scope.path, 'key');
  const imagePath = [...scope.path, 'image'];
  // A `build:`-only service is said here, at build; no image at all is left to shared validation.
  if (service.image === undefined && service.build !== undefined) {
    scope.r.error([...scope.path, 'build'], `service "${scope.name}" has only build: deckhand runs images and never builds them`, {
      hint: 'build the image in CI, push it to a registry, and set image: to its tag (build: may stay beside it)',
      code: 'unsupported',
      part: 'key',
    });
  }
  const image = readString(scope.r, imagePath, service.image) ?? '';
  if (service.image !== undefined) record(scope, `${task}.image`, imagePath);
  const health = mapHealthcheck(scope, service.healthcheck);
  return {
    name: scope.name,
    driver: 'docker',
    image,
    ...mapCommand(scope, service.command),
    entrypoint: mapEntrypoint(scope, service.entrypoint),
    env: mapEnvironment(scope, service.env_file, service.environment),
    ports: mapPorts(scope, service.ports, network, scope.endpoints),
    resources: mapResources(scope, service, deploy),
    checks: health.checks,
    imageHealthcheck: health.imageHealthcheck,
    ...mountsAndFilesOf(scope, service),
    ...containerOf(scope, service),
    shutdownDelayMs: 0,
    killTimeoutMs: mapStopGracePeriod(scope, service),
    ...mapPullPolicy(scope, service),
    meta: {},
  };
}

/** `stop_grace_period`: how long the task has after its stop signal before it is killed. */
function mapStopGracePeriod(scope: ServiceScope, service: PlainMap): number | null {
  const path = [...scope.path, 'stop_grace_period'];
  const ms = readDuration(scope.r, path, service.stop_grace_period);
  if (ms === undefined) return null;
  record(scope, `${taskPath(scope)}.killTimeoutMs`, path);
  return ms;
}

/** `deploy.replicas` (or the older `scale`), 1 when absent; `mode: global` is one task on deckhand's one node. */
function mapCount(scope: ServiceScope, service: PlainMap, deploy: PlainMap | undefined): number {
  const { r } = scope;
  const model = `${scope.group}.count`;
  const modePath = [...scope.path, 'deploy', 'mode'];
  const replicasPath = [...scope.path, 'deploy', 'replicas'];
  const scalePath = [...scope.path, 'scale'];
  const mode = readEnum(r, modePath, deploy?.mode, ['replicated', 'global']);
  const replicas = readWholeNumber(r, replicasPath, deploy?.replicas);
  const scale = readWholeNumber(r, scalePath, service.scale);
  if (mode === 'global') {
    if (replicas !== undefined) r.error(replicasPath, `expected no replicas with mode "global", which runs one task per node, got ${replicas}`);
    r.notice(modePath, 'mode "global" runs one task per node; deckhand runs on one node, so the count is 1', { code: 'global-mode' });
    record(scope, model, modePath);
    return 1;
  }
  if (replicas !== undefined && scale !== undefined && replicas !== scale) {
    r.error(scalePath, `expected the same count as deploy.replicas (${replicas}), got ${scale}`);
  }
  if (replicas !== undefined) {
    record(scope, model, replicasPath);
    return replicas;
  }
  if (scale !== undefined) {
    record(scope, model, scalePath);
    return scale;
  }
  return 1;
}

function containerOf(scope: ServiceScope, service: PlainMap): { container?: ContainerSettings } {
  const container = mapContainerSettings(scope, service);
  return container ? { container } : {};
}

/**
 * Mounts and files only when the service has some: jobs without them keep their shape
 * (and spec hashes). Files are its secrets and configs, then the repository files its
 * volumes mount read-only (`./nginx.conf:/etc/nginx/nginx.conf:ro`).
 */
function mountsAndFilesOf(scope: ServiceScope, service: PlainMap): { mounts?: Mount[]; files?: Task['files'] } {
  const fromRepository: RepositoryFile[] = [];
  const mounts = mapMounts(scope, service.volumes, service.tmpfs, fromRepository);
  const files = mapServiceFiles(scope, service, scope.files ?? { secrets: new Map(), configs: new Map() });
  for (const { file, at } of fromRepository) {
    if (files.some((f) => f.target === file.target) || mounts.some((m) => m.target === file.target)) {
      scope.r.error(at, `two mounts at ${file.target}`, { code: 'duplicate' });
      continue;
    }
    record(scope, `${taskPath(scope)}.files.${files.length}`, at);
    files.push(file);
  }
  return { ...(mounts.length ? { mounts } : {}), ...(files.length ? { files } : {}) };
}
