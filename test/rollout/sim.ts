// A simulated world for the rollout: allocations start, turn ready or fail as their
// image says, time jumps to the next timer. Each round runs reconcile() and the
// production apply step (src/rollout/apply.ts) in the watcher's order, so whole
// rollouts run in milliseconds through the code the agent runs, and can be
// checked step by step. Only the runtime is simulated.
import type { Job } from '../../src/model/job.js';
import type { AllocationRecord, Deployment, JobRecord, JobVersion } from '../../src/model/state.js';
import { groupSpecHash, jobSpecHash } from '../../src/model/spec/change-rules.js';
import { applyDecision, progressDeadlines, roundOrder } from '../../src/rollout/apply.js';
import type { Effect, JobState } from '../../src/rollout/apply.js';
import { cancel, isActive, promote, startDeployment } from '../../src/rollout/deployment.js';
import { reconcile } from '../../src/rollout/reconcile.js';
import { descriptions } from '../../src/rollout/reconcile-types.js';
import type { AllocationView, Decision } from '../../src/rollout/reconcile-types.js';

export interface ImageBehaviour {
  /** Milliseconds from placement to ready. */
  startMs: number;
  /** missing: placement fails at once; unhealthy: runs, but its health check fails after startMs. */
  kind: 'good' | 'missing' | 'unhealthy';
  /** Each index turns ready this much later than the one before it (a batch whose allocations turn healthy apart). */
  spreadMs?: number;
}

/** An allocation meant to run, as recorded, with what the simulated runtime knows of it. */
export interface SimAlloc extends AllocationRecord {
  image: string;
  /** What happened to it after it started, whatever its image: see `breakAllocation`. */
  broken: 'checks-fail' | 'gone' | null;
}

export interface Snapshot {
  time: number;
  running: Array<{ index: number; version: number; image: string; healthy: boolean | null; canary: boolean }>;
}

export class World {
  now = 0;
  version = -1;
  job: Job | null = null;
  deployment: Deployment | null = null;
  deployments: Deployment[] = [];
  allocs = new Map<string, SimAlloc>();
  log: Array<{ time: number; decision: Decision }> = [];
  snapshots: Snapshot[] = [];
  versions: JobVersion[] = [];
  private readonly notes = new Map<string, string>();
  private nextId = 0;

  constructor(private readonly images: Record<string, ImageBehaviour>) {}

  /** Submits a version; a deployment starts as the commands start one. */
  submit(job: Job, { rollback = false, revertOf = null as number | null } = {}): void {
    if (this.deployment && isActive(this.deployment)) this.setDeployment(cancel(this.deployment, descriptions.newerVersion, this.now));
    this.job = job;
    this.version += 1;
    this.versions.push({
      jobId: job.id, version: this.version, job, specHash: jobSpecHash(job), modifyIndex: this.version + 1,
      source: { kind: rollback ? 'auto-revert' : 'cli', commit: null, file: null, author: null, message: null, revertOf }, sourceText: null, stable: false, submittedAt: this.now,
    });
    this.deployment = startDeployment({ id: `d${this.version}`, job, version: this.version, now: this.now, rollback });
    this.deployments.push(this.deployment);
  }

  promote(): void {
    this.setDeployment(promote(this.deployment!, this.now, progressDeadlines(this.job!)));
  }

  /** From now on its checks fail while its containers run, or its containers are gone. */
  breakAllocation(allocId: string, how: 'checks-fail' | 'gone'): void {
    this.allocs.get(allocId)!.broken = how;
  }

  view(a: SimAlloc): AllocationView {
    const base = {
      id: a.id, group: a.group, index: a.index, jobVersion: a.jobVersion, specHash: a.specHash, deploymentId: a.deploymentId, canary: a.canary, status: a.status,
      healthy: a.healthy, healthyAt: a.healthyAt, unhealthyAt: a.healthy === false ? a.modifiedAt : null, createdAt: a.createdAt, note: this.notes.get(a.id) ?? null,
    };
    if (a.broken === 'gone') return { ...base, probe: 'failed', readySince: null, failure: 'its containers are gone', tasksRunning: false };
    if (a.broken === 'checks-fail') return { ...base, probe: 'failed', readySince: null, failure: 'the HEALTHCHECK timed out', tasksRunning: true };
    const readyAt = this.readyAt(a);
    const image = this.images[a.image] ?? { startMs: 0, kind: 'missing' };
    const probe = a.status === 'failed' ? 'failed' : this.now < readyAt ? 'not-ready' : image.kind === 'unhealthy' ? 'failed' : 'ready';
    const failure = a.status === 'failed' ? a.description : image.kind === 'unhealthy' ? 'the HEALTHCHECK failed' : null;
    return { ...base, probe, readySince: probe === 'ready' ? readyAt : null, failure, tasksRunning: a.status === 'running' };
  }

  /** When a placed allocation turns ready, as its image says. */
  private readyAt(a: SimAlloc): number {
    const image = this.images[a.image] ?? { startMs: 0, kind: 'missing' };
    return a.createdAt + image.startMs + a.index * (image.spreadMs ?? 0);
  }

