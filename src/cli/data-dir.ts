// Where an agent keeps its state, for `plan --data-dir` against a stopped agent:
// --data-dir, DECKHAND_DATA_DIR, or the agent's default for this user.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { defaultDataDir } from '../agent/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { DirectoryError } from '../util/index.js';
import type { CliIO } from './io.js';
import { CliExit } from './io.js';

export function dataDirOf(flags: { dataDir?: string }, io: CliIO): string {
  return resolve(io.cwd, flags.dataDir ?? io.env.DECKHAND_DATA_DIR ?? defaultDataDir({ root: process.getuid?.() === 0, home: homedir() }, io.env));
}

export function openCliStore(flags: { dataDir?: string }, io: CliIO): Store {
  try {
    return openStore(dataDirOf(flags, io));
  } catch (error) {
    if (error instanceof DirectoryError) throw new CliExit(1, `--data-dir: ${error.message}`);
    throw error;
  }
}
