// The CLI's bundles stay within what the agent takes: one over the limits is
// refused before anything is sent, naming the file and the limit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';

describe('bundles the CLI sends', () => {
  it('over the agent\'s limits are refused here, without asking the agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckhand-bundle-'));
    const names = Array.from({ length: 201 }, (_, i) => `e${i}.env`);
    for (const name of names) writeFileSync(join(dir, name), `V_${name.replace('.env', '')}=1\n`);
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  web:\n    image: deckhand-demo:v1\n    env_file: [${names.join(', ')}]\n`);
    // Nothing listens there: the refusal must come before any request.
    const run = await cli(['run', '--detach', join(dir, 'compose.yaml')], { env: { DECKHAND_ADDR: 'http://127.0.0.1:1' } });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `${join(dir, 'compose.yaml')}: the bundle holds 202 files; a bundle may hold at most 200 (the job file and the files its rendering reads: .env, env_file, var files)\n`,
    });
  });
});
