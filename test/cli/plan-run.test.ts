import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';

const s4 = (v: number) => `fixtures/s4-nomad-auto-revert/v${v}/geo-api-server.nomad`;

describe('deckhand plan and run against a data dir', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'deckhand-cli-store-'));

  it('plans a new job as created, exit 1; after run, the same file plans the allocations it still needs', async () => {
    const dir = dataDir();
    const first = await cli(['plan', s4(0), '--data-dir', dir]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('+ Job: "geo-api-server"\n+ Task Group: "api-server" (6 create)\n  + Task: "server" (forces create)');
    expect(first.stdout).toContain(`deckhand run -check-index 0 ${s4(0)}`);

    expect(await cli(['run', s4(0), '--data-dir', dir])).toMatchObject({ code: 0, stdout: '==> Job "geo-api-server" registered: version 0 (modify index 1)\n' });
    expect(await cli(['run', s4(0), '--data-dir', dir])).toMatchObject({ code: 0, stdout: '==> Job "geo-api-server" is unchanged: version 0 (modify index 1)\n' });

    const second = await cli(['plan', s4(1), '--data-dir', dir, '-o', 'json']);
    expect(second.code).toBe(1);
    const plan = JSON.parse(second.stdout).jobs[0];
    expect(plan).toMatchObject({ id: 'geo-api-server', changes: true, checkIndex: 1 });
    expect(plan.diff.groups[0].tasks[0].annotations).toEqual(['forces create/destroy update']);
  });

  it('refuses run --check-index when the job moved, and accepts the current index', async () => {
    const dir = dataDir();
    await cli(['run', s4(0), '--data-dir', dir]);
    const stale = await cli(['run', s4(1), '--check-index', '0', '--data-dir', dir]);
    expect(stale).toMatchObject({ code: 1, stderr: 'Error submitting job: Enforcing job modify index 0: job exists with conflicting job modify index: 1\n' });
    expect(await cli(['run', s4(1), '--check-index', '1', '--data-dir', dir])).toMatchObject({ code: 0, stdout: '==> Job "geo-api-server" registered: version 1 (modify index 2)\n' });
    const missing = await cli(['run', 'fixtures/s1-nomad-rolling/v1/update-demo-webapp.nomad', '--check-index', '5', '--data-dir', dir]);
    expect(missing.stderr).toBe('Error submitting job: Enforcing job modify index 5: job does not exist\n');
  });

  it('exits 255 with positioned errors, and still plans the good files', async () => {
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
    const dir = dataDir();
    await cli(['run', s4(0), '--data-dir', dir]);
    const run = await cli(['plan', s4(1), '-o', 'markdown', '--data-dir', dir]);
    expect(run.stdout).toContain('`geo-api-server` (`fixtures/s4-nomad-auto-revert/v1/geo-api-server.nomad`)');
    expect(run.stdout).toContain('<details><summary>Plan</summary>');
    expect(run.stdout).toContain('-        image = "geo-api-server:0.1"\n+        image = "geo-api-server:0.2"');
  });
});
