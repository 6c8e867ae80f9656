// `deckhand deployment status ID [--monitor]` and `deckhand status JOB --monitor`:
// any deployment, however it started (a push, a revert, an auto-revert), shown or
// followed with `run`'s live display. Exit codes as `run` when following.
import type { DeploymentView, JobStatusView } from '../../api/index.js';
import { AgentClient, agentExit } from '../client.js';
import { DeploymentFollower } from '../follow.js';
import { formatDeploymentMatches, formatDeploymentStatus } from '../format/deployment.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';
import { exitFor } from './agent-commands.js';

export interface MonitorFlags {
  output: string;
  monitor?: boolean;
}

type DeploymentMatch = DeploymentView & { jobId: string };

/** Following draws a display, not a document: JSON callers read the deployment and ask again. */
function refuseJsonMonitor(flags: MonitorFlags): void {
  if (flags.monitor && flags.output === 'json') throw new CliExit(1, 'Error: --monitor follows a deployment as text; it takes no -o json (without --monitor, -o json prints the deployment)');
}

export async function deploymentStatusCommand(idOrPrefix: string, flags: MonitorFlags, io: CliIO): Promise<number> {
  refuseJsonMonitor(flags);
  const client = new AgentClient(io);
  const follower = flags.monitor ? new DeploymentFollower(client, io) : null;
  try {
    // Subscribed before looking, so no event between the look and the follow is missed.
    await follower?.open();
    const deployment = await findDeployment(client, idOrPrefix);
    if (!follower) {
      io.stdout(flags.output === 'json' ? `${JSON.stringify(deployment, null, 2)}\n` : formatDeploymentStatus(deployment));
      return 0;
    }
    io.stdout(`==> Monitoring deployment "${deployment.id.slice(0, 8)}" of job "${deployment.jobId}" (version ${deployment.jobVersion})\n`);
    return exitFor(await follower.follow(deployment.jobId, deployment.id));
  } catch (error) {
    return agentExit(error, 'reading the deployment');
  } finally {
    follower?.close();
  }
}

/** A full id, or a prefix only one deployment has (as Nomad accepts). */
async function findDeployment(client: AgentClient, idOrPrefix: string): Promise<DeploymentMatch> {
  const matches = await client.get<DeploymentMatch[]>(`/v1/deployments?prefix=${encodeURIComponent(idOrPrefix)}`);
  const exact = matches.find((d) => d.id === idOrPrefix);
  if (exact) return exact;
  if (matches.length === 0) throw new CliExit(1, `Error: no deployment has the id or prefix "${idOrPrefix}" (deckhand deployments JOB lists a job's deployments)`);
  if (matches.length > 1) throw new CliExit(1, formatDeploymentMatches(idOrPrefix, matches).trimEnd());
  return matches[0]!;
}

/** `deckhand status JOB --monitor`: the job's running deployment, followed; none running is no error. */
export async function monitorJobCommand(jobId: string | undefined, flags: MonitorFlags, io: CliIO): Promise<number> {
  refuseJsonMonitor(flags);
  if (!jobId) throw new CliExit(1, 'Error: --monitor follows one job\'s deployment: deckhand status JOB --monitor');
  const client = new AgentClient(io);
  const follower = new DeploymentFollower(client, io);
  try {
    await follower.open();
    const latest = (await client.get<JobStatusView>(`/v1/job/${encodeURIComponent(jobId)}`)).latestDeployment;
    if (latest?.status !== 'running') {
      const last = latest ? ` (its latest deployment, "${latest.id.slice(0, 8)}" of version ${latest.jobVersion}, is ${latest.status})` : '';
      io.stdout(`==> Job "${jobId}" has no deployment running${last}\n`);
      return 0;
    }
    io.stdout(`==> Monitoring deployment "${latest.id.slice(0, 8)}" of job "${jobId}" (version ${latest.jobVersion})\n`);
    return exitFor(await follower.follow(jobId, latest.id));
  } catch (error) {
    return agentExit(error, 'reading status');
  } finally {
    follower.close();
  }
}
