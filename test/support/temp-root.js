// One temporary folder per test run: every test's mkdtemp(tmpdir()) lands in it
// (workers and the agents they start inherit TMPDIR), and it goes at the end, so
// data dirs, repositories and stores of earlier runs do not pile up in /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function setup() {
  process.env.DECKHAND_TEST_TMP = mkdtempSync(join(tmpdir(), 'deckhand-tests-'));
  process.env.TMPDIR = process.env.DECKHAND_TEST_TMP;
}

export async function teardown() {
  if (process.env.DECKHAND_TEST_TMP) rmSync(process.env.DECKHAND_TEST_TMP, { recursive: true, force: true });
}
