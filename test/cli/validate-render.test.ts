import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli } from '../helpers/cli.js';

describe('deckhand validate', () => {
  it('exits 0 on valid fixtures and says how many it checked', async () => {
    const run = await cli(['validate', 'fixtures/s1-nomad-rolling/v1', 'fixtures/s5-kubernetes/v1', 'fixtures/s6-swarm-rollback/v1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('3 job files valid (3 jobs)\n');
  });

  it('exits 1 on a bad file and prints every error as file:line:col', async () => {
    const run = await cli(['validate', 'fixtures/bad/nomad-misspelt-key.nomad']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        'fixtures/bad/nomad-misspelt-key.nomad:5:7: update.max_paralel: unknown attribute "max_paralel": Nomad has no such argument in an update block (did you mean "max_parallel"?)',
        '1 of 1 job file invalid',
        '',
      ].join('\n'),
    );
  });

  it('judges bind mounts as an agent with --allow-host-path would: none allowed by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckhand-validate-binds-'));
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, 'services:\n  web:\n    image: nginx\n    volumes: ["/srv/data/site:/site:ro"]\n');
    const refused = await cli(['validate', file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`${file}:4:15: services.web.volumes[0]: host path /srv/data/site is not under a directory the agent allows (allow-host-path: none)`);
    expect(await cli(['validate', '--allow-host-path', '/srv/data', file])).toMatchObject({ code: 0, stdout: '1 job file valid (1 job)\n' });
    expect((await cli(['validate', '--allow-host-path', '/srv/other', file])).stdout).toContain('(allow-host-path: /srv/other)');
    expect(await cli(['validate', '--allow-host-path', 'srv', file])).toMatchObject({ code: 1, stderr: '--allow-host-path srv: expected an absolute path\n' });
  });

  it('refuses what a Swarm service cannot carry as an agent with --runtime swarm would, at its line; the seeds pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckhand-validate-swarm-'));
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, 'services:\n  web:\n    image: nginx\n    shm_size: 64m\n');
    expect(await cli(['validate', file])).toMatchObject({ code: 0 });
    const refused = await cli(['validate', '--runtime', 'swarm', file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`${file}:4:15: services.web.shm_size: not supported by --runtime swarm: task "web": shmSizeBytes: a service has no /dev/shm size on Engine API 1.41`);
    expect(await cli(['validate', '--runtime', 'swarm', 'fixtures/s1-nomad-rolling/v1', 'fixtures/s4-nomad-auto-revert/v1', 'fixtures/s5-kubernetes/v1', 'fixtures/s6-swarm-rollback/v1'])).toMatchObject({ code: 0 });
    expect(await cli(['validate', '--runtime', 'kubernetes', file])).toMatchObject({ code: 1, stderr: '--runtime kubernetes: expected docker or swarm\n' });
  });

  it('gives machine output with -o json', async () => {
    const run = await cli(['validate', '--json', 'fixtures/bad/nomad-syntax-error.nomad']);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ valid: false, files: [{ path: 'fixtures/bad/nomad-syntax-error.nomad', format: 'nomad', valid: false }] });
    expect(out.diagnostics[0]).toMatchObject({ severity: 'error', code: 'syntax', line: 7, col: 17 });
  });

  it('says so when a path holds no job files or does not exist', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'deckhand-empty-'));
    expect(await cli(['validate', empty])).toMatchObject({ code: 1, stderr: `no job files found in ${empty}\n` });
    expect(await cli(['validate', 'no/such/place'])).toMatchObject({ code: 1, stderr: 'no/such/place: no such file or folder\n' });
  });
});

describe('variable files named on the command line', () => {
  it('keep their own path in errors, reported once however many jobs read them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckhand-varfile-'));
    const varFile = join(dir, 'broken.hcl');
    writeFileSync(varFile, 'image_tag = \n');
    const run = await cli(['validate', 'fixtures/nomad-variables', 'fixtures/s1-nomad-rolling/v1', '--var-file', varFile]);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').filter((l) => l.startsWith(varFile))).toEqual([`${varFile}:1:13: expected an expression, found a new line`]);
    expect(run.stdout).toContain('0 of 2 job files invalid, and errors outside job files');
  });
});

