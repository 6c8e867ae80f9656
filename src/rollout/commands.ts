// What people and the GitOps loop ask of the rollout: submit a version, revert to
// an earlier one, promote canaries, stop a job, set an allocation's health by
// hand. Each records what it changes (a version and its deployment land together)
// and asks the watcher to decide the job again. Refusals are RolloutErrors with a
// kind; the API decides what HTTP status a kind is.
import { randomUUID } from 'node:crypto';
import type { AllocationRecord, Deployment, JobVersion, VersionSource } from '../model/index.js';
import { jobSpecHash } from '../model/index.js';
import { progressDeadlines } from './apply.js';
import type { RolloutContext } from './context.js';
import { cancel, isActive, promote, startDeployment } from './deployment.js';
import { descriptions } from './reconcile-types.js';
import { submitJob } from './submit.js';
import type { SubmitInput } from './submit.js';

export type RolloutErrorKind = 'not-found' | 'conflict';

export class RolloutError extends Error {
  constructor(
    message: string,
    readonly kind: RolloutErrorKind,
  ) {
    super(message);
    this.name = 'RolloutError';
  }
}

export interface Submitted {
  version: JobVersion;
  changed: boolean;
  deployment: Deployment | null;
}

/** A deployment recorded, with the one it cancelled: reported once both are stored. */
export interface StartedDeployment {
  deployment: Deployment;
  cancelled: Deployment | null;
  version: number;
}

export class Commands {
  constructor(private readonly context: RolloutContext) {}

  /** Submits a job version; a deployment starts when anything must change. */
  submit(input: Omit<SubmitInput, 'now'>): Submitted {
    const { store, now } = this.context;
    // Principle 5: a spec that failed and was reverted comes back only when a person asks (run, revert), never by itself.
    const automatic = input.source.kind === 'git' || input.source.kind === 'auto-revert';
    if (automatic && store.isSpecFailed(input.job.id, jobSpecHash(input.job))) {
      throw new RolloutError(`job "${input.job.id}": this spec failed before and was rolled back; change the job to deploy it again`, 'conflict');
    }
    // The version and its deployment land together: a crash between them would leave a version nobody deploys.
    const { result, started } = store.transaction(() => {
      const result = submitJob(store, { ...input, now: now() });
      if (!result.changed) return { result, started: null };
      const stable = input.source.revertOf !== null ? store.getVersion(input.job.id, input.source.revertOf) : undefined;
      return { result, started: this.recordDeployment(result.version, stable?.stable === true) };
    });
    if (!started) return { ...result, deployment: null };
    this.reportStarted(started);
    this.context.events.publish({ type: 'version', jobId: input.job.id, version: result.version, message: `version ${result.version.version} submitted` });
    this.context.schedule(input.job.id);
    return { ...result, deployment: started.deployment };
  }

  /** `deckhand revert JOB VERSION`: a new version with an earlier version's spec. */
  revert(jobId: string, version: number, source: Partial<VersionSource> = {}): Submitted {
    const { store } = this.context;
    const target = store.getVersion(jobId, version);
    if (!store.getJob(jobId)) throw new RolloutError(`job "${jobId}" not found`, 'not-found');
    if (!target) {
      const known = store.listVersions(jobId).map((v) => v.version).join(', ');
      throw new RolloutError(`job "${jobId}" has no version ${version} (versions: ${known})`, 'not-found');
    }
    store.clearFailedSpecs(jobId);
    return this.submit({
      job: target.job,
      source: { kind: 'revert', commit: null, file: target.source.file, author: null, message: `Rolling back to job version ${version}`, ...source, revertOf: version },
      sourceText: target.sourceText,
    });
  }

  /**
   * After a deployment failed with auto-revert: the last stable version goes back in
   * as a new version, its deployment without canaries. Called inside the transaction
   * that records the failure: a crash between the two would lose the rollback.
   */
  recordRevert(failedSpec: string, target: JobVersion): { version: JobVersion; started: StartedDeployment } {
    const { store, now } = this.context;
    store.markSpecFailed(target.jobId, failedSpec, now());
    const submitted = submitJob(store, {
      job: target.job,
      source: { kind: 'auto-revert', commit: target.source.commit, file: target.source.file, author: null, message: `Rolling back to job version ${target.version}`, revertOf: target.version },
      sourceText: target.sourceText,
      now: now(),
    });
    return { version: submitted.version, started: this.recordDeployment(submitted.version, true) };
  }

