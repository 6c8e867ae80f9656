// The sync state of a job that came from Git, as Argo CD shows an application's:
// whether what runs is what the repository says, and if not, why. Pure: what the
// store holds and what the GitOps loop last did come in as values; the API, the
// CLI, the dashboard and metrics show the answer.
import type { AllocationRecord, Deployment, Diagnostic, VersionSource } from '../model/index.js';
import { formatDiagnostic, isError } from '../model/index.js';

export const syncStateNames = ['synced', 'out of sync', 'progressing', 'degraded'] as const;
export type SyncStateName = (typeof syncStateNames)[number];

export interface JobSync {
  state: SyncStateName;
  /** Why the job is not synced (or what its deployment does); null when synced. */
  reason: string | null;
  /** The commit the state is about: the last synced commit, or for an auto-revert the commit rolled back. */
  commit: string | null;
}

/** What the GitOps loop last did with the repository (agent/gitops.ts SyncState). */
export interface RepositorySync {
  sha: string | null;
  diagnostics: Diagnostic[];
  /** Jobs whose version from the last synced commit was refused, with why. */
  refused: Array<{ jobId: string; message: string }>;
  /** Jobs whose file is gone from the repository and which keep running (no prune). */
  removed: Array<{ jobId: string; file: string | null }>;
  /** The jobs the last synced commit defines (a file that does not render keeps its jobs); null: not known yet. */
  jobIds: string[] | null;
  selfHeal: boolean;
}

export interface JobSyncInput {
  jobId: string;
  stopped: boolean;
  /** Newest first. */
  versions: Array<{ version: number; source: VersionSource }>;
  /** The job's newest deployment. */
  deployment: Pick<Deployment, 'id' | 'jobVersion' | 'status' | 'description'> | undefined;
  allocations: Array<Pick<AllocationRecord, 'group' | 'desired' | 'status' | 'jobVersion'>>;
  /** The newest version's groups and how many allocations each asks for. */
  groups: Array<{ name: string; count: number }>;
  repository: RepositorySync;
}

/** A job is Git's when some version of it came from a commit and the last synced commit still defines it. */
export function isGitOwned(jobId: string, versions: Array<{ source: VersionSource }>, repository: Pick<RepositorySync, 'jobIds'>): boolean {
  if (!versions.some((v) => v.source.kind === 'git')) return false;
  return repository.jobIds === null || repository.jobIds.includes(jobId);
}

/** The job's sync state; null for a job that never came from Git. */
export function jobSyncState(input: JobSyncInput): JobSync | null {
  const { versions, repository, deployment } = input;
  const latest = versions[0];
  if (!latest || !versions.some((v) => v.source.kind === 'git')) return null;
  const synced = repository.sha ?? lastGitCommit(versions);
  const outOfSync = (reason: string): JobSync => ({ state: 'out of sync', reason, commit: synced });
  const healNote = repository.selfHeal ? '; self-heal puts Git\'s version back at the next sync' : '';

  const file = lastGitFile(versions);
  const errors = repository.diagnostics.filter((d) => isError(d) && d.file === file);
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return outOfSync(`render error: ${formatDiagnostic(errors[0]!)}${more}; the job keeps running as it was`);
  }

  if (latest.source.kind === 'auto-revert') {
    const failed = versions[1];
    const failedCommit = failed?.source.commit ?? null;
    const rolling = deployment?.jobVersion === latest.version && isActive(deployment.status) ? '; rolling back now' : '';
    const what = failedCommit ? `commit ${failedCommit.slice(0, 7)}` : `version ${failed?.version ?? '?'}`;
    const to = latest.source.revertOf === null ? '' : ` to version ${latest.source.revertOf}`;
    return { state: 'degraded', reason: `${what} failed to deploy and was rolled back${to}${rolling}; a new commit changing the job clears this`, commit: failedCommit };
  }

  const refused = repository.refused.find((r) => r.jobId === input.jobId);
  if (refused) return outOfSync(`version refused: ${refused.message}`);

  if (latest.source.kind === 'cli') return outOfSync(`manual run (version ${latest.version})${healNote}`);
  if (latest.source.kind === 'revert') return outOfSync(`manual revert to version ${latest.source.revertOf ?? '?'} (version ${latest.version})${healNote}`);
  if (latest.source.kind === 'adopted') return outOfSync(`adopted from running containers (version ${latest.version})${healNote}`);

  if (input.stopped) {
    if (repository.jobIds !== null && !repository.jobIds.includes(input.jobId)) return { state: 'synced', reason: 'removed from Git and stopped', commit: synced };
    return outOfSync(`stopped by hand${healNote}`);
  }

  const removed = repository.removed.find((r) => r.jobId === input.jobId);
  if (removed) return outOfSync(`its file ${removed.file ?? ''} is no longer in the repository; it keeps running (--prune stops such jobs)`);

  if (deployment && isActive(deployment.status)) return { state: 'progressing', reason: `deployment ${deployment.id.slice(0, 8)} of version ${deployment.jobVersion}: ${deployment.description}`, commit: synced };
  if (deployment && (deployment.status === 'failed' || deployment.status === 'cancelled')) {
    return { state: 'degraded', reason: `deployment ${deployment.id.slice(0, 8)} of version ${deployment.jobVersion} ${deployment.status}: ${deployment.description}`, commit: synced };
  }

  const short = shortGroups(input);
  if (short.length > 0) return outOfSync(`changed outside deckhand: ${short.join(', ')}; being put back`);
  return { state: 'synced', reason: null, commit: synced };
}

function isActive(status: Deployment['status']): boolean {
  return status === 'running' || status === 'paused';
}

/** Groups with fewer allocations of the newest version running than they ask for: a container removed or stopped behind deckhand's back. */
function shortGroups(input: JobSyncInput): string[] {
  const latest = input.versions[0]!.version;
  return input.groups.flatMap((g) => {
    const running = input.allocations.filter((a) => a.group === g.name && a.desired === 'run' && a.status === 'running' && a.jobVersion === latest).length;
    return running < g.count ? [`group ${g.name} has ${running} of ${g.count} allocations running`] : [];
  });
}

function lastGitCommit(versions: JobSyncInput['versions']): string | null {
  return versions.find((v) => v.source.kind === 'git')?.source.commit ?? null;
}

function lastGitFile(versions: JobSyncInput['versions']): string | null {
  return versions.find((v) => v.source.kind === 'git')?.source.file ?? null;
}

/** How many Git-owned jobs are in each state, every state present (0 when none): for the metrics gauge. */
export function countSyncStates(states: Array<JobSync | null>): Record<SyncStateName, number> {
  const counts = Object.fromEntries(syncStateNames.map((s) => [s, 0])) as Record<SyncStateName, number>;
  for (const s of states) if (s) counts[s.state]++;
  return counts;
}
