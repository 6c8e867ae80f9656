// Jobs that run but that the store has no record of (the data directory was lost,
// or the agent started with a fresh one): rebuilt from what their containers carry
// — the job's spec, its version, each allocation's group, index and spec hash —
// so the agent takes them over instead of placing a second full set beside them.
// Pure: observations in, records out; the engine writes them.
import type { AllocationRecord, Job } from '../model/index.js';
import { groupSpecHash, withCurrentFields } from '../model/index.js';
import type { AllocationObservation } from '../runtime/index.js';

export interface AdoptedJob {
  job: Job;
  /** The newest version the containers carry: the job's version in the rebuilt store. */
  version: number;
  allocations: AllocationRecord[];
  /** Every allocation runs the newest spec: nothing to roll out, the version counts as stable. */
  settled: boolean;
}

export interface AdoptionResult {
  adopted: AdoptedJob[];
  /** Jobs whose containers carry no readable spec (placed by an older deckhand): left alone, reported. */
  unreadable: string[];
}

export function planAdoption(observations: Iterable<AllocationObservation>, isKnownJob: (jobId: string) => boolean, now: number): AdoptionResult {
  const byJob = new Map<string, AllocationObservation[]>();
  for (const observed of observations) {
    // Another agent's containers (other --labels) are its own business.
    if (!observed.jobId || !observed.inScope || isKnownJob(observed.jobId)) continue;
    byJob.set(observed.jobId, [...(byJob.get(observed.jobId) ?? []), observed]);
  }
  const adopted: AdoptedJob[] = [];
  const unreadable: string[] = [];
  for (const [jobId, observed] of byJob) {
    const newest = [...observed].sort((a, b) => b.jobVersion - a.jobVersion).find((o) => readSpec(o.spec, jobId) !== null);
    const job = newest ? readSpec(newest.spec, jobId) : null;
    if (!newest || !job) {
      unreadable.push(jobId);
      continue;
    }
    const hashes = new Map(job.groups.map((g) => [g.name, groupSpecHash(g)]));
    const allocations = observed.map((o) => adoptedAllocation(o, newest.jobVersion, now));
    const settled = observed.every((o) => hashes.get(o.group) === o.specHash && o.tasks.every((t) => t.state === 'running'));
    adopted.push({ job, version: newest.jobVersion, allocations, settled });
  }
  return { adopted, unreadable };
}

/**
 * An allocation as the store records it, from its containers. It belongs to the
 * rebuilt version; its own spec hash tells whether it runs that version's spec
 * (an allocation left by a rollout cut short keeps its older hash and is replaced).
 * Health is not known yet: it is judged again, as after any restart.
 */
function adoptedAllocation(o: AllocationObservation, version: number, now: number): AllocationRecord {
  const running = o.tasks.every((t) => t.state === 'running');
  return {
    id: o.allocId,
    jobId: o.jobId,
    group: o.group,
    index: o.index,
    jobVersion: version,
    specHash: o.specHash,
    deploymentId: null,
    desired: 'run',
    status: running ? 'running' : 'failed',
    healthy: null,
    healthyAt: null,
    canary: false,
    containers: Object.fromEntries(o.tasks.map((t) => [t.task, t.containerId ?? ''])),
    ports: o.ports,
    description: running ? 'adopted from its running containers' : 'adopted from its containers, which do not all run',
    createdAt: now,
    modifiedAt: now,
  };
}

/** The spec label's job, when it is one and is the job it claims to be. */
function readSpec(text: string | null, jobId: string): Job | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Job>;
    return value && value.id === jobId && Array.isArray(value.groups) && value.groups.length > 0 ? withCurrentFields(value as Job) : null;
  } catch {
    return null;
  }
}
