// `deckhand demo` as a newcomer runs it: its instructions stay on screen while the
// agent deploys (no log lines under them), Enter shows them again, and following
// them — Ctrl-C ends the demo — leaves no container behind.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { demoEndpointPort } from '../../src/demo/index.js';
import { edgePid, freePort, isAlive, killEdges } from '../edge/support.js';
import { cli } from '../helpers/cli.js';
import { docker, ensureDemoImages, eventually } from '../runtime/support.js';

const lastLine = 'Press Enter here to see this again.';

const work = mkdtempSync(join(tmpdir(), 'deckhand-demo-'));

const demoContainers = async () => docker.listContainers({ all: true, filters: { label: ['deckhand.job=update-demo-webapp'] } });

beforeAll(() => ensureDemoImages());

afterAll(async () => {
  // Whatever happened, the demo's containers go (they carry no test label: the demo is the user's).
  for (const container of await demoContainers()) await docker.getContainer(container.Id).remove({ force: true });
  await docker.getNetwork('deckhand-update-demo-webapp').remove().catch(() => undefined);
  await killEdges([join(work, 'demo', '.deckhand', 'edge')]);
});

describe('deckhand demo', () => {
  it('keeps its instructions in view, shows them again on Enter, and Ctrl-C removes what it ran', async () => {
    const port = await freePort();
    const address = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['bin/deckhand.js', 'demo', '--dir', join(work, 'demo'), '--listen', `127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await eventually(async () => stdout.includes(lastLine), 'the instructions', 120_000);
      expect(stdout).toContain(`while sleep 0.2; do curl -s http://127.0.0.1:${demoEndpointPort}/; done`);
      expect(stdout).toContain('Ctrl-C here ends the demo and removes its containers and endpoint');

      // The first deployment runs to its end: nothing is written under the instructions meanwhile.
      const printed = stdout.length;
      const warned = stderr.length;
      await eventually(async () => {
        const answer = await cli(['status', 'update-demo-webapp', '-o', 'json'], { env: { DECKHAND_ADDR: address } });
        return answer.code === 0 && (JSON.parse(answer.stdout) as { latestDeployment?: { status?: string } }).latestDeployment?.status === 'successful';
      }, 'the first deployment', 120_000);
      expect(stdout.length).toBe(printed);
      expect(stderr.length).toBe(warned);

      child.stdin.write('\n');
      await eventually(async () => stdout.split(lastLine).length === 3, 'the instructions again');

      // Ctrl-C as the instructions say: the demo's containers go with it.
      expect((await demoContainers()).length).toBeGreaterThan(0);
      const edge = edgePid(join(work, 'demo', '.deckhand', 'edge'));
      expect(edge !== null && isAlive(edge)).toBe(true);
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(await demoContainers()).toEqual([]);
      // Its endpoint too: the edge ends, nothing answers on the demo's port any more.
      await eventually(async () => !isAlive(edge!), 'the demo edge to end');
      expect(code).toBe(0);
      // Before the instructions, at most the warning that the demo's API has no token.
      expect(stderr.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([expect.stringContaining('the API has no token')]);
    } finally {
      child.kill('SIGKILL');
    }
  }, 300_000);
});
