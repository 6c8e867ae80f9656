import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli as runCli } from '../helpers/cli.js';
import { startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

const s4 = (v: number) => `fixtures/s4-nomad-auto-revert/v${v}/geo-api-server.nomad`;

// Each test gets its own agent (a fresh store); runs are detached, so nothing waits for rollouts.
const runId = newRunId();
const agents: AgentProcess[] = [];
let cli: (args: string[]) => ReturnType<typeof runCli> = runCli;

beforeAll(() => ensureDemoImages());
beforeEach(async () => {
  const agent = await startAgentProcess({ runId });
  agents.push(agent);
  cli = (args) => runCli(args, { env: { DECKHAND_ADDR: agent.url } });
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await removeRunContainers(runId);
});

describe('deckhand plan and run against an agent', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'deckhand-cli-store-'));

  it('plans a new job as created, exit 1; after run, the same file plans the allocations it still needs', async () => {
    const first = await cli(['plan', s4(0)]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('+ Job: "geo-api-server"\n+ Task Group: "api-server" (6 create)\n  + Task: "server" (forces create)');
    expect(first.stdout).toContain(`deckhand run --check-index 0 ${s4(0)}`);

    const registered = await cli(['run', '--detach', s4(0)]);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toMatch(/^==> Job "geo-api-server" registered: version 0 \(modify index 1\)\n==> Deployment "([0-9a-f]{8})" started; follow it with: deckhand deployment status \1 -monitor\n$/);
    expect(await cli(['run', '--detach', s4(0)])).toMatchObject({ code: 0, stdout: '==> Job "geo-api-server" is unchanged: version 0 (modify index 1)\n' });

    const second = await cli(['plan', s4(1), '-o', 'json']);
    expect(second.code).toBe(1);
    const plan = JSON.parse(second.stdout).jobs[0];
    expect(plan).toMatchObject({ id: 'geo-api-server', changes: true, checkIndex: 1 });
    expect(plan.diff.groups[0].tasks[0].annotations).toEqual(['forces create/destroy update']);
  });

  it('refuses run --check-index when the job moved, and accepts the current index', async () => {
    await cli(['run', '--detach', s4(0)]);
    const stale = await cli(['run', '--detach', s4(1), '--check-index', '0']);
    expect(stale).toMatchObject({ code: 1, stderr: 'Error submitting job: Enforcing job modify index 0: job exists with conflicting job modify index: 1\n' });
    expect((await cli(['run', '--detach', s4(1), '--check-index', '1'])).stdout).toContain('==> Job "geo-api-server" registered: version 1 (modify index 2)\n');
    const missing = await cli(['run', '--detach', 'fixtures/s1-nomad-rolling/v1/update-demo-webapp.nomad', '--check-index', '5']);
    expect(missing.stderr).toBe('Error submitting job: Enforcing job modify index 5: job does not exist\n');
  });

  it('exits 255 with positioned errors, and still plans the good files (offline, against --data-dir)', async () => {
    const dir = dataDir();
    const run = await cli(['plan', 'fixtures/bad/nomad-syntax-error.nomad', s4(0), '--data-dir', dir]);
    expect(run.code).toBe(255);
    expect(run.stderr).toMatch(/^fixtures\/bad\/nomad-syntax-error.nomad:7:17: /);
    expect(run.stdout).toContain('+ Job: "geo-api-server"');
    const json = JSON.parse((await cli(['plan', '--json', 'fixtures/bad/nomad-syntax-error.nomad', s4(0), '--data-dir', dir])).stdout);
    expect(json.jobs).toHaveLength(1);
    expect(json.errors[0]).toMatchObject({ file: 'fixtures/bad/nomad-syntax-error.nomad', line: 7, col: 17 });
    expect((await cli(['plan', 'no/such.nomad', '--data-dir', dir])).code).toBe(255);
  });

  it('writes pull-request markdown', async () => {
    await cli(['run', '--detach', s4(0)]);
    const run = await cli(['plan', s4(1), '-o', 'markdown']);
    expect(run.stdout).toContain('`geo-api-server` (`fixtures/s4-nomad-auto-revert/v1/geo-api-server.nomad`)');
    expect(run.stdout).toContain('<details><summary>Plan</summary>');
    expect(run.stdout).toContain('-        image = "geo-api-server:0.1"\n+        image = "geo-api-server:0.2"');
  });

  it('says clearly when no agent answers', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const run = await runCli(['status'], { env: { DECKHAND_ADDR: `http://127.0.0.1:${port}` } });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error: no deckhand agent answers at http://127.0.0.1:${port} (connection refused). Start one with "deckhand agent", or point DECKHAND_ADDR at it.\n`,
    });
  });
});
