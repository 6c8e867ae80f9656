// Secret scans of every output: a job whose environment holds secret-looking
// values (DB_PASSWORD, AWS_SECRET_ACCESS_KEY, a URL with a password), deployed
// from Git and changed twice, then every way out of the agent is read and
// searched for the values: every GET endpoint, the plan endpoint, versions with
// diffs, the event stream, the agent's log, the CLI (status, history -p, plan,
// deployments) and the plan comment posted on a pull request to a GitHub
// stand-in. The agent's own credentials (API token, webhook secret, GitHub token)
// are searched for too. Each output is one trial.
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitHubStandIn } from '../../test/support/github-stand-in.js';
import { docker } from '../../test/runtime/support.js';
import type { ChaosContext } from '../context.js';
import { collectEvents, deckhandCli, http, jobContainers, waitFor } from '../probes.js';
import { apiRoutes, fillPath } from '../routes.js';
import type { ChaosRow, Tally, Verdict } from '../row.js';
import { held, lost } from '../row.js';
import { chaosJob, followRepository, gitServer, sendWebhook, settledJob } from '../setups.js';

/** Secret values of one version of the job, distinct per run, so any appearance is a leak. */
function secretSet(tag: string): { env: Record<string, string>; values: Record<string, string> } {
  const value = (name: string) => `chaos-${tag}-${name}-${randomBytes(6).toString('hex')}`;
  const password = value('db');
  const aws = value('aws');
  const urlPassword = value('url');
  return {
    env: { DB_PASSWORD: password, AWS_SECRET_ACCESS_KEY: aws, DATABASE_URL: `postgres://app:${urlPassword}@db.internal:5432/app` },
    values: { [`DB_PASSWORD (${tag})`]: password, [`AWS_SECRET_ACCESS_KEY (${tag})`]: aws, [`the password in DATABASE_URL (${tag})`]: urlPassword },
  };
}

/** Which secrets appear in a text, by name (never the value: this goes into the report). */
export function leaks(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}

function scanned(what: string, text: string, secrets: Record<string, string>): Verdict {
  const found = leaks(text, secrets);
  return found.length === 0 ? held() : lost(`${what} shows ${found.join(', ')}`);
}