describe('deckhand render', () => {
  it('prints the SPEC shape with defaults for each format', async () => {
    for (const file of ['fixtures/s4-nomad-auto-revert/v1/geo-api-server.nomad', 'fixtures/s6-swarm-rollback/v1/docker-compose.yml', 'fixtures/s5-kubernetes/v1/deployment.yaml']) {
      const run = await cli(['render', file, '-o', 'json']);
      expect(run.code).toBe(0);
      const job = JSON.parse(run.stdout);
      expect(Object.keys(job)).toEqual(['id', 'type', 'source', 'meta', 'historyLimit', 'networks', 'endpoints', 'groups']);
      expect(Object.keys(job.groups[0].update)).toEqual(
        expect.arrayContaining(['maxParallel', 'canary', 'autoPromote', 'autoRevert', 'minHealthyTimeMs', 'healthyDeadlineMs', 'progressDeadlineMs', 'healthCheck', 'order', 'delayMs', 'failureAction', 'maxFailureRatio']),
      );
      expect(job.groups[0].tasks[0].image).toBeTruthy();
    }
  });

  it('takes --var and --var-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckhand-vars-'));
    writeFileSync(join(dir, 'prod.hcl'), 'replicas = 5\n');
    const run = await cli(['render', 'fixtures/nomad-variables/web.nomad', '--var', 'image_tag=v2', '--var-file', join(dir, 'prod.hcl'), '--json']);
    const job = JSON.parse(run.stdout);
    expect(job.groups[0].count).toBe(5);
    expect(job.groups[0].tasks[0].image).toBe('hashicorp/demo-webapp:v2');
  });

  it('prints a readable text form', async () => {
    const run = await cli(['render', 'fixtures/s1-nomad-rolling/v3/update-demo-webapp.nomad']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Job "update-demo-webapp" (service, nomad: update-demo-webapp.nomad)');
    expect(run.stdout).toContain('Group "update-demo-webapp" (count 10)');
    expect(run.stdout).toContain('max_parallel 3, canary 0');
    expect(run.stdout).toContain('Image      hashicorp/demo-webapp:v1');
  });

  it('exits 1 with the positioned error on a bad file', async () => {
    const run = await cli(['render', 'fixtures/bad/nomad-syntax-error.nomad']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^fixtures\/bad\/nomad-syntax-error.nomad:7:17: /);
  });

  it('refuses a file that is not a job', async () => {
    const run = await cli(['render', 'package.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('package.json: not a job file');
  });
});

describe('the deckhand binary', () => {
  const run = (node: string, args: string[]) =>
    promisify(execFile)(node, ['bin/deckhand.js', ...args]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  it('runs from bin/ as npx would run it', async () => {
    const { stdout } = await run('node', ['render', 'fixtures/s1-nomad-rolling/v1/update-demo-webapp.nomad', '-o', 'json']);
    const expected = JSON.parse(readFileSync('fixtures/s1-nomad-rolling/v1/update-demo-webapp.nomad.golden.json', 'utf8'))[0];
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('prints no Node warning: the store (node:sqlite) opened by an offline plan says nothing on stderr', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-bin-'));
    const plan = await run('node', ['plan', '--data-dir', dataDir, 'fixtures/s4-nomad-auto-revert/v0/geo-api-server.nomad']);
    expect(plan).toMatchObject({ code: 1, stderr: '' });
    expect(plan.stdout).toContain('+ Job: "geo-api-server"');
  });

  // Debian's nodejs (18 on Debian 12, 20 here), which setup.sh fetches Node 24 with, is the older Node at hand.
  it('started by an older Node, says which Node it needs and exits 1 before loading anything', async () => {
    const olderNode = '/usr/bin/node';
    const version = execFileSync(olderNode, ['--version'], { encoding: 'utf8' }).trim();
    if (Number(/^v(\d+)/.exec(version)![1]) >= 24) throw new Error(`this test needs a Node older than 24 at ${olderNode}; it is ${version}`);
    const started = await run(olderNode, ['--version']);
    expect(started).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `deckhand needs Node.js 24.15.0 or newer, but this is Node.js ${version} (${olderNode}).\n` +
        'Install Node.js 24 (in a clone of deckhand, ./scripts/setup.sh does) and put it first on PATH.\n',
    });
  });
});
