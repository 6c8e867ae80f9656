// Hostile inputs through every door: API bodies, job files (through the plan
// endpoint, which renders as a submit does but places nothing, and through Git),
// webhooks and the agent's flags. Held: a clear 4xx (or a refusal to start naming
// the flag), the agent still healthy and its resident memory under a bound.
// Lost: a crash, a hang, a 5xx, memory blowing up, or accepted when it should
// have been refused. Each input is one trial.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { signBody } from '../../src/status/forges/github/webhook.js';
import { testLabel } from '../../test/runtime/support.js';
import type { GitServer, TestRepository } from '../../test/support/git-server.js';
import type { ChaosContext } from '../context.js';
import { deckhandProgram } from '../context.js';
import { cpuSeconds, http, jsonOf, postEarlyAnswer, RssSampler, waitFor } from '../probes.js';
import type { HttpAnswer } from '../probes.js';
import type { ChaosRow, Tally, Verdict } from '../row.js';
import { held, lost } from '../row.js';
import { chaosJob, followRepository, gitServer, restartFollowing, settledJob } from '../setups.js';
import type { FollowingAgent } from '../setups.js';

/** The agent's resident memory may peak at this while it refuses what it is sent (idle: about 100 MiB). */
export const rssLimitMiB = 384;
const webhookSecret = 'hostile-webhook-secret';
const json = { 'content-type': 'application/json' };

interface Probe {
  door: 'API body' | 'job file' | 'webhook' | 'flag';
  name: string;
  run(env: ProbeEnv): Promise<Verdict>;
}

interface ProbeEnv {
  ctx: ChaosContext;
  url: string;
  server: GitServer;
  repo: TestRepository;
  /** A repository without job files, for agents started with a hostile flag: one that starts must deploy nothing. */
  flagRepo: TestRepository;
  following: FollowingAgent;
  runLabel: string;
}

/** A 4xx with an error body is a clear refusal (of one of `statuses`, when given); anything else is what it is. */
function refused(answer: HttpAnswer, statuses: number[] = []): Verdict {
  const body = jsonOf<{ error?: { message?: string } }>(answer);
  const clear = answer.status >= 400 && answer.status < 500 && typeof body?.error?.message === 'string' && body.error.message.length > 0;
  if (clear && (statuses.length === 0 || statuses.includes(answer.status))) return held();
  if (answer.status >= 500) return lost(`${answer.status}: ${answer.text.slice(0, 160)}`);
  if (answer.status < 400) return lost(`accepted (${answer.status}) when it should be refused`);
  return lost(`${answer.status}${statuses.length > 0 ? ` (expected ${statuses.join(' or ')})` : ''}, ${clear ? '' : 'without an error message: '}${answer.text.slice(0, 160)}`);
}

/** A control: the same input made harmless must be accepted, or a refusal of the hostile one proves nothing. */
async function control(answer: Promise<HttpAnswer>, what: string): Promise<void> {
  const { status, text } = await answer;
  if (status !== 200) throw new Error(`the control (${what}) was refused too (${status}: ${text.slice(0, 160)}): the probe's job file is broken`);
}

const bundle = (files: Record<string, string>, path = Object.keys(files)[0]!) => ({ path, rootName: 'jobs', files });
const post = (url: string, path: string, body: string, headers: Record<string, string> = json, timeoutMs = 60_000) => http(url, 'POST', path, { body, headers, timeoutMs });
const plan = (url: string, jobId: string, files: Record<string, string>, path?: string) => post(url, `/v1/job/${jobId}/plan`, JSON.stringify(bundle(files, path)));

/** 300,000 tiny files beside a valid job file, about 6 MB of JSON: under the 8 MiB body limit. */
function manyFilesBody(): string {
  const files: Record<string, string> = { 'many.nomad': chaosJob({ id: 'hostile-many', count: 1 }) };
  for (let i = 0; i < 300_000; i++) files[`f/${i}`] = 'x';
  return JSON.stringify(bundle(files, 'many.nomad'));
}

