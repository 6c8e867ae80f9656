// Deployments as values: how one starts, is promoted, is cancelled. Pure; what each
// decision does to one is apply.ts's.
import type { Deployment, DeploymentGroupState, Job } from '../model/index.js';
import { descriptions } from './reconcile-types.js';

export interface DeploymentStart {
  id: string;
  job: Job;
  version: number;
  now: number;
  /** A rollback to a version that was stable: no canaries (hashicorp/nomad#10882), and the groups' rollback strategy. */
  rollback: boolean;
}

export function startDeployment(start: DeploymentStart): Deployment {
  const strategy = start.rollback ? 'rollback' : 'update';
  const groups: DeploymentGroupState[] = start.job.groups.map((group) => {
    const update = start.rollback && group.rollback ? group.rollback : group.update;
    return {
      name: group.name,
      desiredTotal: group.count,
      desiredCanaries: start.rollback ? 0 : Math.min(update.canary, group.count),
      canaries: [],
      promoted: false,
      autoRevert: update.autoRevert,
      strategy,
      placed: 0,
      healthy: 0,
      unhealthy: 0,
      requireProgressBy: update.progressDeadlineMs > 0 ? start.now + update.progressDeadlineMs : null,
    };
  });
  return {
    id: start.id,
    jobId: start.job.id,
    jobVersion: start.version,
    status: 'running',
    description: descriptions.running,
    groups,
    createdAt: start.now,
    updatedAt: start.now,
  };
}

/** Promotion: canaries count as the new version's first allocations, and the deadline starts again. */
export function promote(deployment: Deployment, now: number, progressDeadlines: Record<string, number> = {}): Deployment {
  return {
    ...deployment,
    description: descriptions.running,
    updatedAt: now,
    groups: deployment.groups.map((g) => {
      const deadline = progressDeadlines[g.name];
      return { ...g, promoted: true, requireProgressBy: deadline ? now + deadline : g.requireProgressBy };
    }),
  };
}

/** Whether a deployment still runs (or waits): a newer version or a stop ends it. */
export function isActive(deployment: Deployment | null | undefined): boolean {
  return deployment?.status === 'running' || deployment?.status === 'paused';
}

export function cancel(deployment: Deployment, description: string, now: number): Deployment {
  return { ...deployment, status: 'cancelled', description, updatedAt: now };
}
