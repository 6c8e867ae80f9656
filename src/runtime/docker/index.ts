export { defaultStopTimeoutSeconds, DockerDriver } from './driver.js';
export type { DockerDriverOptions } from './driver.js';
export { newDockerClient } from './client.js';
export { reservedLabelPrefix } from './labels.js';
