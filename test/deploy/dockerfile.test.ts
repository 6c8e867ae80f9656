// deploy/Dockerfile builds (`docker build -f deploy/Dockerfile .`, the README's
// way), on a Node base image made from this machine's Node since no registry is
// reachable, and the image it makes runs the agent: it answers its health check
// and drives the engine through the mounted socket as the unprivileged node user.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from '../edge/support.js';
import { eventually, newRunId, removeRunContainers, testLabel } from '../runtime/support.js';
import { buildNodeBaseImage } from './node-base-image.js';

const run = promisify(execFile);
const runId = newRunId();
const baseImage = `deckhand-test-node-base:${runId}`;
const agentImage = `deckhand-test-agent:${runId}`;
const label = `${testLabel}=${runId}`;

afterAll(async () => {
  // -v: the agent's data volume (the image's VOLUME) goes with it.
  await run('docker', ['rm', '-fv', `deckhand-test-agent-${runId}`]).catch(() => undefined);
  await removeRunContainers(runId);
  await run('docker', ['rmi', '-f', agentImage, baseImage]).catch(() => undefined);
});

describe('deploy/Dockerfile', () => {
  it('builds from the repository root and runs the agent as the node user', async () => {
    buildNodeBaseImage(baseImage, { [testLabel]: runId });
    // The build's npm ci reaches the npm registry as this machine does.
    await run('docker', ['build', '--network', 'host', '--label', label, '--build-arg', `NODE_IMAGE=${baseImage}`, '-f', 'deploy/Dockerfile', '-t', agentImage, '.'], { maxBuffer: 1 << 26 });
    const { stdout: user } = await run('docker', ['image', 'inspect', agentImage, '--format', '{{.Config.User}}']);
    expect(user.trim()).toBe('node');

    const port = await freePort();
    const socketGroup = String(statSync('/var/run/docker.sock').gid);
    await run('docker', [
      'run', '-d', '--name', `deckhand-test-agent-${runId}`, '--label', label, '--network', 'host', '--group-add', socketGroup,
      '-v', '/var/run/docker.sock:/var/run/docker.sock', agentImage,
      // Only containers of this test run: an agent with its own labels never touches others.
      '--listen', `127.0.0.1:${port}`, '--labels', label,
    ]);
    const health = await eventually(async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/v1/agent/health`).catch(() => undefined);
      return answer?.status === 200 ? ((await answer.json()) as Record<string, unknown>) : undefined;
    }, 'the agent in its container to answer', 60_000);
    expect(health).toBeTruthy();
    const jobs = await fetch(`http://127.0.0.1:${port}/v1/jobs`);
    expect(jobs.status).toBe(200);
    expect(await jobs.json()).toEqual([]);
  }, 900_000);
});
