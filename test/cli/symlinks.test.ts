// The CLI reads a job's files as the agent's Git sync reads a repository: a link
// counts as the file it leads to only inside the job's folder. A job file or an
// env_file linking out (to /etc/passwd, to another checkout) is refused by name,
// and nothing of it reaches the agent; what the operator names itself is read.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDirectoryTree, treeAroundFile } from '../../src/sync/directory.js';
import { cli } from '../helpers/cli.js';
import { api, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { newRunId, removeRunContainers } from '../runtime/support.js';

const secret = 'AWS_SECRET_ACCESS_KEY=never-leaves-this-machine';
const compose = (envFile: string) => `services:\n  web:\n    image: deckhand-demo:v1\n    env_file: ${envFile}\n`;

/** A job folder beside a folder it must not read from; both real paths. */
function layout(): { base: string; jobs: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'deckhand-links-'));
  const jobs = join(base, 'jobs');
  const outside = join(base, 'outside');
  mkdirSync(jobs);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secrets.env'), `${secret}\n`);
  writeFileSync(join(outside, 'web.nomad'), webJob({ id: 'outside' }));
  return { base, jobs, outside };
}

const runId = newRunId();
let agent: AgentProcess;
beforeAll(async () => {
  // A real agent that must never hear of the files: when all is well it deploys nothing.
  agent = await startAgentProcess({ runId });
});
afterAll(async () => {
  await agent?.stop('SIGKILL');
  await removeRunContainers(runId);
});

describe('links in a job folder', () => {
  it('are followed inside the folder and refused outside it, with where they lead', async () => {
    const { jobs, outside } = layout();
    writeFileSync(join(jobs, 'real.nomad'), webJob({ id: 'inside' }));
    symlinkSync('real.nomad', join(jobs, 'alias.nomad'));
    symlinkSync(join(outside, 'web.nomad'), join(jobs, 'web.nomad'));
    symlinkSync('../outside/secrets.env', join(jobs, 'secrets.env'));
    const tree = await readDirectoryTree(jobs);
    expect([...tree.files.keys()].sort()).toEqual(['alias.nomad', 'real.nomad']);
    expect(tree.refused).toEqual(new Map([['secrets.env', join(outside, 'secrets.env')], ['web.nomad', join(outside, 'web.nomad')]]));
  });

  it('deckhand validate names the link and its target, and renders the rest', async () => {
    const { base, jobs, outside } = layout();
    writeFileSync(join(jobs, 'compose.yaml'), compose('secrets.env'));
    symlinkSync(join(outside, 'secrets.env'), join(jobs, 'secrets.env'));
    symlinkSync(join(outside, 'web.nomad'), join(jobs, 'web.nomad'));
    writeFileSync(join(jobs, 'ok.nomad'), webJob({ id: 'ok' }));
    const run = await cli(['validate', 'jobs'], { cwd: base });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      `jobs/compose.yaml:4:15: services.web.env_file: env file "secrets.env" is a link to ${join(outside, 'secrets.env')}, outside the job's folder: deckhand reads no file outside it (copy the file into the job's folder)`,
      `jobs/web.nomad:1:1: the file is a link to ${join(outside, 'web.nomad')}, outside the job's folder: deckhand reads no file outside it (name ${join(outside, 'web.nomad')} itself to use it)`,
      '2 of 3 job files invalid',
      '',
    ]);
  });

  it('deckhand run refuses a job file linking out of its folder and sends nothing', async () => {
    const { base, jobs, outside } = layout();
    symlinkSync(join(outside, 'web.nomad'), join(jobs, 'web.nomad'));
    const run = await cli(['run', '--detach', 'jobs/web.nomad'], { cwd: base, env: { DECKHAND_ADDR: agent.url } });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe(`jobs/web.nomad:1:1: the file is a link to ${join(outside, 'web.nomad')}, outside the job's folder: deckhand reads no file outside it (name ${join(outside, 'web.nomad')} itself to use it)\n`);
    expect((await api(agent.url, 'GET', '/v1/jobs')).body).toEqual([]);
  });

  it('deckhand run and plan refuse an env_file linking out, and the secret never reaches the agent', async () => {
    const { base, jobs, outside } = layout();
    writeFileSync(join(jobs, 'compose.yaml'), compose('secrets.env'));
    symlinkSync(join(outside, 'secrets.env'), join(jobs, 'secrets.env'));
    const env = { DECKHAND_ADDR: agent.url };
    const run = await cli(['run', '--detach', 'jobs/compose.yaml'], { cwd: base, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`jobs/compose.yaml:4:15: services.web.env_file: env file "secrets.env" is a link to ${join(outside, 'secrets.env')}, outside the job's folder`);
    const plan = await cli(['plan', 'jobs'], { cwd: base, env });
    expect(plan.code).toBe(255);
    expect(plan.stderr).toContain('is a link to');
    expect(`${run.stdout}${run.stderr}${plan.stdout}${plan.stderr}`).not.toContain('never-leaves-this-machine');
    expect((await api(agent.url, 'GET', '/v1/jobs')).body).toEqual([]);
    expect(agent.log()).not.toContain('never-leaves-this-machine');
  });

  it('a file alone reads its neighbours through links only inside its folder', () => {
    const { jobs, outside } = layout();
    writeFileSync(join(jobs, 'compose.yaml'), compose('secrets.env'));
    writeFileSync(join(jobs, 'local.env'), 'A=1\n');
    symlinkSync('local.env', join(jobs, 'alias.env'));
    symlinkSync(join(outside, 'secrets.env'), join(jobs, 'secrets.env'));
    const { tree } = treeAroundFile(join(jobs, 'compose.yaml'));
    expect(Buffer.from(tree.files.get('alias.env')!).toString()).toBe('A=1\n');
    expect(tree.files.get('secrets.env')).toBeUndefined();
    expect(tree.refused).toEqual(new Map([['secrets.env', join(outside, 'secrets.env')]]));
  });

  it('what the operator names is read: the link\'s target itself, and a --var-file from anywhere', async () => {
    const { base, jobs, outside } = layout();
    symlinkSync(join(outside, 'web.nomad'), join(jobs, 'web.nomad'));
    expect((await cli(['validate', join(outside, 'web.nomad')], { cwd: base })).code).toBe(0);
    writeFileSync(join(jobs, 'vars.nomad'), 'variable "image" {\n  type = string\n}\n\n' + webJob({ id: 'vars' }).replace('"deckhand-demo:v1"', 'var.image'));
    writeFileSync(join(outside, 'prod.vars.hcl'), 'image = "deckhand-demo:v2"\n');
    symlinkSync(join(outside, 'prod.vars.hcl'), join(base, 'prod.vars.hcl'));
    const rendered = await cli(['render', '-o', 'json', '--var-file', 'prod.vars.hcl', 'jobs/vars.nomad'], { cwd: base });
    expect(rendered.stderr).toBe('');
    expect(JSON.parse(rendered.stdout).groups[0].tasks[0].image).toBe('deckhand-demo:v2');
  });
});
