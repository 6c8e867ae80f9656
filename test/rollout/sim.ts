// A simulated world for reconcile(): allocations start, turn ready or fail as their
// image says, time jumps to the next timer. Decisions are applied as the watcher
// applies them, so whole rollouts run in milliseconds and can be checked step by step.
import type { Job } from '../../src/model/job.js';
import type { Deployment } from '../../src/model/state.js';
import { groupSpecHash } from '../../src/plan/change-rules.js';
import { applyToDeployment, cancel, isActive, promote, startDeployment } from '../../src/rollout/deployment.js';
import { reconcile } from '../../src/rollout/reconcile.js';
import type { AllocationView, Decision } from '../../src/rollout/reconcile-types.js';

export interface ImageBehaviour {
  /** Milliseconds from placement to ready. */
  startMs: number;
  /** missing: placement fails at once; unhealthy: runs, but its health check fails after startMs. */
  kind: 'good' | 'missing' | 'unhealthy';
}

interface SimAlloc extends Omit<AllocationView, 'probe' | 'readySince' | 'failure' | 'tasksRunning'> {
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
  versions: Array<{ version: number; job: Job; stable: boolean }> = [];
  private nextId = 0;

  constructor(private readonly images: Record<string, ImageBehaviour>) {}

  /** Submits a version; a deployment starts as the watcher starts one. */
  submit(job: Job, { rollback = false } = {}): void {
    if (this.deployment && isActive(this.deployment)) {
      this.deployment = cancel(this.deployment, 'Cancelled due to newer version of job', this.now);
      this.save();
    }
    this.job = job;
    this.version += 1;
    this.versions.push({ version: this.version, job, stable: false });
    this.deployment = startDeployment({ id: `d${this.version}`, job, version: this.version, now: this.now, rollback });
    this.deployments.push(this.deployment);
  }

  promote(): void {
    const deadlines = Object.fromEntries(this.job!.groups.map((g) => [g.name, g.update.progressDeadlineMs]));
    this.deployment = promote(this.deployment!, this.now, deadlines);
    this.save();
  }

  private save(): void {
    this.deployments[this.deployments.length - 1] = this.deployment!;
  }

  /** From now on its checks fail while its containers run, or its containers are gone. */
  breakAllocation(allocId: string, how: 'checks-fail' | 'gone'): void {
    this.allocs.get(allocId)!.broken = how;
  }

  view(a: SimAlloc): AllocationView {
    const { broken, ...rest } = a;
    if (broken === 'gone') return { ...rest, probe: 'failed', readySince: null, failure: 'its containers are gone', tasksRunning: false };
    if (broken === 'checks-fail') return { ...rest, probe: 'failed', readySince: null, failure: 'the HEALTHCHECK timed out', tasksRunning: true };
    const image = this.images[a.image] ?? { startMs: 0, kind: 'missing' };
    const started = this.now >= a.createdAt + image.startMs;
    const probe = a.status === 'failed' ? 'failed' : !started ? 'not-ready' : image.kind === 'unhealthy' ? 'failed' : 'ready';
    const failure = image.kind === 'missing' ? `No such image: ${a.image}` : image.kind === 'unhealthy' ? 'the HEALTHCHECK failed' : null;
    return { ...rest, probe, readySince: probe === 'ready' ? a.createdAt + image.startMs : null, failure, tasksRunning: a.status === 'running' };
  }

  /** One reconcile and its decisions applied; returns the earliest wait, or null. */
  step(): { changed: boolean; wait: number | null } {
    const job = this.job!;
    const groupHashes = Object.fromEntries(job.groups.map((g) => [g.name, groupSpecHash(g)]));
    const decisions = reconcile({ now: this.now, job, version: this.version, groupHashes, deployment: this.deployment, allocations: [...this.allocs.values()].map((a) => this.view(a)) });
    let changed = false;
    let wait: number | null = null;
    for (const decision of decisions) {
      this.log.push({ time: this.now, decision });
      if (decision.kind === 'wait') {
        wait = wait === null ? decision.until : Math.min(wait, decision.until);
        continue;
      }
      changed = true;
      this.apply(decision);
    }
    this.snapshots.push({ time: this.now, running: [...this.allocs.values()].map((a) => ({ index: a.index, version: a.jobVersion, image: a.image, healthy: a.healthy, canary: a.canary })) });
    return { changed, wait };
  }

  private apply(decision: Decision): void {
    const job = this.job!;
    let allocGroup: string | null = null;
    let allocId: string | null = null;
    switch (decision.kind) {
      case 'place': {
        const group = job.groups.find((g) => g.name === decision.group)!;
        const image = group.tasks[0]!.image;
        allocId = `a${String(this.nextId++).padStart(7, '0')}`;
        const missing = (this.images[image]?.kind ?? 'missing') === 'missing';
        this.allocs.set(allocId, {
          id: allocId, group: group.name, index: decision.index, jobVersion: this.version, specHash: groupSpecHash(group), deploymentId: this.deployment?.id ?? null,
          canary: decision.canary, status: missing ? 'failed' : 'running', healthy: null, healthyAt: null, unhealthyAt: null, createdAt: this.now, image,
          note: null, broken: null,
        });
        break;
      }
      case 'stop':
        this.allocs.delete(decision.allocId);
        return;
      case 'note':
        this.allocs.get(decision.allocId)!.note = decision.reason;
        return;
      case 'update-in-place':
        this.allocs.get(decision.allocId)!.jobVersion = this.version;
        return;
      case 'set-health': {
        const a = this.allocs.get(decision.allocId)!;
        a.healthy = decision.healthy;
        if (decision.healthy) a.healthyAt = this.now;
        else a.unhealthyAt = this.now;
        allocGroup = a.group;
        if (a.deploymentId !== this.deployment?.id) return;
        break;
      }
      case 'complete':
        this.versions[this.version]!.stable = true;
        break;
      case 'fail':
        this.deployment = applyToDeployment(this.deployment!, decision, this.now);
        this.save();
        if (decision.revert) {
          const stable = [...this.versions].reverse().find((v) => v.stable && v.version !== this.version);
          if (stable) this.submit(stable.job, { rollback: true });
        }
        return;
      default:
        break;
    }
    if (this.deployment) {
      this.deployment = applyToDeployment(this.deployment, decision, this.now, allocGroup, allocId);
      this.save();
    }
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
    return [...this.allocs.values()].map((a) => a.createdAt + (this.images[a.image]?.startMs ?? 0)).filter((t) => t > this.now);
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
