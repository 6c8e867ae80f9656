// Shared by the sync tests: temp data directories removed after the run, and
// reading a revision's files as text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Revision, SyncResult } from '../../src/sync/revision.js';

const made: string[] = [];

export function tempDir(prefix = 'deckhand-sync-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function textFiles(revision: Revision): Record<string, string> {
  const decoder = new TextDecoder();
  return Object.fromEntries([...revision.tree.files].map(([path, bytes]) => [path, decoder.decode(bytes)]));
}

/** The revision of a successful sync; fails the test with the error's message otherwise. */
export function expectOk(result: SyncResult): Extract<SyncResult, { ok: true }> {
  if (!result.ok) throw new Error(`sync failed: ${result.error.code}: ${result.error.describe()}`);
  return result;
}

export function expectFailed(result: SyncResult): Extract<SyncResult, { ok: false }> {
  if (result.ok) throw new Error(`sync succeeded at ${result.revision.sha}, expected an error`);
  return result;
}
