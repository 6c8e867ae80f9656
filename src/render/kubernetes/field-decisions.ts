// What deckhand does with each field of a Deployment's pod that it does not map,
// one table per object so the decisions can be reviewed together (docs/spec.md
// points here; the shape is render/field-decision.ts). Fields the API does not
// define at all are `unknown-field` errors (api-fields.ts, reader.ts).
import { isFalse, useOf, verdictOf } from '../field-decision.js';
import type { DecisionTable } from '../field-decision.js';
import { placementCarried } from '../placement.js';
import { isPlainMap } from '../yaml/values.js';
import type { YamlPath } from '../yaml/document.js';
import type { ManifestReader } from './reader.js';

const scheduling = 'it steers the Kubernetes scheduler among nodes; deckhand has one Docker engine';
const noApiServer = 'deckhand has no API server for the pod to call';

export const deploymentSpecDecisions: DecisionTable = {
  minReadySeconds: 'mapped',
  progressDeadlineSeconds: 'mapped',
  replicas: 'mapped',
  revisionHistoryLimit: 'mapped',
  strategy: 'mapped',
  template: 'mapped',
  selector: { accepted: 'deckhand knows a Deployment\'s containers by the Deployment itself' },
  paused: { refused: 'deckhand rolls out every change it reads', hint: 'remove paused, or keep the file out of the job folder until it may roll out', harmless: isFalse },
};

export const podSpecDecisions: DecisionTable = {
  containers: 'mapped',
  dnsConfig: 'mapped',
  hostAliases: 'mapped',
  hostNetwork: 'mapped',
  hostname: 'mapped',
  imagePullSecrets: 'mapped',
  initContainers: 'mapped',
  restartPolicy: 'mapped',
  securityContext: 'mapped',
  subdomain: 'mapped',
  terminationGracePeriodSeconds: 'mapped',
  volumes: 'mapped',

  affinity: { accepted: scheduling },
  nodeName: { accepted: scheduling },
  // Each label is judged on its own by node-selector.ts.
  nodeSelector: { accepted: placementCarried },
  tolerations: { accepted: scheduling },
  topologySpreadConstraints: { accepted: scheduling },
  schedulerName: { accepted: scheduling },
  priority: { accepted: 'it orders scheduling and preemption in a cluster; deckhand runs every job' },
  priorityClassName: { accepted: 'it orders scheduling and preemption in a cluster; deckhand runs every job' },
  preemptionPolicy: { accepted: 'it orders scheduling and preemption in a cluster; deckhand runs every job' },
  overhead: { accepted: 'it accounts for a RuntimeClass when scheduling' },
  automountServiceAccountToken: { accepted: noApiServer },
  serviceAccount: { deprecated: 'Kubernetes reads serviceAccountName (and deckhand has no API server for the pod to call)' },
  serviceAccountName: { accepted: noApiServer },
  enableServiceLinks: { accepted: 'deckhand never sets the environment variables of Services; containers reach a Service by its name' },

  activeDeadlineSeconds: { refused: 'deckhand does not stop pods after a deadline' },
  dnsPolicy: {
    refused: 'names resolve through Docker\'s DNS on the job\'s network, as ClusterFirst resolves Services',
    hint: 'remove dnsPolicy, or set it to ClusterFirst',
    harmless: (value) => value === 'ClusterFirst' || value === 'ClusterFirstWithHostNet' || value === null,
  },
  ephemeralContainers: { refused: 'ephemeral debugging containers are not run' },
  hostIPC: { refused: 'deckhand gives each container its own IPC namespace', harmless: isFalse },
  hostPID: { refused: 'deckhand gives each container its own PID namespace', harmless: isFalse },
  hostUsers: { refused: 'deckhand runs containers in the engine\'s default user namespace', harmless: (value) => value === true || value === null },
  hostnameOverride: { refused: 'a pod\'s hostname override is not set' },
  os: { refused: 'deckhand runs Linux containers', harmless: (value) => value === null || (isPlainMap(value) && value.name === 'linux') },
  readinessGates: { refused: 'no controller sets the conditions, so the pods would count ready without them' },
  resourceClaims: { refused: 'dynamically allocated resources (GPUs) are not given to deckhand\'s containers' },
  resources: { refused: 'pod-level resources are not applied', hint: 'set resources.limits on each container' },
  runtimeClassName: { refused: 'deckhand runs containers with the engine\'s default runtime' },
  schedulingGates: { refused: 'a gated pod waits until its gates are removed; deckhand would start it at once' },
  setHostnameAsFQDN: { refused: 'the pod\'s hostname is not set to its FQDN', harmless: isFalse },
  shareProcessNamespace: { refused: 'the containers of a pod do not share a process namespace', harmless: isFalse },
};

