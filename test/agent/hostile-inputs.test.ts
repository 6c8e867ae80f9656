// Inputs that used to turn the agent against its host, against a real agent
// process: settings it cannot honour stop the start with a clear error, job
// bundles and jobs over the limits are refused before they cost memory, GitHub's
// form-encoded webhooks are taken (signed over the raw bytes), and a password in
// the repository URL is never logged or shown.
import { request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLimits } from '../../src/api/job-bundle.js';
import { signBody } from '../../src/status/forges/github/webhook.js';
import { api, bundleOf, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { startGitServer } from '../support/git-server.js';
import type { GitServer } from '../support/git-server.js';
import { newRunId, removeRunContainers } from '../runtime/support.js';

type ErrorAnswer = { error: { code: string; message: string } };

const runId = newRunId();
const agents: AgentProcess[] = [];
let server: GitServer | null = null;

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await removeRunContainers(runId);
  await server?.close();
});

async function agentWith(extraArgs: string[] = [], dataDir?: string): Promise<AgentProcess> {
  const agent = await startAgentProcess({ runId, extraArgs, ...(dataDir ? { dataDir } : {}) });
  agents.push(agent);
  return agent;
}

/** The most memory the agent's process has held so far (VmHWM), in MiB. */
function peakMemoryMiB(agent: AgentProcess): number {
  const status = readFileSync(`/proc/${agent.child.pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

/** Resolves once the agent's log matches, as lines arrive (no polling). */
function logShows(agent: AgentProcess, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the agent's log never showed ${pattern}:\n${agent.log()}`)), timeoutMs);
    const check = () => {
      if (pattern.test(agent.log())) done();
    };
    const done = (error?: Error) => {
      clearTimeout(timer);
      agent.child.stderr!.off('data', check);
      agent.child.stdout!.off('data', check);
      if (error) reject(error);
      else resolve();
    };
    agent.child.stderr!.on('data', check);
    agent.child.stdout!.on('data', check);
    check();
  });
}

describe('settings the agent cannot honour stop its start', () => {
  test('a data directory that cannot be made (/proc/x): a clear error at once, not a silent busy loop', async () => {
    await expect(startAgentProcess({ runId, dataDir: '/proc/deckhand-cannot-be-here' })).rejects.toThrow(
      'Error starting the agent: --data-dir: cannot create /proc/deckhand-cannot-be-here: this file system does not allow new folders here',
    );
  }, 20_000);

  test('a reserved label key and a poll interval past the timer limit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-hostile-'));
    await expect(startAgentProcess({ runId, dataDir, extraArgs: ['--labels', 'deckhand.job=evil'] })).rejects.toThrow(
      'command line: --labels: label key "deckhand.job" is reserved: keys starting with "deckhand." are the ones deckhand writes to find its containers; choose another, such as "team"',
    );
    await expect(startAgentProcess({ runId, dataDir, extraArgs: ['--repo', dataDir], env: { DECKHAND_INTERVAL: '720h' } })).rejects.toThrow(
      'environment: DECKHAND_INTERVAL: expected a duration between 1s and 24h, got "720h"',
    );
  });
});

