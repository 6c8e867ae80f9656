// Where the CLI keeps state until it talks to an agent: --data-dir, DECKHAND_DATA_DIR, or ./.deckhand.
import { resolve } from 'node:path';
import { openStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { CliIO } from './io.js';

export function dataDirOf(flags: { dataDir?: string }, io: CliIO): string {
  return resolve(io.cwd, flags.dataDir ?? io.env.DECKHAND_DATA_DIR ?? '.deckhand');
}

export function openCliStore(flags: { dataDir?: string }, io: CliIO): Store {
  return openStore(dataDirOf(flags, io));
}
