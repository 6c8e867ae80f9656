// One decision and a job's state → the job's next state, what to write, what the
// runtime must do and what to report. Pure: the watcher runs it on real records and
// the tests' simulated world runs the very same step, so what the simulation
// checks is what runs.
import type { AllocationRecord, DeckhandEvent, Deployment, Job, JobRecord, JobVersion, RestartPolicy } from '../model/index.js';
import { groupSpecHash } from '../model/index.js';
import { isActive, promote } from './deployment.js';
import type { Decision } from './reconcile-types.js';

/** What a decision round reads about one job, loaded once. */
export interface JobState {
  record: JobRecord;
  /** The job's newest version. */
  latest: JobVersion;
  /** The job's newest deployment, whatever its version and status. */
  deployment: Deployment | null;
  /** Allocations meant to run, and those being stopped. */
  allocations: AllocationRecord[];
}

/** Work for the runtime, after what it is about has been written. */
export type Effect =
  /** Create the containers of a recorded, pending allocation. */
  | { kind: 'start'; allocation: AllocationRecord; job: Job }
  /** Remove the containers of an allocation recorded as stopping. */
  | { kind: 'stop'; allocation: AllocationRecord; reason: string }
  | { kind: 'restart-policy'; allocation: AllocationRecord; policy: RestartPolicy };

export interface Applied {
  state: JobState;
  /** Changed records: written together, before any effect. */
  allocations: AllocationRecord[];
  deployment: Deployment | null;
  /** The version whose deployment succeeded: it becomes stable. */
  stableVersion: number | null;
  /** The deployment failed with auto-revert: this version's spec goes back in as a new version, whose deployment skips canaries. */
  revertTo: JobVersion | null;
  /** The spec of a version whose deployment failed and is rolled back: not deployed again by itself (principle 5). */
  failedSpec: string | null;
  effects: Effect[];
  /** Reported once the writes landed. */
  events: DeckhandEvent[];
  /** A note told about an allocation (why it waits), or cleared (null). */
  note: { allocId: string; reason: string | null } | null;
}

export interface ApplyContext {
  now: number;
  /** A new allocation id (32 hex characters in production). */
  newAllocationId: () => string;
  /** The job's versions, newest first: read only when a deployment fails with auto-revert. */
  versions: () => JobVersion[];
}

const short = (id: string) => id.slice(0, 8);

