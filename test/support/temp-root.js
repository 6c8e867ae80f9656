// One temporary folder per test run: every test's mkdtemp(tmpdir()) lands in it
// (workers and the agents they start inherit TMPDIR), and it goes at the end, so
// data dirs, repositories and stores of earlier runs do not pile up in /tmp.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The host's default bridge: tests start engines of their own, and none may delete it.
const hostBridge = '/sys/class/net/docker0';

export async function setup() {
  process.env.DECKHAND_TEST_HAD_DOCKER0 = existsSync(hostBridge) ? '1' : '';
  process.env.DECKHAND_TEST_TMP = mkdtempSync(join(tmpdir(), 'deckhand-tests-'));
  process.env.TMPDIR = process.env.DECKHAND_TEST_TMP;
}

export async function teardown() {
  if (process.env.DECKHAND_TEST_TMP) rmSync(process.env.DECKHAND_TEST_TMP, { recursive: true, force: true });
  if (process.env.DECKHAND_TEST_HAD_DOCKER0 && !existsSync(hostBridge)) {
    throw new Error("the host's docker0 bridge existed before the tests and is gone after them: a test's engine deleted it");
  }
}
