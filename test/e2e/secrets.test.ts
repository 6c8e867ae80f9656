// Secrets and configs end to end: a repository served over smart HTTP holding a
// Compose stack with a file secret and config, and a Kubernetes Deployment taking a
// Secret as a variable and a ConfigMap as a volume; a real agent following it; the
// real Docker engine. The containers read the values; no output deckhand gives
// (plans as text, JSON and markdown, the API, history, its log, /metrics) shows them,
// while a changed secret shows as a change and rolls out.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli } from '../helpers/cli.js';
import type { GitServer } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, startAgentProcess } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';
import { containersOf } from './support.js';
import { deployedFrom } from './gitops-support.js';

const run = promisify(execFile);
const runId = newRunId();
// Values no output may hold; unique to the run, so nothing else can contain them by chance.
const tokens = [`tok-${runId}-first`, `tok-${runId}-second`];
const urls = [`postgres://app:pw-${runId}-first@db/app`, `postgres://app:pw-${runId}-second@db/app`];
const secrets = [...tokens, ...urls, `pw-${runId}`];

const compose = `services:
  web:
    image: deckhand-demo:v1
    secrets: [api_token]
    configs:
      - source: site
        target: /etc/site.conf
    volumes:
      - ./motd.txt:/etc/motd:ro
    deploy:
      update_config: { monitor: 1s, delay: 0s }
secrets:
  api_token:
    file: ./api_token.txt
configs:
  site:
    file: ./site.conf
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: kweb }
spec:
  replicas: 1
  selector: { matchLabels: { app: kweb } }
  template:
    metadata: { labels: { app: kweb } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: deckhand-demo:v1
          env:
            - name: DB_ADDRESS
              valueFrom: { secretKeyRef: { name: db, key: url } }
          volumeMounts:
            - { name: settings, mountPath: /etc/app }
      volumes:
        - name: settings
          configMap: { name: settings }
`;

const configs = (url: string) => `apiVersion: v1
kind: Secret
metadata: { name: db }
stringData:
  url: ${url}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data:
  app.conf: |
    mode production
`;

const files = (token: string, url: string) => ({
  'stack/compose.yaml': compose,
  'stack/api_token.txt': token,
  'stack/site.conf': 'listen 80\n',
  'stack/motd.txt': 'from the repository\n',
  'k8s/app.yaml': deployment,
  'k8s/config.yaml': configs(url),
});

/** What a command prints inside a container (docker exec). */
async function exec(containerId: string, ...command: string[]): Promise<string> {
  return (await run('docker', ['exec', containerId, ...command])).stdout;
}

let server: GitServer;
let agent: AgentProcess;

beforeAll(async () => {
  await ensureDemoImages();
  server = await startGitServer();
});
afterAll(async () => {
  await agent?.stop();
  await removeRunContainers(runId);
  await server?.close();
});

