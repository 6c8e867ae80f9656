// One temporary folder per test run: every test's mkdtemp(tmpdir()) lands in it
// (workers and the agents they start inherit TMPDIR), and it goes at the end, so
// data dirs, repositories and stores of earlier runs do not pile up in /tmp.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The host's default bridge: tests start engines of their own, and none may delete it.
const hostBridge = '/sys/class/net/docker0';

export async function setup() {
  process.env.DECKHAND_TEST_HAD_DOCKER0 = existsSync(hostBridge) ? '1' : '';
  process.env.DECKHAND_TEST_TMP = mkdtempSync(join(tmpdir(), 'deckhand-tests-'));
  process.env.TMPDIR = process.env.DECKHAND_TEST_TMP;
}

/**
 * Edges (`deckhand edge`) outlive the agents that start them, by design: the ones
 * started under this run's folder go with it, whatever the tests did.
 */
function killRunEdges(root) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args;
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const dir = args[args.indexOf('--data-dir') + 1];
    if (args.includes('edge') && dir !== undefined && args.indexOf('--data-dir') >= 0 && dir.startsWith(root)) {
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
}

export async function teardown() {
  if (process.env.DECKHAND_TEST_TMP) killRunEdges(process.env.DECKHAND_TEST_TMP);
  if (process.env.DECKHAND_TEST_TMP) rmSync(process.env.DECKHAND_TEST_TMP, { recursive: true, force: true });
  if (process.env.DECKHAND_TEST_HAD_DOCKER0 && !existsSync(hostBridge)) {
    throw new Error("the host's docker0 bridge existed before the tests and is gone after them: a test's engine deleted it");
  }
}
