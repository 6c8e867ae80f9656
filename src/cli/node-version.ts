// Which Node deckhand runs on. bin/deckhand.js asks before it loads anything else:
// on an older Node the other modules fail on a missing built-in (node:sqlite) with
// an error that says nothing about the version. No imports, so any Node can load it.

/**
 * Node 24.15: node:sqlite as a release candidate (no ExperimentalWarning printed to
 * the user) and in defensive mode. package.json's `engines` says the same.
 */
export const MINIMUM_NODE_VERSION = '24.15.0';

function parts(version: string): number[] {
  return version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
}

function atLeast(version: string, minimum: string): boolean {
  const have = parts(version);
  const need = parts(minimum);
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== need[i]!) return have[i]! > need[i]!;
  }
  return true;
}

/** What to tell the user when this Node is too old to run deckhand; undefined when it is new enough. */
export function nodeVersionProblem(version = process.versions.node, execPath = process.execPath): string | undefined {
  if (atLeast(version, MINIMUM_NODE_VERSION)) return undefined;
  return (
    `deckhand needs Node.js ${MINIMUM_NODE_VERSION} or newer, but this is Node.js v${version.replace(/^v/, '')} (${execPath}).\n` +
    'Install Node.js 24 (in a clone of deckhand, ./scripts/setup.sh does) and put it first on PATH.\n'
  );
}
