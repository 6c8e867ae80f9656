// Carrying effects out on the runtime: containers created for a recorded
// allocation, removed for one recorded as stopping, restart policies changed in
// place; and the http/tcp checks the driver runs for what was placed. Each outcome
// is written to the store and reported. A runtime that does not answer is never
// the allocation's fault: it stays as recorded and is resumed once it answers.
import type { AllocationRecord, Group, Job, RestartPolicy } from '../model/index.js';
import { RuntimeUnavailableError } from '../runtime/index.js';
import type { Effect } from './apply.js';
import type { RolloutContext } from './context.js';
import type { AllocationViews } from './views.js';

const short = (id: string) => id.slice(0, 8);

export class Placement {
  /** Allocations whose containers are being created right now. */
  readonly placing = new Set<string>();
  /** Allocations whose http/tcp checks the driver runs. */
  private readonly watching = new Set<string>();

  constructor(
    private readonly context: RolloutContext,
    private readonly views: AllocationViews,
  ) {}

  carryOut(effect: Effect): Promise<unknown> {
    switch (effect.kind) {
      case 'start':
        return this.start(effect.allocation, effect.job);
      case 'stop':
        return this.stop(effect.allocation, effect.reason);
      case 'restart-policy':
        return this.restartPolicy(effect.allocation, effect.policy);
    }
  }

  /** Creates a recorded allocation's containers: a new allocation, or one whose placement was cut short. */
  async start(allocation: AllocationRecord, job: Job | undefined): Promise<void> {
    const { store, driver, runtime, events, now } = this.context;
    const { jobId } = allocation;
    const group = job?.groups.find((g) => g.name === allocation.group);
    if (!job || !group) {
      store.putAllocation({ ...allocation, status: 'failed', description: `version ${allocation.jobVersion} has no group "${allocation.group}"`, modifiedAt: now() });
      return;
    }
    this.placing.add(allocation.id);
    try {
      const placed = await driver.place({
        allocId: allocation.id, jobId, jobVersion: allocation.jobVersion, deploymentId: allocation.deploymentId, group, index: allocation.index, specHash: allocation.specHash, job,
      });
      const running = { ...allocation, status: 'running' as const, containers: placed.containers, ports: placed.ports, description: '', modifiedAt: now() };
      store.putAllocation(running);
      this.watchChecks(running.id, jobId, group, placed.ports);
      await runtime.refreshAllocation(running.id);
      events.publish({ type: 'allocation', jobId, allocation: running, message: `allocation ${short(allocation.id)} started` });
    } catch (error) {
      if (error instanceof RuntimeUnavailableError) {
        // Not the allocation's fault: it stays pending, and is placed again once the runtime answers.
        const waiting = { ...allocation, description: `waiting for the runtime: ${error.message}`, modifiedAt: now() };
        store.putAllocation(waiting);
        events.publish({ type: 'allocation', jobId, allocation: waiting, message: `allocation ${short(allocation.id)} waits for the runtime: ${error.message}` });
        runtime.down(error);
        return;
      }
      const failed = { ...allocation, status: 'failed' as const, description: error instanceof Error ? error.message : String(error), modifiedAt: now() };
      store.putAllocation(failed);
      events.publish({ type: 'allocation', jobId, allocation: failed, message: `allocation ${short(allocation.id)} failed to start: ${failed.description}` });
    } finally {
      this.placing.delete(allocation.id);
    }
  }

  /** Removes an allocation recorded as stopping, and says so. */
  async stop(allocation: AllocationRecord, reason: string): Promise<void> {
    this.views.forget(allocation.id);
    if (await this.remove(allocation)) {
      const stopped = this.context.store.getAllocation(allocation.id) ?? allocation;
      this.context.events.publish({ type: 'allocation', jobId: allocation.jobId, allocation: stopped, message: `allocation ${short(allocation.id)} stopped: ${reason}` });
    }
  }

  /** Removes the containers of an allocation recorded as stopping; false when the runtime did not answer (resuming finishes it). */
  async remove(allocation: AllocationRecord): Promise<boolean> {
    const { store, driver, runtime, now, onError, toResume, traffic } = this.context;
    this.unwatchChecks(allocation.id);
    try {
      await traffic?.beforeStop(allocation, store.getVersion(allocation.jobId, allocation.jobVersion)?.job);
      await driver.stop(allocation.id);
      traffic?.stopped(allocation.id);
      store.putAllocation({ ...allocation, status: allocation.status === 'failed' ? 'failed' : 'complete', modifiedAt: now() });
    } catch (error) {
      if (error instanceof RuntimeUnavailableError) {
        runtime.down(error);
        return false;
      }
      onError(error, `stopping allocation ${short(allocation.id)}`);
      // Tried again before the job's next round.
      toResume.add(allocation.jobId);
    }
    runtime.forget(allocation.id);
    return true;
  }

  async restartPolicy(allocation: AllocationRecord, policy: RestartPolicy): Promise<void> {
    await this.context.driver.updateRestartPolicy(allocation.id, policy).catch((error: unknown) => {
      if (error instanceof RuntimeUnavailableError) this.context.runtime.down(error);
      else this.context.onError(error, 'updating a restart policy');
    });
  }

  watchChecks(allocId: string, jobId: string, group: Group, ports: Record<string, number>): void {
    this.context.driver.watchChecks(allocId, jobId, group.tasks.flatMap((t) => t.checks), checkPorts(group, ports));
    this.watching.add(allocId);
  }

  isWatching(allocId: string): boolean {
    return this.watching.has(allocId);
  }

  private unwatchChecks(allocId: string): void {
    this.context.driver.unwatchChecks(allocId);
    this.watching.delete(allocId);
  }
}

/**
 * The host ports checks connect to, by label, and by the number the process listens
 * on (a check that names a port by number, as a Kubernetes probe does, means that one).
 */
export function checkPorts(group: Group, ports: Record<string, number>): Record<string, number> {
  const byNumber: Record<string, number> = {};
  for (const port of group.tasks.flatMap((t) => t.ports)) {
    const host = ports[port.label];
    if (host !== undefined && port.to !== null && group.network?.mode !== 'host') byNumber[String(port.to)] ??= host;
  }
  return { ...byNumber, ...ports };
}