  /** One round of decisions, applied in the watcher's order; returns whether anything changed and the earliest wait. */
  step(): { changed: boolean; wait: number | null } {
    const decisions = reconcile({
      now: this.now,
      job: this.job,
      version: this.version,
      groupHashes: Object.fromEntries(this.job!.groups.map((g) => [g.name, groupSpecHash(g)])),
      deployment: this.deployment,
      allocations: [...this.allocs.values()].map((a) => this.view(a)),
    });
    for (const decision of decisions) this.log.push({ time: this.now, decision });
    const waits = decisions.flatMap((d) => (d.kind === 'wait' ? [d.until] : []));
    const { bookkeeping, stops, places, endsDeployment } = roundOrder(decisions);
    const changed = bookkeeping.length + stops.length + places.length > 0;
    this.carry(bookkeeping);
    if (!endsDeployment) {
      this.carry(stops);
      this.carry(places);
    }
    this.snapshots.push({ time: this.now, running: [...this.allocs.values()].map((a) => ({ index: a.index, version: a.jobVersion, image: a.image, healthy: a.healthy, canary: a.canary })) });
    return { changed, wait: waits.length ? Math.min(...waits) : null };
  }

  /** Decisions through the production apply step, then their effects on the simulated runtime. */
  private carry(decisions: Decision[]): void {
    let state = this.state();
    const context = { now: this.now, newAllocationId: () => `a${String(this.nextId++).padStart(7, '0')}`, versions: () => [...this.versions].reverse() };
    const effects: Effect[] = [];
    for (const decision of decisions) {
      const applied = applyDecision(state, decision, context);
      state = applied.state;
      effects.push(...applied.effects);
      if (applied.stableVersion !== null) this.versions[applied.stableVersion] = { ...this.versions[applied.stableVersion]!, stable: true };
      if (applied.note) {
        if (applied.note.reason === null) this.notes.delete(applied.note.allocId);
        else this.notes.set(applied.note.allocId, applied.note.reason);
      }
      for (const allocation of applied.allocations) this.record(allocation);
      if (applied.deployment) this.setDeployment(applied.deployment);
      if (applied.revertTo) this.submit(applied.revertTo.job, { rollback: true, revertOf: applied.revertTo.version });
    }
    for (const effect of effects) this.carryOut(effect);
  }

  private carryOut(effect: Effect): void {
    switch (effect.kind) {
      case 'start': {
        const a = this.allocs.get(effect.allocation.id)!;
        const missing = (this.images[a.image]?.kind ?? 'missing') === 'missing';
        this.record({ ...a, status: missing ? 'failed' : 'running', description: missing ? `No such image: ${a.image}` : '' });
        return;
      }
      case 'stop':
        this.allocs.delete(effect.allocation.id);
        this.notes.delete(effect.allocation.id);
        return;
      case 'restart-policy':
        return;
    }
  }

  /** Keeps the record and what the simulated runtime knows of it (its image, whether it broke). */
  private record(allocation: AllocationRecord): void {
    if (allocation.desired !== 'run') return;
    const known = this.allocs.get(allocation.id);
    const version = this.versions[allocation.jobVersion]!;
    const image = known?.image ?? version.job.groups.find((g) => g.name === allocation.group)!.tasks[0]!.image;
    this.allocs.set(allocation.id, { ...allocation, image, broken: known?.broken ?? null });
  }

  private state(): JobState {
    const latest = this.versions[this.version]!;
    const record: JobRecord = { id: latest.jobId, version: this.version, specHash: latest.specHash, modifyIndex: this.version + 1, stopped: false, createdAt: 0, updatedAt: this.now };
    const allocations = [...this.allocs.values()].map(({ image: _image, broken: _broken, ...rest }) => rest);
    return { record, latest, deployment: this.deployment, allocations };
  }

  private setDeployment(deployment: Deployment): void {
    this.deployment = deployment;
    const index = this.deployments.findIndex((d) => d.id === deployment.id);
    if (index >= 0) this.deployments[index] = deployment;
  }

  /** Runs until nothing changes and no timer is left (or `until`), jumping time to each timer. */
  run(until = 3_600_000): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const { changed, wait } = this.step();
      if (changed) continue;
      const next = Math.min(wait ?? Infinity, ...this.startTimes());
      if (!Number.isFinite(next) || next > until) return;
      this.now = Math.max(this.now + 1, next);
    }
    throw new Error('the simulation did not settle');
  }

  /** Times at which a placed allocation turns ready: the world changes then, not reconcile. */
  private startTimes(): number[] {
    return [...this.allocs.values()].map((a) => this.readyAt(a)).filter((t) => t > this.now);
  }

  running(): Array<{ index: number; version: number; image: string }> {
    return [...this.allocs.values()].map((a) => ({ index: a.index, version: a.jobVersion, image: a.image })).sort((a, b) => a.index - b.index);
  }

  /** The largest number of allocations that existed at once, and the fewest healthy. */
  extremes(): { maxAllocations: number; minHealthy: number } {
    const counts = this.snapshots.map((s) => s.running.length);
    const healthy = this.snapshots.slice(1).map((s) => s.running.filter((r) => r.healthy !== false && r.healthy !== null).length);
    return { maxAllocations: Math.max(...counts), minHealthy: Math.min(...healthy) };
  }
}
