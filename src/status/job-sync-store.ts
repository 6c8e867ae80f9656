// The sync state of a stored job: gathers from the store what jobSyncState needs.
import type { Store } from '../store/index.js';
import type { JobSync, RepositorySync } from './job-sync.js';
import { jobSyncState } from './job-sync.js';

/** The job's sync state, or null when it never came from Git or the agent follows no repository. */
export function storedJobSync(store: Store, jobId: string, repository: RepositorySync | null): JobSync | null {
  if (!repository) return null;
  const record = store.getJob(jobId);
  if (!record) return null;
  const versions = store.listVersions(jobId);
  const latest = versions.find((v) => v.version === record.version);
  if (!latest) return null;
  return jobSyncState({
    jobId,
    stopped: record.stopped,
    versions,
    deployment: store.listDeployments(jobId)[0],
    allocations: store.listAllocations(jobId),
    groups: latest.job.groups.map((g) => ({ name: g.name, count: g.count })),
    repository,
  });
}