describe('secrets and configs from a repository', () => {
  test('reach the containers as files and variables, never any output; a changed secret is a change in the plan and rolls out', async () => {
    const repo = await server.createRepository('secrets');
    const first = await repo.commitAndPush(files(tokens[0]!, urls[0]!), 'stack and kweb');
    agent = await startAgentProcess({ runId, dataDir: mkdtempSync(join(tmpdir(), 'deckhand-secrets-')), extraArgs: ['--repo', repo.url, '--branch', 'main', '--interval', '1m'] });

    expect((await deployedFrom(agent.url, 'stack', first)).deployment.status).toBe('successful');
    expect((await deployedFrom(agent.url, 'kweb', first)).deployment.status).toBe('successful');
    const [web] = await containersOf(runId, 'stack');
    const [kweb] = await containersOf(runId, 'kweb');
    expect(await exec(web!.id, 'cat', '/run/secrets/api_token')).toBe(tokens[0]);
    expect(await exec(web!.id, 'cat', '/etc/site.conf')).toBe('listen 80\n');
    // A repository file mounted read-only, as the revision has it, and read-only in the container.
    expect(await exec(web!.id, 'cat', '/etc/motd')).toBe('from the repository\n');
    await expect(exec(web!.id, 'sh', '-c', 'echo changed > /etc/motd')).rejects.toThrow(/Read-only file system/);
    expect(await exec(kweb!.id, 'sh', '-c', 'echo "$DB_ADDRESS"')).toBe(`${urls[0]}\n`);
    expect(await exec(kweb!.id, 'cat', '/etc/app/app.conf')).toBe('mode production\n');

    // The next commit changes both secrets; planned from the checkout before it is pushed.
    const second = await repo.commit(files(tokens[1]!, urls[1]!), 'new secrets');
    const env = { DECKHAND_ADDR: agent.url };
    const planned: string[] = [];
    for (const output of ['text', 'json', 'markdown']) {
      for (const file of ['stack/compose.yaml', 'k8s/app.yaml']) {
        const plan = await cli(['plan', join(repo.workDir, file), '-o', output], { env });
        expect({ file, output, code: plan.code, stderr: plan.stderr }).toEqual({ file, output, code: 1, stderr: '' });
        planned.push(plan.stdout);
      }
    }
    const [composeText, k8sText] = planned;
    expect(composeText).toContain('+/- Task: "web" (forces create/destroy update)');
    expect(composeText).toMatch(/\+\/- Secret "\/run\/secrets\/api_token" \{\n\s+\+\/- Content: "\(sensitive\)" => "\(sensitive\)"/);
    expect(k8sText).toMatch(/\+\/- SecretEnv\[DB_ADDRESS\]: "\(sensitive\)" => "\(sensitive\)"/);

    await repo.push();
    // The agent polls once a minute: ask for the sync now rather than wait for the poll.
    expect((await api(agent.url, 'POST', '/v1/sync')).status).toBe(202);
    expect((await deployedFrom(agent.url, 'stack', second)).deployment.status).toBe('successful');
    expect((await deployedFrom(agent.url, 'kweb', second)).deployment.status).toBe('successful');
    const [web2] = await containersOf(runId, 'stack');
    const [kweb2] = await containersOf(runId, 'kweb');
    expect(await exec(web2!.id, 'cat', '/run/secrets/api_token')).toBe(tokens[1]);
    expect(await exec(kweb2!.id, 'sh', '-c', 'echo "$DB_ADDRESS"')).toBe(`${urls[1]}\n`);

    // Every answer the agent gives about these jobs, its history, log and metrics.
    const outputs: Record<string, string> = {};
    for (const path of ['/v1/jobs', '/v1/sync', '/v1/job/stack', '/v1/job/kweb', '/v1/job/stack/versions?diffs=true', '/v1/job/kweb/versions?diffs=true', '/v1/job/stack/events', '/v1/job/kweb/events', '/v1/job/stack/deployments']) {
      const answer = await api(agent.url, 'GET', path);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      outputs[path] = JSON.stringify(answer.body);
    }
    outputs['/metrics'] = await fetch(`${agent.url}/metrics`).then((r) => r.text());
    for (const job of ['stack', 'kweb']) {
      const history = await cli(['history', '-p', job], { env });
      expect(history.code).toBe(0);
      outputs[`history -p ${job}`] = history.stdout;
      outputs[`status ${job}`] = (await cli(['status', job], { env })).stdout;
    }
    planned.forEach((text, i) => (outputs[`plan ${i}`] = text));
    outputs['agent log'] = agent.log();
    // The history shows the change, masked.
    expect(outputs['history -p stack']).toContain('Content: "(sensitive)" => "(sensitive)"');
    expect(outputs['/v1/job/stack/versions?diffs=true']).toContain('(sensitive)');

    const leaks = Object.entries(outputs).flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map((s) => `${where} shows ${s}`));
    expect(leaks).toEqual([]);
  }, 180_000);
});
