// SIGTERM stops the agent whatever its peers do: a forge or a Git server that
// accepts connections and never answers must not keep it alive.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { newRunId, removeRunContainers } from '../runtime/support.js';

let hole: Server;
let holeUrl: string;
const sockets = new Set<Socket>();
/** Resolves each time a connection reaches the black hole. */
let onConnection: () => void = () => {};
const runs: string[] = [];
const agents: AgentProcess[] = [];

beforeAll(async () => {
  // Accepts, reads, never answers.
  hole = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection();
  });
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
  const address = hole.address();
  holeUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop('SIGKILL')));
  await Promise.all(runs.map(removeRunContainers));
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hole.close(resolve));
});

function localRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-shutdown-repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'web.nomad'), webJob({ count: 1 }));
  git('add', '.');
  git('commit', '-qm', 'web');
  return dir;
}

async function agentWith(args: string[]): Promise<AgentProcess> {
  const runId = newRunId();
  runs.push(runId);
  const agent = await startAgentProcess({ runId, extraArgs: args });
  agents.push(agent);
  return agent;
}

const connected = () => new Promise<void>((resolve) => (onConnection = resolve));

describe('SIGTERM', () => {
  test('with a GitHub API that never answers: outbound calls are abandoned and the agent exits 0', async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'deckhand-shutdown-')), 'token');
    writeFileSync(tokenFile, 'gh-token\n');
    const reached = connected();
    const agent = await agentWith(['--repo', localRepository(), '--github-token-file', tokenFile, '--github-repo', 'o/r', '--github-api-url', holeUrl]);
    await reached;
    // The rollout has ended: what holds the stop up can only be the forge.
    for (let i = 0; i < 600 && !/"status":"successful"/.test(JSON.stringify((await api(agent.url, 'GET', '/v1/job/web/deployments')).body)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(agent.log()).toContain('deckhand agent stopped; containers keep running');
  });

  test('with a Git server that never answers: a close held up by the fetch is cut short, and the agent exits 0 saying so', async () => {
    const reached = connected();
    const agent = await agentWith(['--repo', `${holeUrl}/jobs.git`]);
    await reached;
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(agent.log()).toContain('stopping took too long; exiting now');
  }, 30_000);
});
