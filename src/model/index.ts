// src/model's public surface: what other folders may use.
export { diagnostic, formatDiagnostic, isError, sortDiagnostics } from './diagnostic.js';
export type { Diagnostic, Position, Severity } from './diagnostic.js';
export { isRolloutEvent } from './events.js';
export type { DeckhandEvent, EventListener } from './events.js';
export type { Check, Endpoint, ExecCheck, FailureAction, Group, GroupNetwork, ContainerSettings, HealthCheckMode, HttpCheck, Job, JobFormat, JobNetwork, JobVolume, Mount, NetworkAttachment, Port, PullPolicy, RegistryCredentials, Resources, RestartCondition, RestartPolicy, Task, TaskFile, TaskLifecycle, TcpCheck, Ulimit, UpdateOrder, UpdateStrategy } from './job.js';
export { defaultGroupNetwork, defaultJobNetworks, defaultNetworkName, dockerNetworkName, dockerVolumeName, longRunningTasks, pullPolicies, runsOnce, withCurrentFields } from './job.js';
export { imageReference, pinnedImage, registryHost, registryOf } from './image-reference.js';
export type { ImageReference } from './image-reference.js';
export { hostPathProblem } from './host-paths.js';
export type { HostPathPolicy } from './host-paths.js';
export { isSensitiveName, maskUrlPasswords, redactJob, redactSourceText, sensitiveMask } from './sensitive.js';
export { fileObjectKinds, secretEnvPrefix } from './spec/flatten.js';
export { maxJobFileBytes, mayHoldJobs, settingsFileName, skippedFolders } from './source-tree.js';
export type { SourceTree } from './source-tree.js';
export { effectOf, groupSpecHash, jobSpecHash } from './spec/change-rules.js';
export { flattenJob } from './spec/flatten.js';
export type { Fields, FlatGroup, FlatObject, FlatTask } from './spec/flatten.js';
export type { AllocationRecord, AllocationStatus, Deployment, DeploymentGroupState, DeploymentStatus, JobEvent, JobRecord, JobVersion, VersionSource, VersionSourceKind } from './state.js';