  promote(jobId: string): Deployment {
    const { store, now, events } = this.context;
    const deployment = this.latestDeployment(jobId);
    const version = deployment ? store.getVersion(jobId, deployment.jobVersion) : undefined;
    if (!deployment || !isActive(deployment) || !version) throw new RolloutError(`job "${jobId}" has no running deployment to promote`, 'conflict');
    if (deployment.groups.every((g) => g.desiredCanaries === 0 || g.promoted)) {
      throw new RolloutError(`deployment ${deployment.id.slice(0, 8)} has no canaries to promote`, 'conflict');
    }
    const promoted = promote(deployment, now(), progressDeadlines(version.job));
    store.putDeployment(promoted);
    events.publish({ type: 'deployment', jobId, deployment: promoted, message: 'promoted' });
    this.context.schedule(jobId);
    return promoted;
  }

  /** Marks a job stopped (its allocations are stopped by the watcher); the caller waits for that before a purge. */
  stop(jobId: string): void {
    const { store, now, events } = this.context;
    if (!store.getJob(jobId)) throw new RolloutError(`job "${jobId}" not found`, 'not-found');
    const deployment = this.latestDeployment(jobId);
    store.transaction(() => {
      if (deployment && isActive(deployment)) store.putDeployment(cancel(deployment, descriptions.stopped, now()));
      store.setStopped(jobId, true, now());
    });
    events.publish({ type: 'job', jobId, message: 'job stopped' });
    this.context.schedule(jobId);
  }

  /** `health_check = "manual"`: someone tells deckhand an allocation's health. */
  setHealth(allocId: string, healthy: boolean): AllocationRecord {
    const { store, now } = this.context;
    const allocation = store.getAllocation(allocId);
    if (!allocation || allocation.desired !== 'run') throw new RolloutError(`allocation ${allocId} not found`, 'not-found');
    if (allocation.healthy !== null) throw new RolloutError(`allocation ${allocId.slice(0, 8)} already has its health (${allocation.healthy ? 'healthy' : 'unhealthy'})`, 'conflict');
    const at = now();
    const updated = { ...allocation, healthy, healthyAt: healthy ? at : null, modifiedAt: at };
    store.transaction(() => {
      store.putAllocation(updated);
      const deployment = updated.deploymentId ? store.getDeployment(updated.deploymentId) : undefined;
      if (deployment) {
        const groups = deployment.groups.map((g) => (g.name === updated.group ? (healthy ? { ...g, healthy: g.healthy + 1 } : { ...g, unhealthy: g.unhealthy + 1 }) : g));
        store.putDeployment({ ...deployment, groups, updatedAt: at });
      }
    });
    this.context.schedule(allocation.jobId);
    return updated;
  }

  latestDeployment(jobId: string): Deployment | undefined {
    return this.context.store.listDeployments(jobId)[0];
  }

  /** Records a new deployment of a version, cancelling the one it supersedes; report it with reportStarted once stored. */
  recordDeployment(version: JobVersion, rollback: boolean): StartedDeployment {
    const { store, now } = this.context;
    const at = now();
    const previous = this.latestDeployment(version.jobId);
    const deployment = startDeployment({ id: randomUUID().replace(/-/g, ''), job: version.job, version: version.version, now: at, rollback });
    const cancelled = previous && isActive(previous) ? cancel(previous, descriptions.newerVersion, at) : null;
    store.transaction(() => {
      if (cancelled) store.putDeployment(cancelled);
      store.putDeployment(deployment);
    });
    return { deployment, cancelled, version: version.version };
  }

  reportStarted(started: StartedDeployment): void {
    const { events } = this.context;
    if (started.cancelled) events.publish({ type: 'deployment', jobId: started.cancelled.jobId, deployment: started.cancelled, message: descriptions.newerVersion });
    events.publish({ type: 'deployment', jobId: started.deployment.jobId, deployment: started.deployment, message: `deployment ${started.deployment.id.slice(0, 8)} of version ${started.version} started` });
  }
}
