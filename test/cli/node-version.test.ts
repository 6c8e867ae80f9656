// The Node version check bin/deckhand.js makes before loading anything else.
import { readFileSync } from 'node:fs';
import { MINIMUM_NODE_VERSION, nodeVersionProblem } from '../../src/cli/node-version.js';

it('is the version package.json promises in engines', () => {
  const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines;
  expect(engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
});

it.each(['24.15.0', '24.22.3', '25.0.0', '26.1.0', 'v24.15.1'])('accepts Node %s', (version) => {
  expect(nodeVersionProblem(version, '/usr/local/bin/node')).toBeUndefined();
});

it.each(['24.14.1', '24.0.0', '22.22.0', '20.20.2', '18.20.4', '9.99.99'])('refuses Node %s, naming both versions and the binary', (version) => {
  expect(nodeVersionProblem(version, '/usr/bin/node')).toBe(
    `deckhand needs Node.js 24.15.0 or newer, but this is Node.js v${version} (/usr/bin/node).\n` +
      'Install Node.js 24 (in a clone of deckhand, ./scripts/setup.sh does) and put it first on PATH.\n',
  );
});
