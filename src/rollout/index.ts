// src/rollout's public surface: what other folders may use.
export { RolloutEngine, RolloutError } from './engine.js';
export { descriptions } from './reconcile-types.js';
export { CheckIndexError } from './submit.js';
export { endpointTable } from './endpoints.js';
export type { EndpointTable } from './endpoints.js';
export type { EdgePort, TrafficOptions } from './traffic.js';
export type { JobEndpoint } from './endpoints.js';
export type { ListenError } from './traffic.js';
export { withPreviousDigests } from './images.js';
export type { ImageProblem } from './images.js';
