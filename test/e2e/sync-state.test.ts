// Sync state and self-heal end to end: a repository over smart HTTP, a real agent
// process following it (self-heal on, its default), the real Docker engine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobStatusView, JobSummaryView } from '../../src/api/views.js';
import type { JobSync } from '../../src/status/job-sync.js';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { agentClient, api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { cli } from '../helpers/cli.js';
import { containersOf } from './support.js';
import { deployedFrom } from './gitops-support.js';
import type { VersionRow } from './gitops-support.js';
import { docker, ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

function job(image: string): string {
  return webJob({ image, count: 2, maxParallel: 2, healthyDeadline: '10s', progressDeadline: '15s' });
}

let server: GitServer;
const agents: AgentProcess[] = [];
const runId = newRunId();

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await removeRunContainers(runId);
  await server?.close();
});

/** Resolves with the first answer of `probe` that is not undefined, asking again at each event of the agent (and each second). */
async function until<T>(url: string, what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  let wake!: () => void;
  let woken = new Promise<void>((resolve) => (wake = resolve));
  const stream = await agentClient(url).events({}, () => wake());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await Promise.race([woken, new Promise((resolve) => setTimeout(resolve, 1000))]);
      woken = new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.close();
  }
}

describe('sync state and self-heal of a Git-owned job', () => {
  test('synced, out of sync after a broken commit, degraded after an auto-revert, manual changes refused or healed, docker rm -f healed', async () => {
    const repo = await server.createRepository('sync-state');
    const first = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v1') }, 'web v1');
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-sync-state-'));
    const agent = await startAgentProcess({ runId, dataDir, extraArgs: ['--repo', repo.url, '--branch', 'main', '--interval', '1m'] });
    agents.push(agent);
    const url = agent.url;
    const syncOf = async () => (await api<JobStatusView>(url, 'GET', '/v1/job/web')).body.sync;
    const syncIs = (state: JobSync['state'], commit: string, what: string) =>
      until(url, `${what}: ${state} at ${commit.slice(0, 7)}`, async () => {
        const sync = await syncOf();
        return sync?.state === state && sync.commit === commit ? sync : undefined;
      });
    const syncNow = () => api(url, 'POST', '/v1/sync');
    const status = (args: string[]) => cli(['status', ...args], { env: { DECKHAND_ADDR: url } });

    // After the first push: synced, in the API, the CLI and metrics.
    await deployedFrom(url, 'web', first);
    expect(await syncIs('synced', first, 'after the first push')).toEqual({ state: 'synced', reason: null, commit: first });
    const listed = (await api<JobSummaryView[]>(url, 'GET', '/v1/jobs')).body;
    expect(listed.map((j) => [j.id, j.sync?.state])).toEqual([['web', 'synced']]);
    expect((await status([])).stdout).toMatch(/^ID\s+Format\s+Version\s+Status\s+Sync\s+Latest Deployment\n.*web\s+nomad\s+0\s+running\s+synced\s/m);
    expect((await status(['web'])).stdout).toMatch(new RegExp(`^Sync\\s+= synced at ${first.slice(0, 7)}$`, 'm'));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^deckhand_jobs_sync\{state="synced"\} 1$/m);
    expect(metrics).toMatch(/^deckhand_jobs_sync\{state="out of sync"\} 0$/m);

    // A broken commit: out of sync, with the file, line and column; what runs is untouched.
    const broken = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v3').replace('count = 2', 'count = "two"') }, 'broken');
    await syncNow();
    const outOfSync = await syncIs('out of sync', broken, 'after a broken commit');
    expect(outOfSync.reason).toMatch(/^render error: web\.nomad:3:\d+: .*the job keeps running as it was$/);
    expect((await status(['web'])).stdout).toMatch(/^Sync\s+= out of sync at [0-9a-f]{7}: render error: web\.nomad:3:\d+: /m);

    // A failing image with auto_revert: degraded, naming the commit rolled back, while no commit changes the job.
    const failing = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v10') }, 'web v10 (missing image)');
    await syncNow();
    expect((await deployedFrom(url, 'web', failing)).deployment.status).toBe('failed');
    const degraded = await until(url, 'the rollback to end', async () => {
      const sync = await syncOf();
      return sync?.state === 'degraded' && !sync.reason?.includes('rolling back now') ? sync : undefined;
    });
    expect(degraded).toEqual({ state: 'degraded', reason: `commit ${failing.slice(0, 7)} failed to deploy and was rolled back to version 0; a new commit changing the job clears this`, commit: failing });
    expect((await api<JobSummaryView[]>(url, 'GET', '/v1/jobs')).body[0]!.sync).toEqual(degraded);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^deckhand_jobs_sync\{state="degraded"\} 1$/m);

    // A new commit that changes the job: synced again.
    const fixed = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v2') }, 'web v2');
    await syncNow();
    expect((await deployedFrom(url, 'web', fixed)).deployment.status).toBe('successful');
    await syncIs('synced', fixed, 'after a fixing commit');

    // A manual run is refused while self-heal is on, saying how to force it.
    const refused = await api<{ error: { code: string; message: string } }>(url, 'POST', '/v1/jobs', bundleOf(job('deckhand-demo:v1')));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('git-owned');
    expect(refused.body.error.message).toMatch(/^job "web" is defined in Git \(web\.nomad at commit [0-9a-f]{7}\) and the agent self-heals: a manual run would be undone at the next sync\..*--force/);
    const stopRefused = await cli(['stop', 'web'], { env: { DECKHAND_ADDR: url } });
    expect(stopRefused.code).toBe(1);
    expect(stopRefused.stderr).toMatch(/a manual stop would be undone at the next sync.*deckhand stop --force/);
    const revertRefused = await api<{ error: { code: string } }>(url, 'POST', '/v1/job/web/revert', { version: 0 });
    expect([revertRefused.status, revertRefused.body.error.code]).toEqual([409, 'git-owned']);
    expect((await api<VersionRow[]>(url, 'GET', '/v1/job/web/versions')).body[0]).toMatchObject({ version: 3, commit: fixed });

    // Forced, it runs, shows as out of sync, and the next sync puts Git's version back.
    const forced = await api<{ jobs: Array<{ version: number; deploymentId: string }> }>(url, 'POST', '/v1/jobs', { ...bundleOf(job('deckhand-demo:v1')), force: true });
    expect(forced.status).toBe(200);
    expect((await deploymentEnd(url, forced.body.jobs[0]!.deploymentId)).status).toBe('successful');
    expect(await syncOf()).toEqual({ state: 'out of sync', reason: "manual run (version 4); self-heal puts Git's version back at the next sync", commit: fixed });
    await syncNow();
    const healed = await until(url, "Git's version back", async () => {
      const [latest] = (await api<VersionRow[]>(url, 'GET', '/v1/job/web/versions')).body;
      return latest?.version === 5 ? latest : undefined;
    });
    expect(healed).toMatchObject({ commit: fixed, source: { kind: 'git', revertOf: 3 } });
    const submitted = (await api<Array<{ type: string; message: string }>>(url, 'GET', '/v1/job/web/events')).body.filter((e) => e.type === 'submitted').map((e) => e.message);
    expect(submitted.filter((m) => m.includes('self-heal'))).toEqual([`commit ${fixed.slice(0, 7)}: self-heal: Git's version back over a change by hand, version 5, rolling back to job version 3`]);
    await syncIs('synced', fixed, 'after self-heal of a manual run');
    expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v2', 'deckhand-demo:v2']);

    // docker rm -f behind deckhand's back: put back, synced again.
    const [victim, survivor] = await containersOf(runId, 'web');
    await docker.getContainer(victim!.id).remove({ force: true });
    const replaced = await until(url, 'the removed container put back', async () => {
      const now = await containersOf(runId, 'web');
      return now.length === 2 && !now.some((c) => c.id === victim!.id) ? now : undefined;
    });
    expect(replaced.map((c) => c.id)).toContain(survivor!.id);
    const events = (await api<Array<{ type: string }>>(url, 'GET', '/v1/job/web/events')).body;
    expect(events.some((e) => e.type === 'drift')).toBe(true);
    await syncIs('synced', fixed, 'after docker rm -f');

    // A stop forced through the CLI lasts until the next sync, which starts the job again.
    const stopped = await cli(['stop', 'web', '--force'], { env: { DECKHAND_ADDR: url } });
    expect(stopped.code).toBe(0);
    expect(await syncOf()).toEqual({ state: 'out of sync', reason: "stopped by hand; self-heal puts Git's version back at the next sync", commit: fixed });
    await until(url, 'the containers stopped', async () => ((await containersOf(runId, 'web')).length === 0 ? true : undefined));
    await syncNow();
    await syncIs('synced', fixed, 'after self-heal of a stop');
    expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v2', 'deckhand-demo:v2']);
  });

  test('with self-heal off, a manual run is taken and stays, out of sync, over syncs of an unchanged commit', async () => {
    const repo = await server.createRepository('no-self-heal');
    const first = await repo.commitAndPush({ 'web.nomad': job('deckhand-demo:v1').replace('job "web"', 'job "manual"') }, 'manual v1');
    const agent = await startAgentProcess({ runId, extraArgs: ['--repo', repo.url, '--interval', '1m', '--self-heal', 'false'] });
    agents.push(agent);
    const url = agent.url;
    await deployedFrom(url, 'manual', first);

    const run = await api<{ jobs: Array<{ version: number; deploymentId: string }> }>(url, 'POST', '/v1/jobs', bundleOf(job('deckhand-demo:v2').replace('job "web"', 'job "manual"')));
    expect(run.status).toBe(200);
    expect((await deploymentEnd(url, run.body.jobs[0]!.deploymentId)).status).toBe('successful');
    const lastSyncAt = async () => (await api<{ lastSyncAt: number }>(url, 'GET', '/v1/sync')).body.lastSyncAt;
    const before = await lastSyncAt();
    await api(url, 'POST', '/v1/sync');
    await until(url, 'a sync of the unchanged commit', async () => ((await lastSyncAt()) > before ? true : undefined));
    const versions = (await api<VersionRow[]>(url, 'GET', '/v1/job/manual/versions')).body;
    expect(versions.map((v) => [v.version, v.source.kind])).toEqual([[1, 'cli'], [0, 'git']]);
    expect((await api<JobStatusView>(url, 'GET', '/v1/job/manual')).body.sync).toEqual({ state: 'out of sync', reason: 'manual run (version 1)', commit: first });
  });
});
