// The rollout engine in a process of its own, for the crash test: a parent
// kills it with SIGKILL at random points and starts it again on the same data
// dir. Compiled by `tsc -p .` to dist/test/support/engine-child.js.
//
//   node dist/test/support/engine-child.js DATA_DIR RUN_ID
//
// stdout, one JSON object a line: {"ready":true} once started, {"event":...}
// for every progress event, {"reply":ID,...} answering a command. stdin, one
// JSON command a line: {"id":1,"cmd":"submit","job":{...},"sourceText":"...","tag":"..."},
// {"id":2,"cmd":"wait","deploymentId":"..."}, {"id":3,"cmd":"versions","jobId":"..."},
// {"id":4,"cmd":"deployments","jobId":"..."}.
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import type { Job } from '../../src/model/job.js';
import { RolloutEngine } from '../../src/rollout/engine.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import { openStore } from '../../src/store/sqlite-store.js';

export type ChildCommand =
  | { id: number; cmd: 'submit'; job: Job; sourceText: string | null; tag: string }
  | { id: number; cmd: 'wait'; deploymentId: string }
  | { id: number; cmd: 'versions'; jobId: string }
  | { id: number; cmd: 'deployments'; jobId: string };

export interface ChildEvent {
  type: string;
  jobId: string | null;
  message: string;
  deploymentId: string | null;
}

const [dataDir, runId] = process.argv.slice(2);
if (!dataDir || !runId) {
  process.stderr.write('usage: engine-child.js DATA_DIR RUN_ID\n');
  process.exit(2);
}

const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

const store = openStore(dataDir);
const driver = new DockerDriver(new Docker(), { labels: { 'deckhand-test.run': runId }, stopTimeoutSeconds: 1 });
const engine = new RolloutEngine({ store, driver, onError: (error, context) => send({ error: `${context}: ${String(error)}` }) });
engine.onProgress((event) => {
  const deploymentId = event.type === 'deployment' ? event.deployment.id : event.type === 'allocation' ? event.allocation.deploymentId : null;
  const line: ChildEvent = { type: event.type, jobId: event.jobId, message: event.message, deploymentId };
  send({ event: line });
});

async function answer(command: ChildCommand): Promise<object> {
  switch (command.cmd) {
    case 'submit': {
      const source = { kind: 'cli' as const, commit: null, file: null, author: null, message: command.tag, revertOf: null };
      const result = engine.submit({ job: command.job, source, sourceText: command.sourceText });
      const deployment = result.deployment ?? store.listDeployments(command.job.id).find((d) => d.jobVersion === result.version.version);
      return { version: result.version.version, deploymentId: deployment?.id ?? null };
    }
    case 'wait': {
      const ended = await engine.waitForDeployment(command.deploymentId);
      return { status: ended.status, description: ended.description, jobVersion: ended.jobVersion };
    }
    case 'versions':
      return { versions: store.listVersions(command.jobId).map((v) => ({ version: v.version, stable: v.stable, tag: v.source.message, kind: v.source.kind })) };
    case 'deployments':
      return { deployments: store.listDeployments(command.jobId).map((d) => ({ id: d.id, jobVersion: d.jobVersion, status: d.status, description: d.description })) };
  }
}

await engine.start();
send({ ready: true });
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const command = JSON.parse(line) as ChildCommand;
    answer(command).then(
      (result) => send({ reply: command.id, ...result }),
      (error: unknown) => send({ reply: command.id, error: String(error) }),
    );
  })
  // The parent went away: so does the child (its containers stay, as after a crash).
  .on('close', () => process.exit(0));