export const secretsRow: ChaosRow = {
  id: 'secrets',
  fault: 'Secret scans of every output',
  tried:
    'a job with DB_PASSWORD, AWS_SECRET_ACCESS_KEY and a URL password, from Git, changed twice; searched: every GET endpoint, POST plan, versions?diffs=true, the SSE stream, the agent log, the CLI (status, history -p, plan, deployments, -o json) and a pull-request plan comment on a GitHub stand-in; also the API token, webhook secret and GitHub token',
  trials: { quick: 1, full: 1 },
  secondsPerTrial: 25,
  async run(ctx: ChaosContext, tally: Tally): Promise<void> {
    const sets = [secretSet('v0'), secretSet('v1'), secretSet('plan'), secretSet('cli'), secretSet('pr')];
    const apiToken = `chaos-api-${randomBytes(12).toString('hex')}`;
    const webhookSecret = `chaos-hook-${randomBytes(12).toString('hex')}`;
    const githubToken = `ghp_chaos${randomBytes(16).toString('hex')}`;
    const secrets: Record<string, string> = Object.assign({}, ...sets.map((s) => s.values), { 'the API token': apiToken, 'the webhook secret': webhookSecret, 'the GitHub token': githubToken });
    const job = (set: number) => chaosJob({ count: 1, env: sets[set]!.env });

    const standIn = await GitHubStandIn.start({ token: githubToken });
    ctx.defer('close the GitHub stand-in', () => standIn.close());
    const server = await gitServer(ctx);
    const repo = await server.createRepository('secrets');
    const first = await repo.commitAndPush({ 'web.nomad': job(0) }, 'web with secrets');
    const secretsDir = ctx.tempDir('github');
    writeFileSync(join(secretsDir, 'github-token'), githubToken, { mode: 0o600 });
    const runLabel = ctx.newRunLabel('secrets');
    const { agent, dataDir } = await followRepository(ctx, repo, {
      runLabel,
      apiToken,
      webhookSecret,
      extraArgs: ['--github-token-file', join(secretsDir, 'github-token'), '--github-repo', `${standIn.owner}/${standIn.repo}`, '--github-api-url', standIn.apiUrl, '--github-throttle', 'false'],
    });
    const events = await collectEvents(agent.url, apiToken);
    ctx.defer('close the event stream', () => events.stop());
    await settledJob(agent.url, 'web', { token: apiToken });

    // A second version changes every secret: diffs, plans and history now have an old and a new value to show.
    const second = await repo.commitAndPush({ 'web.nomad': job(1) }, 'rotate the secrets');
    await http(agent.url, 'POST', '/v1/sync', { token: apiToken });
    const status = await settledJob(agent.url, 'web', { token: apiToken, version: 1 });
    // The scan means something only if the workload got the real values.
    const [container] = await jobContainers(docker, runLabel, 'web').then((all) => all.filter((c) => c.state === 'running'));
    const env = container ? ((await docker.getContainer(container.id).inspect()).Config.Env ?? []) : [];
    if (!env.includes(`DB_PASSWORD=${sets[1]!.env.DB_PASSWORD}`)) throw new Error(`the running container does not carry the second version's DB_PASSWORD (version ${status.version}): the scan would prove nothing`);

    const ids = { job: 'web', deployment: status.latestDeployment!.id, allocation: status.allocations[0]?.id ?? 'none' };
    const reads = apiRoutes()
      .filter((r) => r.method === 'GET')
      .map((r) => fillPath(r.path, ids));
    for (const path of [...reads, '/v1/job/web/versions?diffs=true', '/v1/job/web/events?limit=1000']) {
      await tally.trial(`GET ${path}`, async () => {
        const answer = await http(agent.url, 'GET', path, { token: apiToken });
        if (answer.status >= 500) return lost(`GET ${path} answered ${answer.status}`);
        return scanned(`GET ${path}`, answer.text, secrets);
      });
    }

    const bundle = { path: 'web.nomad', rootName: 'jobs', files: { 'web.nomad': job(2) } };
    await tally.trial('POST /v1/job/web/plan', async () => {
      const answer = await http(agent.url, 'POST', '/v1/job/web/plan', { token: apiToken, body: JSON.stringify(bundle), headers: { 'content-type': 'application/json' } });
      if (answer.status !== 200) return lost(`POST /v1/job/web/plan answered ${answer.status}: ${answer.text.slice(0, 200)}`);
      return scanned('the plan endpoint', answer.text, secrets);
    });

    const cliEnv = { DECKHAND_ADDR: agent.url, DECKHAND_TOKEN: apiToken };
    const planDir = join(ctx.tempDir('plan'), 'jobs');
    mkdirSync(planDir);
    writeFileSync(join(planDir, 'web.nomad'), job(3));
    const commands = [['status'], ['status', 'web'], ['status', 'web', '-o', 'json'], ['history', 'web', '-p'], ['history', 'web', '-p', '-o', 'json'], ['deployments', 'web'], ['plan', 'web.nomad'], ['plan', 'web.nomad', '-o', 'json'], ['plan', 'web.nomad', '-o', 'markdown']];
    for (const args of commands) {
      await tally.trial(`deckhand ${args.join(' ')}`, async () => {
        const out = await deckhandCli(args, cliEnv, { cwd: planDir });
        // plan exits 1 when there are changes; anything else is a failure to answer.
        const fine = args[0] === 'plan' ? out.code === 0 || out.code === 1 : out.code === 0;
        if (!fine) return lost(`deckhand ${args.join(' ')} exited ${out.code}: ${out.stderr.slice(0, 200)}`);
        return scanned(`deckhand ${args.join(' ')}`, out.stdout + out.stderr, secrets);
      });
    }

    // A pull request changing the secrets again: its plan comment.
    await repo.git('checkout', '-q', '-b', 'rotate-again');
    const prHead = await repo.commit({ 'web.nomad': job(4) }, 'rotate once more');
    await repo.push({ branch: 'rotate-again' });
    standIn.addPullRequest({ number: 7, headSha: prHead, headRef: 'rotate-again' });
    const pr = { number: 7, pull_request: { number: 7, title: 'rotate', merged: false, head: { sha: prHead, ref: 'rotate-again', repo: { clone_url: repo.url } }, base: { ref: 'main' } }, repository: { clone_url: repo.url, full_name: `${standIn.owner}/${standIn.repo}` }, action: 'opened' };
    await tally.trial('the pull request plan comment', async () => {
      const answered = await sendWebhook(agent.url, webhookSecret, 'pull_request', pr, `secrets-${randomBytes(4).toString('hex')}`);
      if (answered !== 202) return lost(`the pull_request webhook answered ${answered}`);
      const comments = await waitFor(() => (standIn.comments(7).length > 0 ? standIn.comments(7) : undefined), 60_000, 250);
      if (!comments) return lost('no plan comment was posted within 60 s');
      if (!comments.some((c) => c.body.includes('DB_PASSWORD'))) return lost('the plan comment does not mention DB_PASSWORD: it shows no environment to scan');
      return scanned('the plan comment', comments.map((c) => c.body).join('\n'), secrets);
    });
    await tally.trial('commit statuses and everything sent to GitHub', async () => {
      const statuses = [first, second, prHead].flatMap((sha) => standIn.statuses(sha));
      return scanned('what was sent to GitHub', JSON.stringify({ statuses, exchanges: standIn.exchanges, comments: standIn.comments(7) }), secrets);
    });

    await tally.trial('GET /v1/events (the stream over two deployments)', async () => {
      const text = events.text();
      if (!text.includes('event:')) return lost('the event stream carried no event over two deployments');
      return scanned('the event stream', text, secrets);
    });
    await tally.trial("the agent's log", async () => scanned("the agent's log", agent.log(), secrets));
    await tally.trial('the data directory readable by its owner only', async () => {
      const modes = [dataDir, join(dataDir, 'deckhand.db')].map((p) => [p, statSync(p).mode & 0o777] as const);
      const open = modes.filter(([, mode]) => (mode & 0o077) !== 0);
      return open.length === 0 ? held() : lost(`readable by others: ${open.map(([p, mode]) => `${p} (${mode.toString(8)})`).join(', ')}`);
    });
  },
};
