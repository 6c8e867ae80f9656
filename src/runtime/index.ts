// src/runtime's public surface: what other folders may use.
export { RuntimeUnavailableError } from './driver.js';
export type { AllocationObservation, CheckStatus, DockerHealth, Driver, ImageRegistry, RuntimeEvent, VolumePurge } from './driver.js';
export { probeHostOf } from './checks.js';
