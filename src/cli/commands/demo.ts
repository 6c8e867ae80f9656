// `deckhand demo`: the demo images, an example repository, and the agent
// following it on the local Docker engine, with what to try printed first.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger, edgeFolder, resolveAgentConfig, startAgent } from '../../agent/index.js';
import { buildDemoImages, createDemoRepository, demoEndpointPort, demoJobFile } from '../../demo/index.js';
import { pidFileName } from '../../edge/index.js';
import { newDockerClient } from '../../runtime/docker/index.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';

/** The job of the demo's repository (demo/repository.ts). */
const demoJobId = 'update-demo-webapp';

export interface DemoFlags {
  dir: string;
  listen: string;
}

export async function demoCommand(flags: DemoFlags, io: CliIO): Promise<number> {
  const dir = resolve(io.cwd, flags.dir);
  const docker = newDockerClient();
  try {
    await docker.ping();
  } catch (error) {
    throw new CliExit(1, `Error: the Docker engine does not answer (${(error as Error).message}). Run ./scripts/setup.sh, or start dockerd.`);
  }
  io.stdout('==> Building the demo images (FROM scratch, with a static busybox)\n');
  const images = await buildDemoImages(docker);
  io.stdout(`    ${images.built.length ? `built ${images.built.join(', ')}` : 'already there'}\n`);
  let repository: Awaited<ReturnType<typeof createDemoRepository>>;
  try {
    repository = await createDemoRepository(dir);
  } catch (error) {
    throw new CliExit(1, `Error: cannot create the example repository ${flags.dir}: ${(error as Error).message}`);
  }
  io.stdout(`==> ${repository.created ? 'Created' : 'Using'} the example repository ${flags.dir} (${demoJobFile})\n`);

  const { config, diagnostics } = resolveAgentConfig({ flags: { repo: dir, watch: true, listen: flags.listen, 'data-dir': resolve(dir, '.deckhand') }, env: {}, file: null });
  if (diagnostics.length) throw new CliExit(1, diagnostics.map((d) => d.message).join('\n'));
  // Warnings and errors only: the instructions below must stay on screen (`deckhand status` shows the rollouts).
  const logger = createLogger('warn', io.isTTY);
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent(config, { logger, docker });
  } catch (error) {
    throw new CliExit(1, `Error starting the agent: ${(error as Error).message}`);
  }
  const addr = agent.url === 'http://127.0.0.1:4646' ? '' : `DECKHAND_ADDR=${agent.url} `;
  const instructions = `
==> The agent follows ${flags.dir} and serves ${agent.url}. In another terminal:

    cd ${flags.dir}
    # ten allocations of demo-webapp:v1, behind one endpoint (leave this running in a third terminal)
    ${addr}npx deckhand status update-demo-webapp
    while sleep 0.2; do curl -s http://127.0.0.1:${demoEndpointPort}/; done
    # change the image, see the plan, commit: the agent deploys it one allocation at a time (watch here)
    sed -i 's/demo-webapp:v1/demo-webapp:v2/' ${demoJobFile}
    ${addr}npx deckhand plan ${demoJobFile}
    git commit -am "webapp v2"
    # roll back the way GitOps does: revert the commit (a new version, described as a rollback)
    git revert --no-edit HEAD
    ${addr}npx deckhand history -p update-demo-webapp

  Ctrl-C here ends the demo and removes its containers and endpoint (the repository stays).
  Press Enter here to see this again.

`;
  io.stdout(instructions);
  const again = () => io.stdout(instructions);
  process.stdin.on('data', again);
  const signal = await new Promise<string>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  process.stdin.off('data', again);
  process.stdin.pause();
  // The demo's job goes with the demo: Git's loop first, or self-heal would start it again.
  // SIGTERM (a service manager) only stops the agent, as `deckhand agent` does.
  if (signal === 'SIGINT') {
    io.stdout(`\n==> Removing ${demoJobId}'s containers and endpoint (Ctrl-C again to leave them running)\n`);
    await agent.gitops?.loop.stop();
    await Promise.race([agent.engine.stopJob(demoJobId, true), new Promise((done) => process.once('SIGINT', done))]);
  }
  await agent.close();
  // The edge outlives an agent on purpose (endpoints answer while it restarts); the demo's has nothing left to serve.
  if (signal === 'SIGINT') stopEdge(join(config.dataDir, edgeFolder));
  return 0;
}

/** Ends the edge whose pid file is in `edgeDir` (SIGTERM: it closes its listeners and removes its files). */
function stopEdge(edgeDir: string): void {
  try {
    const pid = Number(readFileSync(join(edgeDir, pidFileName), 'utf8').trim());
    if (pid > 0) process.kill(pid, 'SIGTERM');
  } catch {
    // No edge ran, or it is gone already.
  }
}
