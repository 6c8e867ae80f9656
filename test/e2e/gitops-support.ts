// What the GitOps tests share: waiting for the version an agent recorded from a
// commit, and for that version's deployment to end.
import type { DeploymentView } from '../../src/api/views.js';
import { agentClient, api, deploymentEnd } from '../support/agent-process.js';

export interface VersionRow {
  version: number;
  stable: boolean;
  commit: string | null;
  source: { kind: string; message: string | null; revertOf: number | null };
}

/** Resolves once the agent recorded a version of `jobId` from `sha`, then once that version's deployment ended. */
export async function deployedFrom(url: string, jobId: string, sha: string, timeoutMs = 60_000, token?: string): Promise<{ version: VersionRow; deployment: DeploymentView }> {
  const client = agentClient(url, token);
  const find = async () => {
    const answer = await api<VersionRow[]>(url, 'GET', `/v1/job/${jobId}/versions`, undefined, token);
    return answer.status === 200 ? answer.body.find((v) => v.commit === sha) : undefined;
  };
  let found: VersionRow | undefined;
  let wake!: () => void;
  const woken = () => new Promise<void>((resolve) => (wake = resolve));
  let next = woken();
  const stream = await client.events({}, () => wake());
  const deadline = Date.now() + timeoutMs;
  try {
    while (!(found = await find())) {
      if (Date.now() > deadline) throw new Error(`no version of ${jobId} from ${sha.slice(0, 7)} within ${timeoutMs} ms`);
      await Promise.race([next, new Promise((resolve) => setTimeout(resolve, 1000))]);
      next = woken();
    }
  } finally {
    stream.close();
  }
  const deployments = await api<DeploymentView[]>(url, 'GET', `/v1/job/${jobId}/deployments`, undefined, token);
  const deployment = await deploymentEnd(url, deployments.body.find((d) => d.jobVersion === found!.version)!.id, undefined, token);
  // Read again: a version turns stable when its deployment succeeds.
  return { version: (await find())!, deployment };
}

