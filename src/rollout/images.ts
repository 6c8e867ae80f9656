// Tags that move: a task whose image is pulled `always` runs the digest the registry
// gave for its tag when the version was submitted (or re-checked on a sync), as a
// Kubernetes Deployment does once Argo or Flux pins it. A tag pushed anew is then a
// new digest, a new spec, a new version rolled out like any change; a rollback
// returns to the digest that ran. Asked at the edge (here, before submit and plan),
// never in render, which stays pure.
import type { Job, PullPolicy, Task } from '../model/index.js';
import { imageReference } from '../model/index.js';
import type { ImageRegistry } from '../runtime/index.js';

/** Something to say about one task's image, in words for the log, the API and the plan. */
export interface ImageProblem {
  /** Indexes of the group and its task in the job. */
  group: number;
  task: number;
  message: string;
}

export interface ResolvedImages {
  job: Job;
  /** Registries that gave no digest. */
  problems: ImageProblem[];
}

const short = (digest: string) => digest.slice(0, 19);

function policyOf(task: Task, fallback: PullPolicy): PullPolicy {
  return task.pull ?? fallback;
}

/** Whether a task's tag is resolved to a digest: pulled always, and not pinned by the file itself. */
export function resolvesDigest(task: Task, fallback: PullPolicy): boolean {
  return policyOf(task, fallback) === 'always' && imageReference(task.image).digest === null;
}

export function pullsAlways(job: Job, fallback: PullPolicy): boolean {
  return job.groups.some((group) => group.tasks.some((task) => resolvesDigest(task, fallback)));
}

function previousTask(previous: Job | undefined, group: string, task: Task): Task | undefined {
  const found = previous?.groups.find((g) => g.name === group)?.tasks.find((t) => t.name === task.name);
  return found && found.image === task.image ? found : undefined;
}

/** A new job whose tasks are changed by `change`; jobs are never changed in place (hashes are cached by identity). */
async function mapTasks(job: Job, change: (group: string, task: Task, at: { group: number; task: number }) => Promise<Task>): Promise<Job> {
  const groups = [];
  for (const [g, group] of job.groups.entries()) {
    const tasks = [];
    for (const [t, task] of group.tasks.entries()) tasks.push(await change(group.name, task, { group: g, task: t }));
    groups.push(tasks.every((t, i) => t === group.tasks[i]) ? group : { ...group, tasks });
  }
  return groups.every((g, i) => g === job.groups[i]) ? job : { ...job, groups };
}

/**
 * Each task pulled always gets its tag's current digest from the registry. When the
 * registry does not answer, the digest the task or the job's newest version had for the
 * same image is kept (a registry outage is no change); without one the task goes
 * without, and its image is pulled when placed, where a failure is the allocation's.
 */
export async function resolveImages(job: Job, previous: Job | undefined, registry: ImageRegistry): Promise<ResolvedImages> {
  const problems: ImageProblem[] = [];
  const resolved = await mapTasks(job, async (group, task, at) => {
    if (!resolvesDigest(task, registry.defaultPullPolicy)) return task;
    try {
      const digest = await registry.registryDigest(task.image, task.registryAuth);
      return task.imageDigest === digest ? task : { ...task, imageDigest: digest };
    } catch (error) {
      const known = task.imageDigest ?? previousTask(previous, group, task)?.imageDigest;
      const why = `task "${task.name}": the registry of ${task.image} gave no digest (${(error as Error).message})`;
      problems.push({ ...at, message: known ? `${why}; keeping ${short(known)}` : `${why}; the image is pulled when an allocation is placed` });
      if (!known || task.imageDigest === known) return task;
      return { ...task, imageDigest: known };
    }
  });
  return { job: resolved, problems };
}

/**
 * Without a registry to ask (a plan offline, a pull request's plan): each task keeps the
 * digest its newest version had for the same image, so the plan shows no change it cannot know of.
 */
export function withPreviousDigests(job: Job, previous: Job | undefined): Job {
  if (!previous) return job;
  let changed = false;
  const groups = job.groups.map((group) => {
    const tasks = group.tasks.map((task) => {
      if (task.imageDigest || task.pull === 'missing' || task.pull === 'never' || imageReference(task.image).digest !== null) return task;
      const known = previousTask(previous, group.name, task)?.imageDigest;
      if (!known) return task;
      changed = true;
      return { ...task, imageDigest: known };
    });
    return { ...group, tasks };
  });
  return changed ? { ...job, groups } : job;
}

/**
 * Images a plan should warn of: neither on the engine nor obtainable, by the task's
 * policy (`never` and absent; or absent and the registry does not know it).
 */
export async function unavailableImages(job: Job, registry: ImageRegistry): Promise<ImageProblem[]> {
  const out: ImageProblem[] = [];
  for (const [g, group] of job.groups.entries()) {
    for (const [t, task] of group.tasks.entries()) {
      const policy = policyOf(task, registry.defaultPullPolicy);
      // Pulled always: resolving its digest already asked the registry, and said so.
      if (resolvesDigest(task, registry.defaultPullPolicy)) continue;
      // An engine that does not answer tells nothing of its images: no warning rather than a wrong one.
      const present = await registry.has(task.image).catch(() => true);
      if (present) continue;
      if (policy === 'never') {
        out.push({ group: g, task: t, message: `image ${task.image} is not on the engine, and its pull policy is "never": allocations will fail to start` });
        continue;
      }
      try {
        await registry.registryDigest(task.image, task.registryAuth);
      } catch (error) {
        out.push({ group: g, task: t, message: `image ${task.image} is not on the engine, and its registry cannot give it: ${(error as Error).message}` });
      }
    }
  }
  return out;
}
