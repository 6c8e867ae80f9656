// The API's contract (docs/spec.md), against a real agent process on the real Docker engine.
import type { DeploymentView, JobStatusView, JobSummaryView } from '../../src/api/views.js';
import { agentClient, api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { containersOf } from '../e2e/support.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

const runId = newRunId();
let agent: AgentProcess;

beforeAll(async () => {
  await ensureDemoImages();
  agent = await startAgentProcess({ runId });
});

afterAll(async () => {
  await agent?.stop();
  await removeRunContainers(runId);
});

type Submitted = { jobs: Array<{ id: string; version: number; changed: boolean; modifyIndex: number; deploymentId: string | null }> };

describe('the agent API', () => {
  test('an unknown job is a 404 with a JSON error', async () => {
    const answer = await api(agent.url, 'GET', '/v1/job/nope');
    expect(answer).toEqual({ status: 404, body: { error: { code: 'not-found', message: 'job "nope" not found' } } });
  });

  test('malformed JSON is a 400 that says so', async () => {
    const answer = await api<{ error: { code: string; message: string } }>(agent.url, 'POST', '/v1/jobs', '{"path": ');
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('malformed-json');
  });

  test('a body that is not a job bundle is a 400 naming the missing field', async () => {
    const answer = await api<{ error: { code: string; message: string } }>(agent.url, 'POST', '/v1/jobs', { path: 'web.nomad' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/rootName|files/);
  });

  test('an unknown field is a 400 naming it and what it likely meant, and nothing is recorded: a misspelt checkIndex must not run unchecked', async () => {
    const answer = await api<{ error: { code: string; message: string } }>(agent.url, 'POST', '/v1/jobs', { ...bundleOf(webJob({ id: 'typo', count: 1 })), checkindex: 0 });
    expect(answer).toEqual({ status: 400, body: { error: { code: 'invalid-request', message: 'body: unknown field "checkindex" (did you mean "checkIndex"?)' } } });
    expect((await api(agent.url, 'GET', '/v1/job/typo')).status).toBe(404);
    const revert = await api<{ error: { message: string } }>(agent.url, 'POST', '/v1/job/x/revert', { version: 0, purge: true });
    expect(revert.body.error.message).toBe('body: unknown field "purge"');
  });

  test('a job file that does not render is a 400 with its positioned errors, and nothing is recorded', async () => {
    const broken = webJob().replace('count = 2', 'count = "many"');
    const answer = await api<{ error: { code: string; message: string; diagnostics: Array<{ file: string; line: number; field: string }> } }>(agent.url, 'POST', '/v1/jobs', bundleOf(broken));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid-job');
    expect(answer.body.error.message).toMatch(/^web\.nomad:3:\d+: /);
    expect(answer.body.error.diagnostics[0]).toMatchObject({ file: 'web.nomad', line: 3 });
    expect((await api<JobSummaryView[]>(agent.url, 'GET', '/v1/jobs')).body).toEqual([]);
  });

  test('run, status, versions, deployments, plan, revert, promote, stop and metrics', async () => {
    // run
    const first = await api<Submitted>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob()));
    expect(first.status).toBe(200);
    expect(first.body.jobs).toEqual([{ id: 'web', version: 0, changed: true, modifyIndex: 1, deploymentId: expect.any(String) }]);
    const deployed = await deploymentEnd(agent.url, first.body.jobs[0]!.deploymentId!);
    expect(deployed).toMatchObject({ status: 'successful', description: 'Deployment completed successfully', jobVersion: 0 });

    // status, in docs/spec.md's shape
    const status = await api<JobStatusView>(agent.url, 'GET', '/v1/job/web');
    expect(status.body).toMatchObject({
      id: 'web',
      version: 0,
      status: 'running',
      latestDeployment: { id: deployed.id, jobVersion: 0, status: 'successful', groups: [{ name: 'web', desired: 2, placed: 2, healthy: 2, unhealthy: 0, canaries: 0, promoted: false }] },
    });
    const running = status.body.allocations.filter((a) => a.desired === 'run');
    expect(running.map((a) => [a.index, a.image, a.status, a.healthy]).sort()).toEqual([
      [0, 'deckhand-demo:v1', 'running', true],
      [1, 'deckhand-demo:v1', 'running', true],
    ]);
    expect(Object.keys(running[0]!.ports)).toEqual(['http']);
    expect((await containersOf(runId, 'web')).length).toBe(2);

    // the same file again changes nothing
    const again = await api<Submitted>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob()));
    expect(again.body.jobs[0]).toMatchObject({ version: 0, changed: false, deploymentId: null });

    // plan of a change, then check-index refusing a stale index
    const plan = await api<{ plan: { changes: boolean; checkIndex: number; groups: Array<{ destructiveUpdate: number }> } }>(agent.url, 'POST', '/v1/job/web/plan', bundleOf(webJob({ image: 'deckhand-demo:v2' })));
    expect(plan.body.plan).toMatchObject({ changes: true, checkIndex: 1, groups: [{ destructiveUpdate: 2 }] });
    const stale = await api<{ error: { code: string } }>(agent.url, 'POST', '/v1/jobs', { ...bundleOf(webJob({ image: 'deckhand-demo:v2' })), checkIndex: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('check-index');

    const second = await api<Submitted>(agent.url, 'POST', '/v1/jobs', { ...bundleOf(webJob({ image: 'deckhand-demo:v2' })), checkIndex: 1 });
    expect(second.body.jobs[0]).toMatchObject({ version: 1, changed: true });
    expect(await deploymentEnd(agent.url, second.body.jobs[0]!.deploymentId!)).toMatchObject({ status: 'successful' });

    // versions and deployments
    const versions = await api<Array<{ version: number; stable: boolean; specHash: string }>>(agent.url, 'GET', '/v1/job/web/versions');
    expect(versions.body.map((v) => [v.version, v.stable])).toEqual([
      [1, true],
      [0, true],
    ]);
    const deployments = await api<DeploymentView[]>(agent.url, 'GET', '/v1/job/web/deployments');
    expect(deployments.body.map((d) => [d.jobVersion, d.status])).toEqual([
      [1, 'successful'],
      [0, 'successful'],
    ]);

    // revert: an unknown version lists the known ones; a known one makes a new version
    const unknown = await api<{ error: { message: string } }>(agent.url, 'POST', '/v1/job/web/revert', { version: 9 });
    expect(unknown).toEqual({ status: 404, body: { error: { code: 'not-found', message: 'job "web" has no version 9 (versions: 1, 0)' } } });
    const reverted = await api<{ version: number; deploymentId: string }>(agent.url, 'POST', '/v1/job/web/revert', { version: 0 });
    expect(reverted.body.version).toBe(2);
    expect(await deploymentEnd(agent.url, reverted.body.deploymentId)).toMatchObject({ status: 'successful', jobVersion: 2 });
    expect((await containersOf(runId, 'web')).map((c) => c.image)).toEqual(['deckhand-demo:v1', 'deckhand-demo:v1']);

    // promote with nothing to promote
    const promote = await api<{ error: { code: string; message: string } }>(agent.url, 'POST', `/v1/deployment/${reverted.body.deploymentId}/promote`);
    expect(promote.status).toBe(409);
    expect(promote.body.error.message).toMatch(/no running deployment to promote|no canaries/);

    // metrics
    const metrics = await fetch(`${agent.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/deckhand_deployments_total\{result="successful"\} 3/);
    expect(metrics).toMatch(/deckhand_allocations\{status="running",health="healthy"\} 2/);
    expect(metrics).toMatch(/deckhand_rollout_duration_seconds_count\{result="successful"\} 3/);
    expect(metrics).toMatch(/deckhand_process_resident_memory_bytes/);
    expect(Number(/deckhand_reconcile_duration_seconds_count (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);

    // stop; volumes=true belongs to a purge
    const volumesAlone = await api<{ error: { code: string; message: string } }>(agent.url, 'DELETE', '/v1/job/web?volumes=true');
    expect(volumesAlone).toMatchObject({ status: 400, body: { error: { code: 'volumes-without-purge' } } });
    const stopped = await api(agent.url, 'DELETE', '/v1/job/web');
    expect(stopped).toEqual({ status: 200, body: { id: 'web', stopped: true, purged: false } });
    expect(await containersOf(runId, 'web')).toEqual([]);
    expect((await api<JobStatusView>(agent.url, 'GET', '/v1/job/web')).body.status).toBe('dead');
  });

  test('the event stream carries deployment progress', async () => {
    const seen: string[] = [];
    const client = agentClient(agent.url);
    const stream = await client.events({ job: 'events' }, (e) => seen.push(`${e.type}: ${e.message}`));
    let deploymentId: string;
    try {
      const submitted = await api<Submitted>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ id: 'events', count: 1 }), 'events.nomad'));
      deploymentId = submitted.body.jobs[0]!.deploymentId!;
      await deploymentEnd(agent.url, deploymentId);
    } finally {
      stream.close();
    }
    expect(seen).toContain('version: version 0 submitted');
    expect(seen).toContain(`deployment: deployment ${deploymentId.slice(0, 8)} of version 0 started`);
    expect(seen).toContain('deployment: Deployment completed successfully');
    expect(seen.some((line) => /^allocation: allocation [0-9a-f]{8} is healthy$/.test(line))).toBe(true);
  });
});
