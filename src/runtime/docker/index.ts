export { DockerDriver } from './driver.js';
export type { DockerDriverOptions } from './driver.js';
