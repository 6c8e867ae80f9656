// src/rollout's public surface: what other folders may use.
export { RolloutEngine, RolloutError } from './engine.js';
export { descriptions } from './reconcile-types.js';
export { CheckIndexError } from './submit.js';