export const containerDecisions: DecisionTable = {
  args: 'mapped',
  command: 'mapped',
  env: 'mapped',
  envFrom: 'mapped',
  image: 'mapped',
  imagePullPolicy: 'mapped',
  lifecycle: 'mapped',
  livenessProbe: 'mapped',
  name: 'mapped',
  ports: 'mapped',
  readinessProbe: 'mapped',
  resources: 'mapped',
  securityContext: 'mapped',
  volumeMounts: 'mapped',
  workingDir: 'mapped',

  resizePolicy: { accepted: 'it tells the kubelet how to resize a running container; deckhand applies resources itself' },
  terminationMessagePath: { accepted: 'it is where Kubernetes reads a container\'s last words for its API, which deckhand does not serve' },
  terminationMessagePolicy: { accepted: 'it is where Kubernetes reads a container\'s last words for its API, which deckhand does not serve' },

  restartPolicy: { refused: 'a container\'s own restart policy is for sidecar init containers; the pod\'s applies' },
  restartPolicyRules: { refused: 'a container\'s own restart rules are not applied; the pod\'s restartPolicy applies' },
  startupProbe: { refused: 'startup probes are not run, so the liveness probe would start at once', hint: 'give the livenessProbe an initialDelaySeconds covering the start, and remove startupProbe' },
  stdin: { refused: 'containers run without an open stdin, so a shell reading it would exit at once', harmless: isFalse },
  stdinOnce: { refused: 'containers run without an open stdin', harmless: isFalse },
  tty: { refused: 'containers run without a terminal', harmless: isFalse },
  volumeDevices: { refused: 'raw block devices are not given to deckhand\'s containers' },
};

/** An init container: the same, but its own restartPolicy (Always: a sidecar) is read with the pod (deployment.ts). */
export const initContainerDecisions: DecisionTable = { ...containerDecisions, restartPolicy: 'mapped' };

/** A Service's spec: deckhand's edge serves it on the agent's publish address. */
export const serviceSpecDecisions: DecisionTable = {
  clusterIP: 'mapped',
  ports: 'mapped',
  selector: 'mapped',
  type: 'mapped',

  allocateLoadBalancerNodePorts: { accepted: 'a cloud load balancer\'s setting; deckhand\'s edge is the load balancer' },
  clusterIPs: { accepted: 'cluster addresses; other jobs reach the Service by its name' },
  externalName: { accepted: 'read only by ExternalName Services, which are skipped with a notice' },
  externalTrafficPolicy: { accepted: 'on one node, local and cluster traffic are the same' },
  healthCheckNodePort: { accepted: 'a cloud load balancer\'s probe; deckhand\'s edge knows which allocations are healthy' },
  internalTrafficPolicy: { accepted: 'on one node, local and cluster traffic are the same' },
  ipFamilies: { accepted: 'the cluster\'s address families; the edge listens on the publish address' },
  ipFamilyPolicy: { accepted: 'the cluster\'s address families; the edge listens on the publish address' },
  loadBalancerClass: { accepted: 'which cloud load balancer; deckhand\'s edge is the load balancer' },
  sessionAffinityConfig: { accepted: 'read only with sessionAffinity: ClientIP, which is refused' },
  trafficDistribution: { accepted: 'a topology hint; deckhand has one node' },

  externalIPs: { refused: 'the edge listens on the agent\'s publish address only', hint: 'set the agent\'s publish-address' },
  loadBalancerIP: { refused: 'the edge listens on the agent\'s publish address only', hint: 'set the agent\'s publish-address' },
  loadBalancerSourceRanges: { refused: 'the edge accepts connections from every address, so the Service would be open to all', hint: 'limit the sources with a firewall in front of the agent' },
  publishNotReadyAddresses: { refused: 'the edge sends connections to healthy allocations only', harmless: isFalse },
  sessionAffinity: { refused: 'the edge spreads connections across allocations, without affinity', harmless: (value) => value === 'None' || value === null },
};

/**
 * A pod's or a container's securityContext: the user, capabilities, read-only root,
 * profiles, privileged and procMount are read (and refused where they must be) by
 * container-settings.ts; what remains is decided here.
 */
export const securityContextDecisions: DecisionTable = {
  windowsOptions: { refused: 'deckhand runs Linux containers' },
};

/** Reports each refused field of the mapping at `path` at its key, and each deprecated one as a warning; records what is done with each (`--explain`). */
export function checkDecisions(reader: ManifestReader, path: YamlPath, table: DecisionTable): void {
  const node = reader.value(path);
  if (!isPlainMap(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const use = useOf(table, key, value);
    if (use) reader.use([...path, key], use.use, use.reason);
    const verdict = verdictOf(table, key, value);
    if (verdict) reader.report(verdict.severity, [...path, key], verdict.message, { code: verdict.code, part: 'key', ...(verdict.hint ? { hint: verdict.hint } : {}) });
  }
}
