// Issue 15's command-line papercuts: the agent address and token as flags, what
// a mistyped address says, Nomad's single-dash flags, an unexpected error in one
// line, and a reader that leaves a pipe early.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentAddress } from '../../src/cli/client.js';
import { cli } from '../helpers/cli.js';

/** A stand-in agent that answers GET /v1/jobs with many jobs, and records the auth header it was sent. */
async function fakeAgent(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const jobs = Array.from({ length: 2000 }, (_, i) => ({ id: `job-${i}`, type: 'service', status: 'running', version: 1, modifyIndex: 1, stopped: false, summary: {} }));
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? '-'}`);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(request.url === '/v1/jobs' ? jobs : []));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the agent address', () => {
  it.each([
    ['localhost:4646', 'has no scheme: write http://localhost:4646'],
    ['http://127.0.0.1:4646/v1', 'goes past the agent: write http://127.0.0.1:4646'],
    ['http://127.0.0.1:4646/v1/', 'goes past the agent: write http://127.0.0.1:4646'],
    ['ftp://127.0.0.1:4646', 'expected http:// or https://, got ftp://'],
  ])('%s is refused with what to write', async (address, message) => {
    const run = await cli(['status'], { env: { DECKHAND_ADDR: address } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('keeps a reverse proxy prefix and drops a trailing slash', () => {
    expect(agentAddress('https://ops.example/deckhand/')).toBe('https://ops.example/deckhand');
    expect(agentAddress('http://127.0.0.1:4646/')).toBe('http://127.0.0.1:4646');
  });

  it('--addr and --token stand in for DECKHAND_ADDR and DECKHAND_TOKEN, after the command too', async () => {
    const agent = await fakeAgent();
    try {
      const before = await cli(['--addr', agent.url, '--token', 's3cret', 'status', '-o', 'json'], { env: { DECKHAND_ADDR: 'http://127.0.0.1:1' } });
      expect(before.code).toBe(0);
      const after = await cli(['status', '--addr', agent.url, '-o', 'json']);
      expect(after.code).toBe(0);
      expect(agent.seen.filter((line) => line.startsWith('GET /v1/jobs '))).toEqual(['GET /v1/jobs Bearer s3cret', 'GET /v1/jobs -']);
    } finally {
      await agent.close();
    }
  });

  it('--help names the flags and the environment variables', async () => {
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/--addr <url>/);
    expect(help.stdout).toMatch(/--token <token>/);
    expect(help.stdout).toMatch(/DECKHAND_ADDR/);
    expect(help.stdout).toMatch(/DECKHAND_TOKEN/);
  });
});

describe("Nomad's habits", () => {
  it('-check-index is read as --check-index', async () => {
    const run = await cli(['run', '-check-index', 'x', 'job.nomad']);
    expect(run.stderr).toContain('--check-index "x": expected a whole number');
  });
});

describe('a reader that leaves early', () => {
  it('`deckhand status -o json | head -c 100` ends quietly', async () => {
    const agent = await fakeAgent();
    try {
      const child = spawn(process.execPath, ['bin/deckhand.js', 'status', '-o', 'json'], { env: { ...process.env, DECKHAND_ADDR: agent.url }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Read the first bytes, then close the pipe as `head` does.
      await once(child.stdout, 'data');
      child.stdout.destroy();
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(stderr).toBe('');
      expect(code).toBe(0);
    } finally {
      await agent.close();
    }
  });
});

describe('an agent told to watch a folder that is not a repository', () => {
  it('stops at once with one line saying what to do', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const folder = mkdtempSync(join(tmpdir(), 'deckhand-not-a-repo-'));
    const child = spawn(process.execPath, ['bin/deckhand.js', 'agent', '--repo', folder, '--watch', '--data-dir', join(folder, 'data'), '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toBe(`Error starting the agent: ${folder} is not a Git repository (run 'git init' there and commit the job files, or point --repo at a repository)\n`);
  });
});