describe('job bundles and jobs over the limits', () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await agentWith(['--max-count', '5']);
  });

  test('too many files, too many bytes, too many values, too large a body: 413 naming the limit, before anything is rendered', async () => {
    // 300,000 tiny files in a 4 MB body took 170 MB of heap to take in: now it is refused before it is parsed.
    const peakBefore = peakMemoryMiB(agent);
    const tiny: Record<string, string> = { 'web.nomad': webJob() };
    for (let i = 0; i < 300_000; i++) tiny[`f${i}`] = '';
    for (const path of ['/v1/jobs', '/v1/job/web/plan']) {
      const answer = await api<ErrorAnswer>(agent.url, 'POST', path, { path: 'web.nomad', rootName: 'jobs', files: tiny });
      expect(answer).toEqual({
        status: 413,
        body: { error: { code: 'body-too-many-members', message: 'the request body holds more than 4000 JSON members; a job bundle holds at most 200 files and 1000 values' } },
      });
    }
    expect(peakMemoryMiB(agent) - peakBefore).toBeLessThan(50);

    const files: Record<string, string> = { 'web.nomad': webJob() };
    for (let i = 0; i < 300; i++) files[`f${i}`] = '';
    const manyFiles = await api<ErrorAnswer>(agent.url, 'POST', '/v1/jobs', { path: 'web.nomad', rootName: 'jobs', files });
    expect(manyFiles).toEqual({
      status: 413,
      body: { error: { code: 'bundle-too-many-files', message: 'the bundle holds 301 files; a bundle may hold at most 200 (the job file and the files its rendering reads: .env, env_file, var files)' } },
    });

    const mebibyte = 'x'.repeat(1024 * 1024);
    const big = { path: 'web.nomad', rootName: 'jobs', files: { 'web.nomad': webJob(), a: mebibyte, b: mebibyte, c: mebibyte, d: mebibyte } };
    const tooLarge = await api<ErrorAnswer>(agent.url, 'POST', '/v1/jobs', big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatchObject({ code: 'bundle-too-large', message: expect.stringMatching(/^the bundle's files hold 4,\d{3} KiB; a bundle may hold at most 4,096 KiB \(a job file is at most 1 MiB\)$/) });

    const env = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`V${i}`, 'x']));
    const values = await api<ErrorAnswer>(agent.url, 'POST', '/v1/jobs', { ...bundleOf(webJob()), env });
    expect(values.body.error).toEqual({ code: 'bundle-too-many-values', message: 'the bundle holds 2000 variables and environment values; a bundle may hold at most 1000' });

    // A body announced past 8 MiB is answered before it is sent (and the connection closed: no body is read).
    const oversized = await new Promise<{ status: number | undefined; body: ErrorAnswer }>((resolve, reject) => {
      const req = request(`${agent.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(9 * 1024 * 1024), expect: '100-continue' } });
      req.once('error', reject);
      req.once('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.once('end', () => {
          req.destroy();
          resolve({ status: res.statusCode, body: JSON.parse(text) as ErrorAnswer });
        });
      });
      req.flushHeaders();
    });
    expect(oversized).toEqual({
      status: 413,
      body: { error: { code: 'body-too-large', message: 'the request body is over 8 MiB; a job bundle holds one job file (at most 1 MiB) and the few files its rendering reads' } },
    });
    expect((await api(agent.url, 'GET', '/v1/jobs')).body).toEqual([]);
  });

  test(`at most ${bundleLimits.maxConcurrent} bundles are received at once; the next is told to come back (429)`, async () => {
    // Requests that have sent their headers but not their bodies hold their places.
    const slow: Array<{ req: ClientRequest; answer: Promise<IncomingMessage> }> = [];
    for (let i = 0; i < bundleLimits.maxConcurrent; i++) {
      const req = request(`${agent.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', expect: '100-continue' } });
      const answer = new Promise<IncomingMessage>((resolve) => req.once('response', resolve));
      // The agent answers 100 Continue once the request is in: its place is taken by then.
      await new Promise<void>((resolve) => req.once('continue', resolve));
      req.write('{"path": "web.nomad", ');
      slow.push({ req, answer });
    }
    const refused = await fetch(`${agent.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bundleOf(webJob())) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ error: { code: 'too-many-bundles', message: `the agent is already receiving ${bundleLimits.maxConcurrent} job bundles; try again in a moment` } });

    // Finished, they free their places: a bundle is taken again (a job over max-count, refused on its merits).
    for (const { req } of slow) req.end('"rootName": "jobs"}');
    expect(await Promise.all(slow.map(async ({ answer }) => (await answer).statusCode))).toEqual(Array(bundleLimits.maxConcurrent).fill(400));
    const taken = await api<ErrorAnswer>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 6 })));
    expect(taken.status).toBe(400);
    expect(taken.body.error).toMatchObject({ code: 'invalid-job', message: "web.nomad:3:13: count: must be at most 5, got 6 (the limit is the agent's max-count setting)" });
  });

  test('a count of 1,000,000 is refused at its line, and nothing is recorded', async () => {
    const answer = await api<ErrorAnswer>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ count: 1_000_000 })));
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe("web.nomad:3:13: count: must be at most 5, got 1000000 (the limit is the agent's max-count setting)");
    expect((await api(agent.url, 'GET', '/v1/jobs')).body).toEqual([]);
  });
});

describe('credentials and webhooks', () => {
  const secret = 'webhook-secret-for-hostile-tests';
  const password = 'pw-in-the-url-7f3a';

  test('a password in the repository URL is used but never logged or shown; form-encoded webhooks sync, other content types get a 415 that says which to choose', async () => {
    server = await startGitServer({ token: password });
    const repo = await server.createRepository('creds');
    const first = await repo.commitAndPush({ 'README.md': 'jobs live here\n' }, 'start');
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-hostile-'));
    writeFileSync(join(dataDir, 'webhook-secret'), secret);
    const withPassword = repo.url.replace('http://', `http://deckhand:${password}@`);
    const agent = await agentWith(['--repo', withPassword, '--interval', '1h', '--webhook-secret-file', join(dataDir, 'webhook-secret')], dataDir);
    // The password fetched the first commit (the server refuses requests without it).
    await logShows(agent, new RegExp(`syncing ${first.slice(0, 7)}`));
    expect(agent.log()).toContain(`following ${repo.url}`);

    const second = await repo.commitAndPush({ 'README.md': 'more\n' }, 'second');
    const payload = JSON.stringify({
      ref: 'refs/heads/main',
      before: first,
      after: second,
      forced: false,
      deleted: false,
      repository: { clone_url: repo.url, full_name: `test/${repo.name}` },
      pusher: { name: 'tester' },
      head_commit: { message: 'second' },
    });
    // GitHub's default: the JSON in a `payload` form field, signed over the form's bytes.
    const form = `payload=${encodeURIComponent(payload)}`;
    const deliver = (body: string, contentType: string, signature: string) =>
      fetch(`${agent.url}/v1/webhooks/github`, {
        method: 'POST',
        headers: { 'content-type': contentType, 'x-github-event': 'push', 'x-github-delivery': `d-${contentType}-${signature.slice(-6)}`, 'x-hub-signature-256': signature },
        body,
      });
    const text = await deliver(payload, 'text/plain', signBody(secret, Buffer.from(payload)));
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({
      error: { code: 'unsupported-media-type', message: 'a webhook body of type "text/plain" is not understood: set the webhook\'s content type to application/json or application/x-www-form-urlencoded, the two GitHub offers' },
    });
    expect((await deliver(form, 'application/x-www-form-urlencoded', signBody(secret, Buffer.from(payload)))).status).toBe(401);
    const accepted = await deliver(form, 'application/x-www-form-urlencoded', signBody(secret, Buffer.from(form)));
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ ok: true, queued: 'sync' });
    await logShows(agent, new RegExp(`syncing ${second.slice(0, 7)}`));

    const state = await api(agent.url, 'GET', '/v1/sync');
    expect(JSON.stringify(state.body)).not.toContain(password);
    expect(agent.log()).not.toContain(password);
  });
});
