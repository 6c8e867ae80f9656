// DIR/edge-table.json: the last table the agent sent, so an edge started again
// (after a crash, a reboot, an upgrade) serves at once without the agent.
// Written to a temporary file, flushed and renamed: a crash leaves the old
// table or the new one, never half of one.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EdgeTable } from './types.js';
import { parseTable } from './validate.js';

export const tableFileName = 'edge-table.json';

export function saveTable(dataDir: string, table: EdgeTable): void {
  const path = join(dataDir, tableFileName);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(table, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** The saved table; an empty one when there is none yet; throws naming the file and field when it is unreadable. */
export function loadTable(dataDir: string): EdgeTable {
  const path = join(dataDir, tableFileName);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { endpoints: [] };
    throw new Error(`${path}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseTable(value, path);
}
