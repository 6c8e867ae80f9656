// src/edge's public surface: the process (`deckhand edge`) and the agent's client.
export { EdgeClient, EdgeError } from './client.js';
export type { EdgeClientOptions } from './client.js';
export { isEdgeLogLevel } from './log.js';
export type { EdgeLogLevel } from './log.js';
export { EdgeStartError, pidFileName, runEdge, socketFileName } from './process.js';
export type { RunEdgeOptions, RunningEdge } from './process.js';
export { logFileName } from './spawn.js';
export { tableFileName } from './table-file.js';
export { parseTable, TableError } from './validate.js';
export type { BackendView, DrainReply, EdgeBackend, EdgeEndpoint, EdgeTable, EndpointView, TableReply, TableView } from './types.js';
