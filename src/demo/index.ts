// src/demo's public surface: what other folders may use.
export { buildDemoImages } from './images.js';
export { createDemoRepository, demoEndpointPort, demoJobFile } from './repository.js';
