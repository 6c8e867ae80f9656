// src/store's public surface: what other folders may use.
export { openStore } from './sqlite-store.js';
export { isStorageError } from './store.js';
export type { StorageProblem, Store } from './store.js';
