// The CLI against a real agent, through S4 (auto-revert) and S3 (canary, promote),
// scaled down; what it prints is compared with golden files in fixtures/cli/
// after ids, dates and ports are replaced by placeholders.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npm test -- scenario-cli
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli as runCli } from '../helpers/cli.js';
import { startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';
import { containersOf } from '../e2e/support.js';

const runId = newRunId();
let agent: AgentProcess;
const work = mkdtempSync(join(tmpdir(), 'deckhand-cli-scenario-'));
const cli = (args: string[]) => runCli(args, { cwd: work, env: { DECKHAND_ADDR: agent.url } });

beforeAll(async () => {
  await ensureDemoImages();
  agent = await startAgentProcess({ runId });
});
afterAll(async () => {
  await agent?.stop();
  await removeRunContainers(runId);
});

/** A seed's job file with its counts and durations scaled down. */
function scaled(fixture: string, count: number): string {
  return readFileSync(join(process.cwd(), 'fixtures', fixture), 'utf8')
    .replace(/count\s*=\s*\d+/, `count = ${count}`)
    .replace(/min_healthy_time\s*=\s*"[^"]+"/, 'min_healthy_time = "1s"')
    .replace(/healthy_deadline\s*=\s*"[^"]+"/, 'healthy_deadline = "6s"')
    .replace(/progress_deadline\s*=\s*"[^"]+"/, 'progress_deadline = "20s"')
    .replace(/interval\s*=\s*"[^"]+"/g, 'interval = "1s"')
    .replace(/timeout\s*=\s*"[^"]+"/g, 'timeout = "1s"');
}

/** Ids, dates and ports change from run to run; their shape does not. */
function normalize(text: string): string {
  const ids = new Map<string, string>();
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<hash>')
    .replace(/\b[0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24})?\b/g, (id) => {
      const short = id.slice(0, 8);
      if (!ids.has(short)) ids.set(short, `<id${ids.size + 1}>`);
      return ids.get(short)!;
    })
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<date>')
    .replace(/"(submittedAt|createdAt|updatedAt|modifiedAt)": \d+/g, '"$1": <time>');
}

function expectGolden(name: string, actual: string): void {
  const path = join(process.cwd(), 'fixtures', 'cli', name);
  const text = normalize(actual);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('S4 auto-revert through the CLI', () => {
  test('run v0, v1, the broken v2 (exit 2, rolled back), then deployments and history -p', async () => {
    for (const v of [0, 1]) {
      writeFileSync(join(work, 'geo.nomad'), scaled(`s4-nomad-auto-revert/v${v}/geo-api-server.nomad`, 4));
      const run = await cli(['run', 'geo.nomad']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`==> Job "geo-api-server" registered: version ${v} \\(modify index ${v + 1}\\)\\n==> Monitoring deployment "[0-9a-f]{8}"\\n`));
      expect(run.stdout).toMatch(/overall progress: 4 out of 4 allocations healthy/);
      expect(run.stdout).toMatch(/==> Deployment "[0-9a-f]{8}" successful: Deployment completed successfully\n$/);
    }
    writeFileSync(join(work, 'geo.nomad'), scaled('s4-nomad-auto-revert/v2/geo-api-server.nomad', 4));
    const broken = await cli(['run', 'geo.nomad']);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toMatch(/failed to start: No such image: geo-api-server:0.33/);
    expect(broken.stdout).toMatch(/==> Deployment "[0-9a-f]{8}" failed: Failed due to unhealthy allocations - rolling back to job version 1\n==> Rolling back: monitoring deployment "[0-9a-f]{8}" of version 3\n/);
    expect(broken.stdout).toMatch(/==> Deployment "[0-9a-f]{8}" successful: Deployment completed successfully\n$/);
    expect((await containersOf(runId, 'geo-api-server')).map((c) => c.image)).toEqual(Array(4).fill('geo-api-server:0.2'));

    const deployments = await cli(['deployments', 'geo-api-server']);
    expect(deployments.code).toBe(0);
    expectGolden('s4-deployments.txt', deployments.stdout);
    expectGolden('s4-deployments.json', (await cli(['deployments', 'geo-api-server', '-o', 'json'])).stdout);
    const history = await cli(['history', '-p', 'geo-api-server']);
    expect(history.stdout.match(/^Stable += (\w+)$/gm)).toEqual(['Stable      = true', 'Stable      = false', 'Stable      = true', 'Stable      = true']);
    expectGolden('s4-history-p.txt', history.stdout);
    expectGolden('s4-history.json', (await cli(['history', 'geo-api-server', '--json'])).stdout);

    const status = JSON.parse((await cli(['status', 'geo-api-server', '-o', 'json'])).stdout);
    expect(status).toMatchObject({ id: 'geo-api-server', version: 3, status: 'running', latestDeployment: { jobVersion: 3, status: 'successful' } });
    const text = (await cli(['status', 'geo-api-server'])).stdout;
    expect(text).toMatch(/^ID +(= geo-api-server)$/m);
    expect(text).toMatch(/^Summary\nTask Group +Desired +Running +Healthy\napi-server +4 +4 +4$/m);
    expect(text).toMatch(/^Latest Deployment\nID += [0-9a-f]{8}\nJob Version += 3\nStatus += successful\nDescription += Deployment completed successfully$/m);

    expect((await cli(['revert', 'geo-api-server', '7'])).stderr).toBe('Error reverting: job "geo-api-server" has no version 7 (versions: 3, 2, 1, 0)\n');
    expect((await cli(['status', 'nope'])).stderr).toBe('Error reading status: job "nope" not found\n');
  });
});

describe('S3 canaries through the CLI', () => {
  test('run stops at "requires manual promotion"; promote finishes it', async () => {
    const v1 = scaled('s3-nomad-canary-promote/v5/update-demo-webapp.nomad', 3);
    expect(v1).toBeTruthy();
    writeFileSync(join(work, 'webapp.nomad'), v1.replace(/canary\s*=\s*\d+/, 'canary = 0').replace(/demo-webapp:v2/, 'demo-webapp:v1'));
    expect((await cli(['run', 'webapp.nomad'])).code).toBe(0);
    writeFileSync(join(work, 'webapp.nomad'), v1.replace(/canary\s*=\s*\d+/, 'canary = 1'));
    const canary = await cli(['run', 'webapp.nomad']);
    expect(canary.code).toBe(0);
    expect(canary.stdout).toMatch(/==> Deployment "[0-9a-f]{8}" is running: Deployment is running but requires manual promotion\n {4}the canaries are healthy; promote them with: deckhand promote update-demo-webapp\n$/);
    const promoted = await cli(['promote', 'update-demo-webapp']);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/==> Deployment "[0-9a-f]{8}" successful: Deployment completed successfully\n$/);
    expect((await containersOf(runId, 'update-demo-webapp')).map((c) => c.image)).toEqual(Array(3).fill('hashicorp/demo-webapp:v2'));
    expect((await cli(['promote', 'update-demo-webapp'])).stderr).toMatch(/^Error promoting: job "update-demo-webapp" has no running deployment to promote\n$/);
  });
});