/** A job of `n` groups, written tight: 10,000 of them stay under the 1 MiB a job file may take, so only their number can be refused. */
function groups(n: number): string {
  const group = (i: number) => `group "g${i}" {\ntask "t" {\ndriver = "docker"\nconfig {\nimage = "deckhand-demo:v1"\n}\n}\n}\n`;
  return `job "hostile-groups" {\n${Array.from({ length: n }, (_, i) => group(i)).join('')}}\n`;
}

const aliasBomb = ['services:', '  web:', '    image: deckhand-demo:v1', '    environment:', '      A: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat(['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((name, i) => `      ${name.toUpperCase()}: &${name} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`))
  .join('\n');
const deepHcl = `job "deep" {\n  meta {\n    x = ${'{ a = '.repeat(20_000)}1${' }'.repeat(20_000)}\n  }\n}\n`;
const deepYaml = `services:\n  web:\n    image: deckhand-demo:v1\n    labels: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
const binary = randomBytes(64 * 1024).toString('latin1');

function webhook(url: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return post(url, '/v1/webhooks/github', body, { 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), ...headers });
}

const pushPayload = (repo: TestRepository) => JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: '1'.repeat(40), repository: { clone_url: repo.url, full_name: 'chaos/hostile' } });

/** Sends a job file to the repository and waits for the sync to report it; the file is removed again after. */
async function throughGit(env: ProbeEnv, path: string, text: string): Promise<Verdict> {
  const sha = await env.repo.commitAndPush({ [path]: text }, `hostile ${path}`);
  try {
    await http(env.url, 'POST', '/v1/sync');
    const sync = await waitFor(async () => {
      const state = jsonOf<{ sha: string | null; lastError: string | null; problems: string[] }>(await http(env.url, 'GET', '/v1/sync'));
      if (state?.lastError) return state;
      return state?.sha === sha ? state : undefined;
    }, 60_000, 250);
    if (!sync) return lost(`the sync of ${path} did not finish within 60 s`);
    const said = [sync.lastError ?? '', ...sync.problems].join(' ');
    if (!said.includes(path)) return lost(`GET /v1/sync does not name ${path}: ${said.slice(0, 200) || 'no problem reported'}`);
    const web = await settledJob(env.url, 'web');
    if (web.version !== 0 || web.stopped) return lost(`the running job was touched: version ${web.version}, stopped ${web.stopped}`);
    return held();
  } finally {
    await env.repo.commitAndPush({ [path]: null }, `remove ${path}`);
  }
}

type FlagOutcome = { refused: true; code: number | null; output: string } | { refused: false; url: string | null; child: ChildProcess; output: string };

/** `deckhand agent` with one hostile flag (after a run label of its own, so an agent that starts sees no container but its own). */
function agentWith(ctx: ChaosContext, flags: string[], timeoutMs = 10_000): Promise<FlagOutcome> {
  const runLabel = ctx.newRunLabel('flag');
  const dataDir = ctx.tempDir('flag');
  const args = ['agent', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--labels', `${testLabel}=${runLabel}`, ...flags];
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DECKHAND_')));
  const child = spawn(deckhandProgram, args, { env: inherited, stdio: ['ignore', 'pipe', 'pipe'] });
  ctx.defer('kill an agent started with a hostile flag', () => void child.kill('SIGKILL'));
  let output = '';
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ refused: false, url: null, child, output }), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /deckhand agent listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ refused: false, url: match[1]!, child, output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ refused: true, code, output });
    });
  });
}

/** Refused with a message naming `name`; an agent that started is measured (what did it do?) and killed. */
async function flagRefused(env: ProbeEnv, flags: string[], name: RegExp, measure?: (url: string | null, child: ChildProcess) => Promise<string>): Promise<Verdict> {
  const outcome = await agentWith(env.ctx, flags);
  if (outcome.refused) {
    if (outcome.code === 0) return lost('the agent exited 0 instead of refusing');
    return name.test(outcome.output) ? held() : lost(`refused, but the message does not name the setting: ${outcome.output.trim().slice(0, 200)}`);
  }
  const seen = measure ? await measure(outcome.url, outcome.child) : '';
  outcome.child.kill('SIGKILL');
  return lost(`${outcome.url ? 'accepted (the agent started)' : 'the agent neither started nor exited within 10 s'}${seen ? `; ${seen}` : ''}`);
}

function probes(): Probe[] {
  const tooBig = JSON.stringify(bundle({ 'web.nomad': 'x'.repeat(9 * 1024 * 1024) }));
  return [
    { door: 'API body', name: 'malformed JSON', run: async ({ url }) => refused(await post(url, '/v1/jobs', '{"path": "web.nomad", "files": {'), [400]) },
    { door: 'API body', name: 'empty body', run: async ({ url }) => refused(await post(url, '/v1/jobs', ''), [400]) },
    { door: 'API body', name: 'a 9 MiB body', run: async ({ url }) => refused(await postEarlyAnswer(url, '/v1/jobs', tooBig, json), [413]) },
    { door: 'API body', name: 'text/plain', run: async ({ url }) => refused(await post(url, '/v1/jobs', JSON.stringify(bundle({ 'web.nomad': chaosJob() })), { 'content-type': 'text/plain' })) },
    {
      door: 'API body',
      name: 'wrong types',
      run: async ({ url }) => refused(await post(url, '/v1/jobs', JSON.stringify({ path: 5, rootName: [], files: 'web.nomad' })), [400]),
    },
    {
      door: 'API body',
      name: 'deep nesting (100,000 levels)',
      run: async ({ url }) => refused(await post(url, '/v1/jobs', `{"path":"web.nomad","rootName":"jobs","files":{"web.nomad":"x"},"variables":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), [400]),
    },
    {
      door: 'API body',
      name: 'an unknown field (checkindex, for checkIndex)',
      run: async ({ url, repo }) => {
        // The job as it runs, with a misspelt guard that, spelt right, would refuse it (the job exists: index 0 means "must not").
        const text = await repo.git('show', 'HEAD:web.nomad');
        return refused(await post(url, '/v1/jobs', JSON.stringify({ ...bundle({ 'web.nomad': text }), checkindex: 0 })), [400]);
      },
    },
    { door: 'API body', name: '300,000 files in one bundle', run: async ({ url }) => refused(await post(url, '/v1/jobs', manyFilesBody())) },
    {
      door: 'API body',
      name: '24 bundles of 300,000 files at once',
      run: async ({ url }) => {
        const body = manyFilesBody();
        const answers = await Promise.all(Array.from({ length: 24 }, () => post(url, '/v1/jobs', body, json, 120_000)));
        const accepted = answers.filter((a) => a.status < 400).length;
        const failed = answers.filter((a) => a.status >= 500).length;
        if (failed > 0) return lost(`${failed} answered 5xx`);
        return accepted === 0 ? held() : lost(`${accepted} of 24 accepted`);
      },
    },
    {
      door: 'job file',
      name: 'count = 1000000 (plan)',
      run: async ({ url }) => {
        await control(plan(url, 'hostile-count', { 'count.nomad': chaosJob({ id: 'hostile-count', count: 2 }) }), 'the same job with count = 2');
        return refused(await plan(url, 'hostile-count', { 'count.nomad': chaosJob({ id: 'hostile-count', count: 1_000_000 }) }));
      },
    },
    {
      door: 'job file',
      name: '10,000 groups (plan)',
      run: async ({ url }) => {
        await control(plan(url, 'hostile-groups', { 'groups.nomad': groups(3) }), 'the same job with 3 groups');
        return refused(await plan(url, 'hostile-groups', { 'groups.nomad': groups(10_000) }));
      },
    },
    { door: 'job file', name: 'YAML alias bomb (plan)', run: async ({ url }) => refused(await plan(url, 'jobs', { 'compose.yaml': aliasBomb }), [400]) },
    { door: 'job file', name: 'HCL nested 20,000 deep (plan)', run: async ({ url }) => refused(await plan(url, 'deep', { 'deep.nomad': deepHcl }), [400]) },
    { door: 'job file', name: 'YAML nested 50,000 deep (plan)', run: async ({ url }) => refused(await plan(url, 'jobs', { 'compose.yaml': deepYaml }), [400]) },
    { door: 'job file', name: '64 KiB of random bytes (plan)', run: async ({ url }) => refused(await plan(url, 'web', { 'web.nomad': binary }), [400]) },
    { door: 'job file', name: 'YAML alias bomb (Git)', run: (env) => throughGit(env, 'bomb/compose.yaml', aliasBomb) },
    { door: 'job file', name: 'HCL nested 20,000 deep (Git)', run: (env) => throughGit(env, 'deep.nomad', deepHcl) },
    { door: 'job file', name: '64 KiB of random bytes (Git)', run: (env) => throughGit(env, 'binary.nomad', binary) },
    {
      door: 'webhook',
      name: 'no signature',
      run: async ({ url, repo }) => refused(await webhook(url, pushPayload(repo), json), [401]),
    },
    {
      door: 'webhook',
      name: 'a wrong signature',
      run: async ({ url, repo }) => refused(await webhook(url, pushPayload(repo), { ...json, 'x-hub-signature-256': signBody('not-the-secret', Buffer.from(pushPayload(repo))) }), [401]),
    },
    {
      door: 'webhook',
      name: 'a replayed delivery',
      run: async ({ url, repo }) => {
        const body = pushPayload(repo);
        const headers = { ...json, 'x-github-delivery': `replay-${randomBytes(4).toString('hex')}`, 'x-hub-signature-256': signBody(webhookSecret, Buffer.from(body)) };
        const first = await webhook(url, body, headers);
        const again = await webhook(url, body, headers);
        if (first.status !== 202) return lost(`the first delivery answered ${first.status}: ${first.text.slice(0, 120)}`);
        return jsonOf<{ duplicate?: boolean }>(again)?.duplicate === true ? held() : lost(`the replayed delivery answered ${again.status} ${again.text.slice(0, 120)}, not a duplicate`);
      },
    },
    {
      door: 'webhook',
      name: "GitHub's default content type (form-encoded), signed",
      run: async ({ url, repo }) => {
        const body = `payload=${encodeURIComponent(pushPayload(repo))}`;
        const answer = await webhook(url, body, { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': signBody(webhookSecret, Buffer.from(body)) });
        return answer.status >= 200 && answer.status < 300 ? held() : lost(`a signed form-encoded delivery (GitHub's default) answered ${answer.status}: ${answer.text.slice(0, 120)}`);
      },
    },
    {
      door: 'webhook',
      name: 'text/plain, signed',
      run: async ({ url, repo }) => {
        const body = pushPayload(repo);
        return refused(await webhook(url, body, { 'content-type': 'text/plain', 'x-hub-signature-256': signBody(webhookSecret, Buffer.from(body)) }), [415]);
      },
    },
    {
      door: 'webhook',
      name: 'a 9 MiB delivery',
      run: async ({ url }) =>
        refused(await postEarlyAnswer(url, '/v1/webhooks/github', tooBig, { ...json, 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody(webhookSecret, Buffer.from(tooBig)) }), [413]),
    },
    {
      door: 'flag',
      name: '--interval 720h',
      run: (env) => flagRefused(env, ['--repo', env.flagRepo.url, '--interval', '720h'], /interval/i, (url) => gitRequests(env, url)),
    },
    { door: 'flag', name: '--interval 1ms', run: (env) => flagRefused(env, ['--repo', env.flagRepo.url, '--interval', '1ms'], /interval/i, (url) => gitRequests(env, url)) },
    { door: 'flag', name: '--labels deckhand.job=…', run: (env) => flagRefused(env, ['--labels', `deckhand.job=${env.runLabel}`], /label/i) },
    {
      door: 'flag',
      name: '--data-dir /proc/…',
      run: (env) =>
        flagRefused(env, ['--data-dir', `/proc/deckhand-chaos-${randomBytes(3).toString('hex')}`], /data.?dir|\/proc/i, async (_url, child) => {
          const before = cpuSeconds(child.pid!);
          await new Promise((resolve) => setTimeout(resolve, 3000));
          const after = cpuSeconds(child.pid!);
          return before === null || after === null ? '' : `it used ${Math.round(((after - before) / 3) * 100)}% of a core meanwhile`;
        }),
    },
  ];
}

