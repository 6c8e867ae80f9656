// src/agent's public surface: what other folders may use.
export { startAgent } from './agent.js';
export { defaultDataDir, resolveAgentConfig } from './config.js';
export { createLogger } from './logger.js';
export { edgeFolder } from './edge.js';
