// A runtime in memory for the watcher's unit tests: placements succeed, fail or
// find the runtime away as a test says; what runs is what was placed and not
// stopped; events reach the engine when the test sends them. No Docker.
import type { Check, RestartPolicy } from '../../src/model/job.js';
import { PlacementError, RuntimeUnavailableError } from '../../src/runtime/driver.js';
import type { AllocationObservation, CheckStatus, Driver, Placement, PlacementRequest, RuntimeEvent, TaskObservation } from '../../src/runtime/driver.js';

export type PlaceOutcome = 'ok' | 'fails' | 'runtime-away';

export class FakeDriver implements Driver {
  /** allocId → what runs. */
  readonly running = new Map<string, AllocationObservation>();
  readonly calls: Array<{ kind: 'place' | 'stop' | 'restart-policy'; allocId: string; detail?: unknown }> = [];
  /** What the next placements do, by image (default: they start). */
  outcomes = new Map<string, PlaceOutcome>();
  /** The runtime answers no read while false. */
  answering = true;
  checks = new Map<string, CheckStatus>();
  /** Allocations placed with these images never pass their checks. */
  notReadyImages = new Set<string>();
  private readonly images = new Map<string, string>();
  private listener: ((event: RuntimeEvent) => void) | null = null;
  private nextPort = 20000;

  /** While set, placements wait for it (a container slow to create, an image being pulled). */
  placesWaitFor: Promise<void> | null = null;
  /** Called when a placement starts waiting. */
  onPlaceWaiting: (() => void) | null = null;

  async place(request: PlacementRequest): Promise<Placement> {
    this.calls.push({ kind: 'place', allocId: request.allocId });
    if (this.placesWaitFor) {
      this.onPlaceWaiting?.();
      await this.placesWaitFor;
    }
    const image = request.group.tasks[0]?.image ?? '';
    this.images.set(request.allocId, image);
    const outcome = this.outcomes.get(image) ?? 'ok';
    if (outcome === 'runtime-away' || !this.answering) throw new RuntimeUnavailableError('the fake runtime does not answer');
    if (outcome === 'fails') throw new PlacementError(`No such image: ${image}`);
    const ports = Object.fromEntries(request.group.tasks.flatMap((t) => t.ports).map((p) => [p.label, this.nextPort++]));
    const tasks: TaskObservation[] = request.group.tasks.map((t) => ({ task: t.name, containerId: `c-${request.allocId}-${t.name}`, state: 'running', exitCode: null, restartCount: 0, startedAt: 1, health: 'none', healthySince: null }));
    this.running.set(request.allocId, {
      allocId: request.allocId, jobId: request.jobId, group: request.group.name, index: request.index, jobVersion: request.jobVersion, specHash: request.specHash,
      deploymentId: request.deploymentId, ports, addresses: {}, tasks, spec: request.job ? JSON.stringify(request.job) : null, inScope: true,
    });
    return { containers: Object.fromEntries(tasks.map((t) => [t.task, t.containerId!])), ports };
  }

  /** While set, stops wait for it (a container slow to stop). */
  stopsWaitFor: Promise<void> | null = null;
  /** Called when a stop starts waiting. */
  onStopWaiting: (() => void) | null = null;

  async stop(allocId: string): Promise<void> {
    if (!this.answering) throw new RuntimeUnavailableError('the fake runtime does not answer');
    this.calls.push({ kind: 'stop', allocId });
    if (this.stopsWaitFor) {
      this.onStopWaiting?.();
      await this.stopsWaitFor;
    }
    this.running.delete(allocId);
  }

  async restart(): Promise<void> {}

  async releaseNetworks(): Promise<string[]> {
    return [];
  }

  async purgeVolumes(): Promise<{ removed: string[]; kept: Array<{ name: string; why: string }> }> {
    return { removed: [], kept: [] };
  }

  async updateRestartPolicy(allocId: string, policy: RestartPolicy): Promise<void> {
    this.calls.push({ kind: 'restart-policy', allocId, detail: policy });
  }

  async observe(): Promise<AllocationObservation[]> {
    if (!this.answering) throw new RuntimeUnavailableError('the fake runtime does not answer');
    return [...this.running.values()];
  }

  async observeAllocation(allocId: string): Promise<AllocationObservation | null> {
    if (!this.answering) throw new RuntimeUnavailableError('the fake runtime does not answer');
    return this.running.get(allocId) ?? null;
  }

  watchChecks(_allocId: string, _jobId: string, _checks: Check[], _ports: Record<string, number>): void {}
  unwatchChecks(): void {}

  /** What setCheck said of the allocation; else not ready for the images in notReadyImages, ready for the others. */
  checkStatus(allocId: string): CheckStatus {
    const set = this.checks.get(allocId);
    if (set) return set;
    if (this.notReadyImages.has(this.images.get(allocId) ?? '')) return { ready: false, livenessFailed: false, lastError: 'GET / answered 500', readySince: null };
    return { ready: true, livenessFailed: false, lastError: null, readySince: null };
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }

  async close(): Promise<void> {}

  /** A task of a running allocation exits, as Docker would say. */
  exit(allocId: string, code = 1): void {
    const observed = this.running.get(allocId)!;
    this.running.set(allocId, { ...observed, tasks: observed.tasks.map((t) => ({ ...t, state: 'exited', exitCode: code })) });
    this.send({ kind: 'die', allocId, jobId: observed.jobId, time: Date.now() });
  }

  /** A check result changed. */
  setCheck(allocId: string, status: CheckStatus): void {
    this.checks.set(allocId, status);
    this.send({ kind: 'check', allocId, jobId: this.running.get(allocId)?.jobId ?? null, time: Date.now() });
  }

  send(event: RuntimeEvent): void {
    this.listener?.(event);
  }

  count(kind: 'place' | 'stop' | 'restart-policy'): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }
}
