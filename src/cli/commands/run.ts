// `deckhand run FILE [--check-index N] [--detach]`: submit a job to the agent and
// follow its deployment. Exit 0 successful, 2 failed or reverted, 1 error.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../../model/index.js';
import { formatDiagnostic, isError } from '../../model/index.js';
import { bundleJobFile } from '../bundle.js';
import { AgentClient, agentExit } from '../client.js';
import { DeploymentFollower } from '../follow.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';
import type { RenderFlags } from '../load-jobs.js';
import { renderOptionsFrom } from '../load-jobs.js';
import { exitFor } from './agent-commands.js';
import { jobFileKinds } from '../../render/index.js';

export interface RunFlags extends RenderFlags {
  checkIndex?: string;
  detach?: boolean;
  output: string;
}

interface SubmittedJob {
  id: string;
  version: number;
  changed: boolean;
  modifyIndex: number | null;
  deploymentId: string | null;
}

export async function runCommand(file: string, flags: RunFlags, io: CliIO): Promise<number> {
  const checkIndex = flags.checkIndex === undefined ? undefined : Number(flags.checkIndex);
  if (checkIndex !== undefined && (!Number.isInteger(checkIndex) || checkIndex < 0)) {
    throw new CliExit(1, `--check-index "${flags.checkIndex}": expected a whole number`);
  }
  const absolute = resolve(io.cwd, file);
  if (!existsSync(absolute)) throw new CliExit(1, `${file}: no such file`);
  const { bundle, result } = bundleJobFile(absolute, await renderOptionsFrom(flags, io, { toAgent: true }));
  if (!result.file) throw new CliExit(1, `${file}: not a job file (expected ${jobFileKinds()})`);
  const shown = (d: Diagnostic) => ({ ...d, file: relative(io.cwd, join(dirname(absolute), d.file)) || d.file });
  for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(shown(d))}\n`);
  if (result.diagnostics.some(isError)) return 1;

  const client = new AgentClient(io);
  const follower = flags.detach || flags.output === 'json' ? null : new DeploymentFollower(client, io);
  try {
    await follower?.open();
    const answer = await client.post<{ jobs: SubmittedJob[] }>('/v1/jobs', { ...bundle, ...(checkIndex === undefined ? {} : { checkIndex }) });
    if (flags.output === 'json') {
      io.stdout(`${JSON.stringify(answer.jobs, null, 2)}\n`);
      return 0;
    }
    let exitCode = 0;
    for (const job of answer.jobs) {
      io.stdout(
        job.changed
          ? `==> Job "${job.id}" registered: version ${job.version} (modify index ${job.modifyIndex})\n`
          : `==> Job "${job.id}" is unchanged: version ${job.version} (modify index ${job.modifyIndex})\n`,
      );
      if (!job.deploymentId) continue;
      if (!follower) {
        io.stdout(`==> Deployment "${job.deploymentId.slice(0, 8)}" started; follow it with: deckhand deployment status ${job.deploymentId.slice(0, 8)} -monitor\n`);
        continue;
      }
      io.stdout(`==> Monitoring deployment "${job.deploymentId.slice(0, 8)}"\n`);
      const deployment = await follower.follow(job.id, job.deploymentId);
      exitCode = Math.max(exitCode, exitFor(deployment));
    }
    return exitCode;
  } catch (error) {
    return agentExit(error, 'submitting job', (bundled) => shown({ file: bundled } as Diagnostic).file);
  } finally {
    follower?.close();
  }
}