export function applyDecision(state: JobState, decision: Decision, context: ApplyContext): Applied {
  const { now } = context;
  const applied: Applied = { state, allocations: [], deployment: null, stableVersion: null, revertTo: null, failedSpec: null, effects: [], events: [], note: null };
  const jobId = state.record.id;
  const setAllocation = (allocation: AllocationRecord) => {
    const exists = applied.state.allocations.some((a) => a.id === allocation.id);
    applied.state = { ...applied.state, allocations: exists ? applied.state.allocations.map((a) => (a.id === allocation.id ? allocation : a)) : [...applied.state.allocations, allocation] };
    applied.allocations.push(allocation);
  };
  const setDeployment = (deployment: Deployment, message: string | null) => {
    applied.state = { ...applied.state, deployment };
    applied.deployment = deployment;
    if (message !== null) applied.events.push({ type: 'deployment', jobId, deployment, message });
  };
  const allocation = (id: string) => state.allocations.find((a) => a.id === id);
  const deployment = state.deployment;

  switch (decision.kind) {
    case 'place': {
      const group = state.latest.job.groups.find((g) => g.name === decision.group)!;
      const active = deployment && isActive(deployment) && deployment.jobVersion === state.record.version ? deployment : null;
      const placed: AllocationRecord = {
        id: context.newAllocationId(), jobId, group: group.name, index: decision.index, jobVersion: state.record.version, specHash: groupSpecHash(group), deploymentId: active?.id ?? null,
        desired: 'run', status: 'pending', healthy: null, healthyAt: null, canary: decision.canary, containers: {}, ports: {}, description: '', createdAt: now, modifiedAt: now,
      };
      // Recorded before its containers exist: after a crash, the record tells what was being done.
      setAllocation(placed);
      if (active) {
        setDeployment(
          onGroup(active, group.name, now, (g) => ({ ...g, placed: g.placed + 1, canaries: decision.canary ? [...g.canaries, placed.id] : g.canaries })),
          null,
        );
      }
      applied.events.push({ type: 'allocation', jobId, allocation: placed, message: `placing allocation ${short(placed.id)} (${group.name}[${decision.index}]${decision.canary ? ', canary' : ''})` });
      applied.effects.push({ kind: 'start', allocation: placed, job: state.latest.job });
      return applied;
    }
    case 'stop': {
      const current = allocation(decision.allocId);
      if (!current) return applied;
      const stopping: AllocationRecord = { ...current, desired: 'stop', modifiedAt: now, description: current.description || decision.reason };
      setAllocation(stopping);
      if (decision.drift) {
        applied.events.push({ type: 'drift', jobId, allocId: current.id, message: `drift: allocation ${short(current.id)} (${current.group}[${current.index}]) ${decision.reason}` });
      }
      applied.effects.push({ kind: 'stop', allocation: stopping, reason: decision.reason });
      return applied;
    }
    case 'update-in-place': {
      const current = allocation(decision.allocId)!;
      const group = state.latest.job.groups.find((g) => g.name === current.group)!;
      const updated = { ...current, jobVersion: state.record.version, modifiedAt: now };
      setAllocation(updated);
      applied.events.push({ type: 'allocation', jobId, allocation: updated, message: `allocation ${short(current.id)} updated in place to version ${state.record.version}` });
      applied.effects.push({ kind: 'restart-policy', allocation: updated, policy: group.restart });
      return applied;
    }
    case 'set-health': {
      const current = allocation(decision.allocId)!;
      const updated = { ...current, healthy: decision.healthy, healthyAt: decision.healthy ? now : null, modifiedAt: now, description: decision.healthy ? current.description : decision.reason };
      // Together: an unhealthy allocation counts against the deployment's failure ratio.
      setAllocation(updated);
      if (deployment && current.deploymentId === deployment.id) {
        // One counted healthy that fails in Swarm's monitor window moves from healthy to unhealthy.
        const wasHealthy = current.healthy === true ? 1 : 0;
        setDeployment(onGroup(deployment, current.group, now, (g) => (decision.healthy ? { ...g, healthy: g.healthy + 1 } : { ...g, healthy: g.healthy - wasHealthy, unhealthy: g.unhealthy + 1 })), null);
      }
      applied.events.push({ type: 'allocation', jobId, allocation: updated, message: `allocation ${short(current.id)} is ${decision.healthy ? 'healthy' : `unhealthy: ${decision.reason}`}` });
      return applied;
    }
    case 'progress':
      setDeployment(onGroup(deployment!, decision.group, now, (g) => ({ ...g, requireProgressBy: decision.requireProgressBy })), null);
      return applied;
    case 'promote':
      setDeployment(promote(deployment!, now, progressDeadlines(state.latest.job)), 'canaries promoted automatically');
      return applied;
    case 'describe':
      setDeployment({ ...deployment!, description: decision.description, updatedAt: now }, decision.description);
      return applied;
    case 'note': {
      applied.note = { allocId: decision.allocId, reason: decision.reason };
      const current = allocation(decision.allocId);
      if (current && decision.reason !== null) applied.events.push({ type: 'allocation', jobId, allocation: current, message: `allocation ${short(current.id)} ${decision.reason}` });
      return applied;
    }
    case 'complete':
      setDeployment({ ...deployment!, status: 'successful', description: decision.description, updatedAt: now }, decision.description);
      applied.stableVersion = deployment!.jobVersion;
      return applied;
    case 'pause':
      setDeployment({ ...deployment!, status: 'paused', description: decision.description, updatedAt: now }, decision.description);
      return applied;
    case 'fail': {
      const versions = decision.revert ? context.versions() : [];
      const failed = versions.find((v) => v.version === deployment!.jobVersion);
      const target = failed ? chooseRevertTarget(versions, failed) : undefined;
      const description = target ? `${decision.description} - rolling back to job version ${target.version}` : decision.description;
      setDeployment({ ...deployment!, status: 'failed', description, updatedAt: now }, description);
      if (target && failed) {
        applied.revertTo = target;
        applied.failedSpec = failed.specHash;
      }
      return applied;
    }
    case 'wait':
      return applied;
  }
}

/**
 * The order a round carries decisions out in: bookkeeping first (health, deadlines,
 * the deployment's fate), in reconcile's order; then stops together, with the
 * placements a surge lets start beside them (`alongsideStops`); then the other
 * placements together, once no stop of the job runs (the watcher decides them again
 * then). A deployment that just ended changes what comes next: its round decides
 * again before it touches a container.
 */
export function roundOrder(decisions: Decision[]): { bookkeeping: Decision[]; stops: Decision[]; places: Decision[]; endsDeployment: boolean } {
  const acting = decisions.filter((d) => d.kind !== 'wait');
  const alongside = (d: Decision) => d.kind === 'place' && d.alongsideStops === true;
  return {
    bookkeeping: acting.filter((d) => d.kind !== 'place' && d.kind !== 'stop'),
    stops: acting.filter((d) => d.kind === 'stop' || alongside(d)),
    places: acting.filter((d) => d.kind === 'place' && !alongside(d)),
    endsDeployment: acting.some((d) => d.kind === 'fail' || d.kind === 'complete' || d.kind === 'pause'),
  };
}

/** The progress deadline of each group: promotion starts them again. */
export function progressDeadlines(job: Job): Record<string, number> {
  return Object.fromEntries(job.groups.map((g) => [g.name, g.update.progressDeadlineMs]));
}

/** Where an auto-revert goes: the newest stable version whose spec differs from the one that failed. */
export function chooseRevertTarget(versionsNewestFirst: JobVersion[], failed: JobVersion): JobVersion | undefined {
  return versionsNewestFirst.find((v) => v.stable && v.specHash !== failed.specHash);
}

function onGroup(deployment: Deployment, group: string, now: number, change: (g: Deployment['groups'][number]) => Deployment['groups'][number]): Deployment {
  return { ...deployment, updatedAt: now, groups: deployment.groups.map((g) => (g.name === group ? change(g) : g)) };
}
