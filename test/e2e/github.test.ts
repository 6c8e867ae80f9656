// GitHub reporting end to end: a real agent following a repository over smart
// HTTP, deploying on the real Docker engine, and reporting to a GitHub stand-in
// that checks every request against GitHub's OpenAPI description.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { GitHubStandIn } from '../support/github-stand-in.js';
import { api, startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

const token = 'ghp_E2eStandInToken0123456789abcdefghijkl';

function job(id: string, image: string, extra = ''): string {
  return `job "${id}" {
  group "web" {
    count = 1
    update {
      min_healthy_time  = "1s"
      healthy_deadline  = "10s"
      progress_deadline = "15s"
      auto_revert       = true
    }
    network {
      port "http" {}
    }
    task "server" {
      driver = "docker"
      config {
        image = "${image}"
        ports = ["http"]
      }
      env {
        PORT = "\${NOMAD_PORT_http}"
      }
${extra}    }
  }
}
`;
}

let server: GitServer;
let standIn: GitHubStandIn;
let agent: AgentProcess;
const runId = newRunId();

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
  standIn = await GitHubStandIn.start({ token });
});
afterAll(async () => {
  await agent?.stop();
  await removeRunContainers(runId);
  await server?.close();
  await standIn?.close();
});

/** Resolves when the stand-in holds a status for (sha, context) in `state`; each request it receives wakes the check. */
async function statusReaches(sha: string, context: string, state: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const latest = standIn.latestStatuses(sha)[context];
    if (latest?.state === state) return latest;
    if (Date.now() > deadline) throw new Error(`${context} on ${sha.slice(0, 7)} is ${latest?.state ?? 'not set'}, not ${state}: ${latest?.description}`);
    await Promise.race([standIn.receivedRequests(standIn.exchanges.length + 1), new Promise((resolve) => setTimeout(resolve, 500))]);
  }
}

describe('commit statuses per job', () => {
  test('push → pending then success; a broken file → error at file:line; a failing deployment → failure naming the rollback; GitHub down → statuses catch up', async () => {
    const repo = await server.createRepository('reported');
    const first = await repo.commitAndPush({ 'web.nomad': job('web', 'deckhand-demo:v1'), 'api.nomad': job('api', 'deckhand-demo:v1') }, 'web and api');
    const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-github-'));
    writeFileSync(join(dataDir, 'github-token'), token);
    agent = await startAgentProcess({
      runId,
      dataDir,
      extraArgs: ['--repo', repo.url, '--interval', '1m', '--github-token-file', join(dataDir, 'github-token'), '--github-repo', `${standIn.owner}/${standIn.repo}`, '--github-api-url', standIn.apiUrl, '--github-throttle', 'false', '--public-url', 'https://deckhand.example.test'],
    });
    const sync = () => api(agent.url, 'POST', '/v1/sync');

    // Each job gets its own status: pending first, then success.
    for (const jobId of ['web', 'api']) {
      const success = await statusReaches(first, `deckhand/${jobId}`, 'success');
      expect(success.description).toBe('Deployment completed successfully');
      expect(success.targetUrl).toMatch(/^https:\/\/deckhand\.example\.test\/ui\/deployments\/[0-9a-f-]+$/);
      expect(standIn.statuses(first, `deckhand/${jobId}`)[0]!.state).toBe('pending');
    }

    // A file that does not render: an error status pointing at it; nothing else is touched.
    const broken = await repo.commitAndPush({ 'web.nomad': job('web', 'deckhand-demo:v2').replace('count = 1', 'count = "one"') }, 'broken web');
    await sync();
    const error = await statusReaches(broken, 'deckhand/web', 'error');
    expect(error.description).toMatch(/^web\.nomad:3:\d+: /);

    // A failing deployment rolled back: failure, naming the rollback.
    const failing = await repo.commitAndPush({ 'web.nomad': job('web', 'deckhand-demo:v10') }, 'web v10');
    await sync();
    const failure = await statusReaches(failing, 'deckhand/web', 'failure');
    expect(failure.description).toBe('Failed due to unhealthy allocations - rolling back to job version 0');

    // GitHub answers 500 for a while: the deployment still happens and the status catches up.
    standIn.failNext(3, 500);
    const third = await repo.commitAndPush({ 'api.nomad': job('api', 'deckhand-demo:v2') }, 'api v2');
    await sync();
    await statusReaches(third, 'deckhand/api', 'success');
    const versions = (await api<Array<{ commit: string; stable: boolean }>>(agent.url, 'GET', '/v1/job/api/versions')).body;
    expect(versions[0]).toMatchObject({ commit: third, stable: true });

    // Everything the stand-in received, GitHub would have accepted; the token never shows in a status.
    expect(standIn.violations.filter((v) => v.kind !== 'stand-in-response')).toEqual([]);
    expect(JSON.stringify(standIn.exchanges)).not.toContain(token.slice(4));
    expect(agent.log()).not.toContain(token);
  });
});