/** Git requests an agent made in 3 s (with --interval 1ms or 720h, a storm). */
async function gitRequests(env: ProbeEnv, url: string | null): Promise<string> {
  if (!url) return '';
  const before = env.server.requests.length;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return `${env.server.requests.length - before} Git requests in the next 3 s`;
}

export const hostileRow: ChaosRow = {
  id: 'hostile',
  fault: 'Hostile inputs',
  tried: `API bodies (malformed, empty, 9 MiB, text/plain, wrong types, 100,000-deep nesting, an unknown field, 300,000 files, 24 such at once); job files through plan and Git (count = 1000000, 10,000 groups, alias bomb, 20,000/50,000-deep nesting, random bytes); webhooks (no/wrong signature, replay, form-encoded, text/plain, 9 MiB); flags (--interval 720h / 1ms, --labels deckhand.job=…, --data-dir /proc/…). Held: a clear 4xx or refusal naming the setting, health 200 after, RSS under ${rssLimitMiB} MiB`,
  trials: { quick: 1, full: 1 },
  secondsPerTrial: 90,
  async run(ctx: ChaosContext, tally: Tally): Promise<void> {
    const server = await gitServer(ctx);
    const repo = await server.createRepository('hostile');
    await repo.commitAndPush({ 'web.nomad': chaosJob({ count: 1 }) }, 'web');
    const flagRepo = await server.createRepository('flags');
    await flagRepo.commitAndPush({ 'README.md': 'no jobs here\n' }, 'no jobs');
    const runLabel = ctx.newRunLabel('hostile');
    let following = await followRepository(ctx, repo, { runLabel, webhookSecret });
    await settledJob(following.agent.url, 'web');
    let sampler = new RssSampler(following.agent.child.pid!);
    ctx.defer('stop sampling memory', () => sampler.stop());
    const baseline = sampler.peak;
    let peak = 0;

    for (const probe of probes()) {
      const what = `${probe.door}: ${probe.name}`;
      await tally.trial(what, async () => {
        sampler.reset();
        const env: ProbeEnv = { ctx, url: following.agent.url, server, repo, flagRepo, following, runLabel };
        let verdict: Verdict;
        try {
          verdict = await probe.run(env);
        } catch (error) {
          const agentGone = following.agent.child.exitCode !== null || following.agent.child.signalCode !== null;
          const name = (error as Error).name;
          if (agentGone) verdict = lost(`the agent died (${following.agent.child.exitCode ?? following.agent.child.signalCode})`);
          else if (name === 'TimeoutError' || name === 'AbortError') verdict = lost('no answer in time (a hang)');
          else if (/fetch failed|ECONNRESET|socket/i.test(`${(error as Error).message} ${String((error as Error).cause)}`)) verdict = lost(`the connection failed: ${String((error as Error).cause ?? (error as Error).message)}`);
          else throw error;
        }
        const top = sampler.peak;
        peak = Math.max(peak, top);
        const problems: string[] = [];
        if (!verdict.held) problems.push(verdict.why);
        if (top > rssLimitMiB) problems.push(`resident memory peaked at ${Math.round(top)} MiB (bound ${rssLimitMiB})`);
        const alive = following.agent.child.exitCode === null && following.agent.child.signalCode === null;
        const healthy = alive && (await waitFor(async () => (await http(following.agent.url, 'GET', '/v1/agent/health', { timeoutMs: 5000 })).status === 200, 15_000, 250));
        if (!healthy) problems.push(alive ? '/v1/agent/health did not say 200 within 15 s after' : 'the agent was gone after it');
        if (!alive || !healthy || top > rssLimitMiB) {
          // The next probe needs an agent, and one whose memory this probe did not inflate: start it
          // again (same data directory, so the job is still there).
          sampler.stop();
          await following.agent.stop('SIGKILL');
          following = await restartFollowing(ctx, following, { webhookSecret });
          sampler = new RssSampler(following.agent.child.pid!);
        }
        return problems.length === 0 ? held() : lost(problems.join('; '));
      });
    }
    tally.note(`agent RSS ${Math.round(baseline)} MiB idle, ${Math.round(peak)} MiB at the highest`);
  },
};
