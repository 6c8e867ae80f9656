export { serviceLabels, serviceName, serviceSpec, stackNamespaceLabel, swarmRefusals, swarmResources, swarmRestartPolicy, SwarmSpecError } from './service-spec.js';
export type { ServiceSpecOptions, VersionTarget } from './service-spec.js';
