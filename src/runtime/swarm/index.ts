// The Swarm runtime (docs/design/swarm-runtime.md), built step by step behind the
// runtime's contract (../driver.ts). Its borders: it reads and writes one swarm
// through one manager's Engine API, and knows nothing of the store or the rollout.
// - service-spec.ts (pure): a group version → one service's spec, refusing what cannot map.
// - observe.ts (pure): services, tasks and nodes → allocations (task = allocation).
// - task-changes.ts (pure): two readings of the tasks → RuntimeEvents.
// - observer.ts (I/O): observe / observeAllocation / subscribe (task polling).
// Not yet: placing (scale), checks, the edge, `--runtime swarm` (steps 4-6).
export { serviceLabels, serviceName, serviceSpec, stackNamespaceLabel, swarmRefusals, swarmResources, swarmRestartPolicy, SwarmSpecError, swarmSupport } from './service-spec.js';
export type { ServiceSpecOptions } from './service-spec.js';
export { allocationsFromTasks, currentTask, swarmTaskObservation } from './observe.js';
export type { SwarmAllocationObservation, SwarmNodeInfo, SwarmService, SwarmTask, SwarmTaskObservation } from './observe.js';
export { snapshotOf, taskChanges } from './task-changes.js';
export type { TaskSnapshot, TaskSnapshots } from './task-changes.js';
export { SwarmObserver } from './observer.js';
export type { SwarmObservation, SwarmObserverOptions } from './observer.js';
export { SwarmDriver } from './driver.js';
export type { SwarmDriverOptions } from './driver.js';
