// After a crash, a restart or an outage of the runtime: what was cut short is
// finished from the records and what runs, jobs the store lost are adopted from
// their containers, and containers nobody knows are reported, never removed.
import type { AllocationRecord, VersionSource } from '../model/index.js';
import { jobSpecHash } from '../model/index.js';
import { planAdoption } from './adopt.js';
import type { Commands } from './commands.js';
import type { RolloutContext } from './context.js';
import type { Placement } from './placement.js';

export class Recovery {
  private reportedUnknown = false;

  constructor(
    private readonly context: RolloutContext,
    private readonly placement: Placement,
    private readonly commands: Commands,
  ) {}

  /**
   * Before a job is decided after a start or after the runtime came back: stops
   * that were cut short are finished; placements that were cut short are adopted
   * when all their containers run, else placed again (leftovers removed); running
   * allocations get their checks back. Nothing here counts against an allocation's health.
   */
  async resume(jobId: string): Promise<void> {
    const { store, runtime, now, events } = this.context;
    const allocations = store.listAllocations(jobId);
    // Stops first: a placement made again must not run beside what it replaces. A stop
    // still marked running may have been cut short after its containers were removed:
    // stopping it again releases what outlives them (its own volumes, its files).
    const unfinishedStop = (a: AllocationRecord) => a.desired === 'stop' && (runtime.observations.has(a.id) || a.status === 'running' || a.status === 'pending');
    for (const allocation of allocations.filter(unfinishedStop)) {
      if (!(await this.placement.remove(allocation))) return;
    }
    for (const allocation of allocations) {
      if (allocation.desired !== 'run' || this.placement.placing.has(allocation.id)) continue;
      const observed = runtime.observations.get(allocation.id);
      const group = () => store.getVersion(jobId, allocation.jobVersion)?.job.groups.find((g) => g.name === allocation.group);
      if (allocation.status === 'running' && observed && !this.placement.isWatching(allocation.id)) {
        const found = group();
        if (found) this.placement.watchChecks(allocation.id, jobId, found, observed.ports);
      }
      if (allocation.status !== 'pending') continue;
      if (observed && observed.tasks.every((t) => t.state === 'running')) {
        const containers = Object.fromEntries(observed.tasks.map((t) => [t.task, t.containerId ?? '']));
        const running = { ...allocation, status: 'running' as const, containers, ports: observed.ports, description: '', modifiedAt: now() };
        store.putAllocation(running);
        const found = group();
        if (found) this.placement.watchChecks(allocation.id, jobId, found, observed.ports);
        events.publish({ type: 'allocation', jobId, allocation: running, message: `allocation ${allocation.id.slice(0, 8)} adopted: its containers run` });
        continue;
      }
      events.publish({ type: 'allocation', jobId, allocation, message: `placing allocation ${allocation.id.slice(0, 8)} again (${allocation.group}[${allocation.index}]): its placement was cut short` });
      await this.placement.start(allocation, store.getVersion(jobId, allocation.jobVersion)?.job);
      if (!runtime.up) return;
    }
  }

  /**
   * Jobs whose containers run but which the store does not know (a lost or fresh
   * data directory): rebuilt from the spec, version and spec hashes the containers
   * carry, so nothing is placed twice. A job whose allocations all run its newest
   * spec is taken over as it is; one caught mid-rollout gets a deployment that
   * replaces only what does not match.
   */
  adoptUnknownJobs(): void {
    const { store, runtime, now, events } = this.context;
    const at = now();
    const { adopted } = planAdoption(runtime.observations.values(), (jobId) => store.getJob(jobId) !== undefined, at);
    for (const { job, version, allocations, settled } of adopted) {
      const message = `Adopted from ${allocations.length} running allocation${allocations.length === 1 ? '' : 's'}: the data directory had no record of this job`;
      const { recorded, started } = store.transaction(() => {
        const source: VersionSource = { kind: 'adopted', commit: null, file: job.source.file, author: null, message, revertOf: null };
        const recorded = store.submitVersion({ job, specHash: jobSpecHash(job), source, sourceText: null, submittedAt: at, firstVersion: version });
        for (const allocation of allocations) store.putAllocation(allocation);
        if (settled) store.setStable(job.id, recorded.version, true);
        return { recorded, started: settled ? null : this.commands.recordDeployment(recorded, false) };
      });
      events.publish({ type: 'version', jobId: job.id, version: recorded, message: `job "${job.id}" version ${recorded.version}: ${message.charAt(0).toLowerCase()}${message.slice(1)}` });
      if (started) this.commands.reportStarted(started);
    }
  }

  /** Containers no record knows of are reported once, never removed. */
  reportUnknownContainers(): void {
    if (this.reportedUnknown) return;
    this.reportedUnknown = true;
    const { store, runtime, events } = this.context;
    const known = new Set(store.listAllocations().map((a) => a.id));
    // One line per job and reason: an engine shared with other agents may hold hundreds.
    const unknown = new Map<string, { jobId: string; why: string; allocIds: string[] }>();
    for (const observed of runtime.observations.values()) {
      if (known.has(observed.allocId)) continue;
      const why = !observed.inScope
        ? 'were placed by an agent with other --labels'
        : store.getJob(observed.jobId)
          ? 'belong to no known allocation of the job'
          : 'carry no job spec deckhand can read (placed by an older deckhand?)';
      const key = `${observed.jobId}\n${why}`;
      const entry = unknown.get(key) ?? { jobId: observed.jobId, why, allocIds: [] };
      entry.allocIds.push(observed.allocId.slice(0, 8));
      unknown.set(key, entry);
    }
    for (const { jobId, why, allocIds } of unknown.values()) {
      const which = allocIds.length === 1 ? `allocation ${allocIds[0]}` : `${allocIds.length} allocations (${allocIds.slice(0, 5).join(', ')}${allocIds.length > 5 ? ', ...' : ''})`;
      events.publish({ type: 'runtime', jobId, message: `containers of ${which} of job ${jobId} ${why}; left alone (docker rm -f removes them if they are not wanted)` });
    }
  }
}
