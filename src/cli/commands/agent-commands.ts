// The commands that talk to a running agent: status, history, deployments,
// promote, revert, stop. Thin: ask, print, exit codes as docs/spec.md.
import type { DeploymentView, JobStatusView, JobSummaryView } from '../../api/index.js';
import { AgentClient, AgentError, agentExit } from '../client.js';
import { DeploymentFollower, waitsForPromotion } from '../follow.js';
import type { VersionWithJob } from '../format/history.js';
import { formatDeployments, formatHistory } from '../format/history.js';
import { formatJobList, formatJobStatus } from '../format/status.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';

export interface OutputFlags {
  output: string;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** What keeps the agent from carrying rollouts on (a full disk, Docker away), on stderr above the status. */
async function warnOfAgentProblems(client: AgentClient, io: CliIO): Promise<void> {
  try {
    await client.get('/v1/agent/health');
  } catch (error) {
    const problems = (error instanceof AgentError ? (error.body as { problems?: unknown } | null)?.problems : null) ?? [];
    if (Array.isArray(problems)) for (const problem of problems) io.stderr(`Warning: ${String(problem)}\n`);
  }
}
const jobPath = (id: string) => `/v1/job/${encodeURIComponent(id)}`;

export async function statusCommand(jobId: string | undefined, flags: OutputFlags, io: CliIO): Promise<number> {
  const client = new AgentClient(io);
  try {
    await warnOfAgentProblems(client, io);
    if (!jobId) {
      const jobs = await client.get<JobSummaryView[]>('/v1/jobs');
      io.stdout(flags.output === 'json' ? json(jobs) : formatJobList(jobs));
      return 0;
    }
    const job = await client.get<JobStatusView>(jobPath(jobId));
    io.stdout(flags.output === 'json' ? json(job) : formatJobStatus(job, Date.now()));
    return 0;
  } catch (error) {
    return agentExit(error, 'reading status');
  }
}

export async function historyCommand(jobId: string, flags: OutputFlags & { p?: boolean }, io: CliIO): Promise<number> {
  try {
    const versions = await new AgentClient(io).get<VersionWithJob[]>(`${jobPath(jobId)}/versions${flags.p === true && flags.output !== 'json' ? '?diffs=true' : ''}`);
    if (flags.output === 'json') {
      io.stdout(json(versions.map((v) => ({ version: v.version, stable: v.stable, commit: v.commit, submittedAt: v.submittedAt, specHash: v.specHash, source: v.source }))));
    } else {
      io.stdout(formatHistory(versions, flags.p === true));
    }
    return 0;
  } catch (error) {
    return agentExit(error, 'reading history');
  }
}

export async function deploymentsCommand(jobId: string, flags: OutputFlags, io: CliIO): Promise<number> {
  try {
    const deployments = await new AgentClient(io).get<DeploymentView[]>(`${jobPath(jobId)}/deployments`);
    io.stdout(flags.output === 'json' ? json(deployments.map((d) => ({ id: d.id, jobVersion: d.jobVersion, status: d.status, description: d.description, groups: d.groups }))) : formatDeployments(deployments));
    return 0;
  } catch (error) {
    return agentExit(error, 'reading deployments');
  }
}

export async function promoteCommand(jobId: string, flags: OutputFlags & { detach?: boolean }, io: CliIO): Promise<number> {
  const client = new AgentClient(io);
  const follower = flags.detach || flags.output === 'json' ? null : new DeploymentFollower(client, io);
  try {
    await follower?.open();
    const deployment = await client.post<DeploymentView>(`${jobPath(jobId)}/promote`);
    if (!follower) {
      io.stdout(flags.output === 'json' ? json(deployment) : `==> Deployment "${deployment.id.slice(0, 8)}" promoted\n`);
      return 0;
    }
    io.stdout(`==> Deployment "${deployment.id.slice(0, 8)}" promoted; following it\n`);
    return exitFor(await follower.follow(jobId, deployment.id));
  } catch (error) {
    return agentExit(error, 'promoting');
  } finally {
    follower?.close();
  }
}

export async function revertCommand(jobId: string, version: string, flags: OutputFlags & { detach?: boolean; force?: boolean }, io: CliIO): Promise<number> {
  const target = Number(version);
  if (!Number.isInteger(target) || target < 0) throw new CliExit(1, `version "${version}": expected a whole number (see deckhand history ${jobId})`);
  const client = new AgentClient(io);
  const follower = flags.detach || flags.output === 'json' ? null : new DeploymentFollower(client, io);
  try {
    await follower?.open();
    const result = await client.post<{ version: number; changed: boolean; deploymentId: string | null }>(`${jobPath(jobId)}/revert`, { version: target, ...(flags.force ? { force: true } : {}) });
    if (flags.output === 'json') {
      io.stdout(json(result));
      return 0;
    }
    io.stdout(`==> Job "${jobId}" reverted to version ${target}: it is now version ${result.version}\n`);
    if (!result.deploymentId || !follower) return 0;
    return exitFor(await follower.follow(jobId, result.deploymentId));
  } catch (error) {
    return agentExit(error, 'reverting');
  } finally {
    follower?.close();
  }
}

export async function stopCommand(jobId: string, flags: OutputFlags & { purge?: boolean; volumes?: boolean; force?: boolean }, io: CliIO): Promise<number> {
  if (flags.volumes && !flags.purge) {
    io.stderr('--volumes removes the volumes of a purged job: add --purge\n');
    return 1;
  }
  try {
    const params = [...(flags.purge ? ['purge=true'] : []), ...(flags.volumes ? ['volumes=true'] : []), ...(flags.force ? ['force=true'] : [])];
    const query = params.length ? `?${params.join('&')}` : '';
    const result = await new AgentClient(io).delete<StopResult>(`${jobPath(jobId)}${query}`);
    io.stdout(flags.output === 'json' ? json(result) : `==> Job "${jobId}" stopped${result.purged ? ' and purged' : ''}\n${volumeLines(result)}`);
    return 0;
  } catch (error) {
    return agentExit(error, 'stopping');
  }
}

interface StopResult {
  id: string;
  purged: boolean;
  volumes?: { removed: string[]; kept: Array<{ name: string; why: string }> };
}

/** A purge never loses data unasked: the volumes it kept are named, with how to remove them. */
function volumeLines(result: StopResult): string {
  const { removed = [], kept = [] } = result.volumes ?? {};
  const lines = removed.map((name) => `    Volume "${name}" removed\n`);
  for (const { name, why } of kept) {
    lines.push(why === 'kept' ? `    Volume "${name}" kept, with its data (deckhand stop --purge --volumes removes a job's volumes; now: docker volume rm ${name})\n` : `    Volume "${name}" kept: ${why}\n`);
  }
  return lines.join('');
}

/** docs/spec.md: 0 successful, 2 failed, paused by a failure, or reverted; canaries waiting for promotion are not a failure. */
export function exitFor(deployment: DeploymentView): number {
  return deployment.status === 'successful' || waitsForPromotion(deployment) ? 0 : 2;
}

export { AgentError };
