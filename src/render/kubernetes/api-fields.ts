// The fields the Kubernetes API defines for each object deckhand reads (apps/v1 and
// core/v1, up to 1.34). A key outside these lists is a typo or a field of another
// object, so it is an `unknown-field` error, as the API server's strict field
// validation makes it; what deckhand does with a key inside them that it does not
// map is decided in field-decisions.ts.

const fields = (...names: string[]): ReadonlySet<string> => new Set(names);

export const deploymentFields = fields('apiVersion', 'kind', 'metadata', 'spec', 'status');

export const objectMetaFields = fields(
  'annotations', 'creationTimestamp', 'deletionGracePeriodSeconds', 'deletionTimestamp', 'finalizers',
  'generateName', 'generation', 'labels', 'managedFields', 'name', 'namespace', 'ownerReferences',
  'resourceVersion', 'selfLink', 'uid',
);

export const deploymentSpecFields = fields(
  'minReadySeconds', 'paused', 'progressDeadlineSeconds', 'replicas', 'revisionHistoryLimit',
  'selector', 'strategy', 'template',
);

export const strategyFields = fields('rollingUpdate', 'type');

export const rollingUpdateFields = fields('maxSurge', 'maxUnavailable');

export const podTemplateFields = fields('metadata', 'spec');

export const podSpecFields = fields(
  'activeDeadlineSeconds', 'affinity', 'automountServiceAccountToken', 'containers', 'dnsConfig',
  'dnsPolicy', 'enableServiceLinks', 'ephemeralContainers', 'hostAliases', 'hostIPC', 'hostNetwork',
  'hostPID', 'hostUsers', 'hostname', 'hostnameOverride', 'imagePullSecrets', 'initContainers',
  'nodeName', 'nodeSelector', 'os', 'overhead', 'preemptionPolicy', 'priority', 'priorityClassName',
  'readinessGates', 'resourceClaims', 'resources', 'restartPolicy', 'runtimeClassName', 'schedulerName',
  'schedulingGates', 'securityContext', 'serviceAccount', 'serviceAccountName', 'setHostnameAsFQDN',
  'shareProcessNamespace', 'subdomain', 'terminationGracePeriodSeconds', 'tolerations',
  'topologySpreadConstraints', 'volumes',
);

export const containerFields = fields(
  'args', 'command', 'env', 'envFrom', 'image', 'imagePullPolicy', 'lifecycle', 'livenessProbe', 'name',
  'ports', 'readinessProbe', 'resizePolicy', 'resources', 'restartPolicy', 'restartPolicyRules',
  'securityContext', 'startupProbe', 'stdin', 'stdinOnce', 'terminationMessagePath',
  'terminationMessagePolicy', 'tty', 'volumeDevices', 'volumeMounts', 'workingDir',
);

export const containerPortFields = fields('containerPort', 'hostIP', 'hostPort', 'name', 'protocol');

export const envVarFields = fields('name', 'value', 'valueFrom');

export const resourceRequirementsFields = fields('claims', 'limits', 'requests');

export const probeFields = fields(
  'exec', 'failureThreshold', 'grpc', 'httpGet', 'initialDelaySeconds', 'periodSeconds',
  'successThreshold', 'tcpSocket', 'terminationGracePeriodSeconds', 'timeoutSeconds',
);

export const httpGetFields = fields('host', 'httpHeaders', 'path', 'port', 'scheme');

export const tcpSocketFields = fields('host', 'port');

export const grpcFields = fields('port', 'service');

export const execFields = fields('command');

/** Resource names Kubernetes knows without a domain prefix (`example.com/gpu` names are extended resources). */
export const standardResourceNames = fields('cpu', 'memory', 'ephemeral-storage');

export const serviceFields = fields('apiVersion', 'kind', 'metadata', 'spec', 'status');

export const serviceSpecFields = fields(
  'allocateLoadBalancerNodePorts', 'clusterIP', 'clusterIPs', 'externalIPs', 'externalName', 'externalTrafficPolicy',
  'healthCheckNodePort', 'internalTrafficPolicy', 'ipFamilies', 'ipFamilyPolicy', 'loadBalancerClass', 'loadBalancerIP',
  'loadBalancerSourceRanges', 'ports', 'publishNotReadyAddresses', 'selector', 'sessionAffinity', 'sessionAffinityConfig',
  'trafficDistribution', 'type',
);

export const servicePortFields = fields('appProtocol', 'name', 'nodePort', 'port', 'protocol', 'targetPort');

export const securityContextFields = fields(
  'allowPrivilegeEscalation', 'appArmorProfile', 'capabilities', 'privileged', 'procMount', 'readOnlyRootFilesystem',
  'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seLinuxOptions', 'seccompProfile', 'windowsOptions',
);

export const podSecurityContextFields = fields(
  'appArmorProfile', 'fsGroup', 'fsGroupChangePolicy', 'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seLinuxChangePolicy',
  'seLinuxOptions', 'seccompProfile', 'supplementalGroups', 'supplementalGroupsPolicy', 'sysctls', 'windowsOptions',
);

export const capabilitiesFields = fields('add', 'drop');

export const profileFields = fields('localhostProfile', 'type');

export const sysctlFields = fields('name', 'value');

export const hostAliasFields = fields('hostnames', 'ip');

export const podDnsConfigFields = fields('nameservers', 'options', 'searches');

export const podDnsConfigOptionFields = fields('name', 'value');
