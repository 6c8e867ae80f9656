// A job's plan: the annotated diff against its current version, and what the
// rollout will do to each group given what runs now. Pure: values in, values out.
import type { Job } from '../model/index.js';
import { annotate } from './annotate.js';
import type { JobDiff } from './diff.js';
import { diffJobs } from './diff.js';
import { jobSpecHash } from '../model/index.js';
import type { GroupPlan, LiveState } from './group-plan.js';
import { planGroup } from './group-plan.js';
import { redactDiff } from './redact.js';

export interface CurrentJob {
  /** The newest version's spec; a function, so an unchanged job (equal spec hashes) never needs it loaded. */
  job: Job | (() => Job);
  /** The newest version's spec hash, when known (the store keeps it). */
  specHash?: string;
  version: number;
  modifyIndex: number;
  stopped: boolean;
}

export interface PlanInput {
  /** The desired job; null when it is going away (its file was removed). */
  job: Job | null;
  /** The job as it is now (its newest version); null when it does not exist yet. */
  current: CurrentJob | null;
  live: LiveState;
}

export interface JobPlan {
  id: string;
  /** Whether submitting would change anything: the spec, or which allocations run. */
  changes: boolean;
  /** The job's modify index now: `run --check-index` with it refuses if the job moved meanwhile. 0: the job does not exist. */
  checkIndex: number;
  /** The version the job would have after submitting. */
  version: number;
  groups: GroupPlan[];
  diff: JobDiff;
}

export function planJob(input: PlanInput): JobPlan {
  const { job, current, live } = input;
  const currentJob = () => (current ? (typeof current.job === 'function' ? current.job() : current.job) : null);
  const sameSpec = job !== null && current !== null && !current.stopped && jobSpecHash(job) === (current.specHash ?? jobSpecHash(currentJob()!));
  const diff = sameSpec ? unchangedDiff(job) : annotate(diffJobs(current && !current.stopped ? currentJob() : null, job));
  const specChanged = diff.type !== 'None' || (current !== null && job !== null && current.stopped);
  const version = current ? current.version + (specChanged ? 1 : 0) : 0;

  const names = [...new Set([...(job?.groups ?? []).map((g) => g.name), ...live.allocations.map((a) => a.group)])].sort();
  const groups = names.map((name) => {
    const group = job?.groups.find((g) => g.name === name) ?? null;
    return planGroup(name, group, live.allocations.filter((a) => a.group === name), version);
  });
  const moves = groups.some((g) => g.create || g.destroy || g.inPlaceUpdate || g.destructiveUpdate);
  return {
    id: job?.id ?? currentJob()?.id ?? '',
    changes: specChanged || moves,
    checkIndex: current?.modifyIndex ?? 0,
    version,
    groups,
    // What a plan shows leaves the agent (pull-request comments, the CLI): secret values never do.
    diff: redactDiff(diff),
  };
}

/** The diff of a job against itself, without comparing field by field. */
function unchangedDiff(job: Job): JobDiff {
  return {
    type: 'None',
    id: job.id,
    fields: [],
    objects: [],
    groups: job.groups.map((g) => ({ type: 'None' as const, name: g.name, fields: [], objects: [], tasks: g.tasks.map((t) => ({ type: 'None' as const, name: t.name, fields: [], objects: [], annotations: [] })) })),
  };
}
