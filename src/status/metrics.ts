// Prometheus metrics (prom-client), fed by the same progress events as the CLI
// and the API. A registry per agent rather than the global one, so tests can
// run several agents in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AllocationRecord, DeckhandEvent, Deployment } from '../model/index.js';
import { syncStateNames } from './job-sync.js';
import type { SyncStateName } from './job-sync.js';

const ended = new Set(['successful', 'failed', 'cancelled']);
/** Ended deployments remembered so a repeated final event is not counted twice. */
const rememberedEndings = 1000;

export class Metrics {
  readonly registry = new Registry();
  private readonly deployments: Counter<'result'>;
  private readonly rolloutSeconds: Histogram<'result'>;
  private readonly reconcileSeconds: Histogram;
  private readonly syncSeconds: Histogram<'result'>;
  private readonly errors: Counter<'kind'>;
  private readonly countedEndings = new Set<string>();
  /** Git-owned jobs by sync state, read at each scrape; none until the agent follows a repository. */
  private syncStates: () => Record<SyncStateName, number> | null = () => null;

  /** `allocations` and `storeWritable` are read at each scrape, so the gauges are never stale. */
  constructor(allocations: () => AllocationRecord[], storeWritable: () => boolean = () => true) {
    collectDefaultMetrics({ register: this.registry, prefix: 'deckhand_' });
    this.deployments = new Counter({ name: 'deckhand_deployments_total', help: 'Deployments that ended, by result', labelNames: ['result'], registers: [this.registry] });
    this.rolloutSeconds = new Histogram({
      name: 'deckhand_rollout_duration_seconds',
      help: 'From a deployment\'s start to its end, by result',
      labelNames: ['result'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200],
      registers: [this.registry],
    });
    this.reconcileSeconds = new Histogram({
      name: 'deckhand_reconcile_duration_seconds',
      help: 'One decision round of one job: decide, write, start its stops and placements (which run on after it)',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    });
    this.syncSeconds = new Histogram({
      name: 'deckhand_sync_duration_seconds',
      help: 'One sync of the repository: fetch, render, plan, submit',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.errors = new Counter({ name: 'deckhand_errors_total', help: 'Errors deckhand survived, by kind', labelNames: ['kind'], registers: [this.registry] });
    new Gauge({
      name: 'deckhand_store_writable',
      help: '1 while the store can be written; 0 while its writes fail (a full disk): rollouts wait until they succeed again',
      registers: [this.registry],
      collect() {
        this.set(storeWritable() ? 1 : 0);
      },
    });
    const syncStates = () => this.syncStates();
    new Gauge({
      name: 'deckhand_jobs_sync',
      help: 'Jobs that came from Git, by sync state: synced, out of sync, progressing, degraded',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.reset();
        const counts = syncStates();
        if (!counts) return;
        for (const state of syncStateNames) this.set({ state }, counts[state]);
      },
    });
    new Gauge({
      name: 'deckhand_allocations',
      help: 'Allocations meant to run, by status and health',
      labelNames: ['status', 'health'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const a of allocations()) {
          if (a.desired !== 'run') continue;
          this.inc({ status: a.status, health: a.healthy === null ? 'unknown' : a.healthy ? 'healthy' : 'unhealthy' });
        }
      },
    });
  }

  /** Where the sync-state gauge reads its counts (the agent, once it follows a repository). */
  followSyncStates(read: () => Record<SyncStateName, number>): void {
    this.syncStates = read;
  }

  observe(event: DeckhandEvent): void {
    if (event.type === 'deployment') this.observeDeployment(event.deployment);
  }

  observeReconcile(seconds: number): void {
    this.reconcileSeconds.observe(seconds);
  }

  observeSync(seconds: number, result: 'ok' | 'error'): void {
    this.syncSeconds.observe({ result }, seconds);
  }

  countError(kind: string): void {
    this.errors.inc({ kind });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private observeDeployment(deployment: Deployment): void {
    if (!ended.has(deployment.status) || this.countedEndings.has(deployment.id)) return;
    this.countedEndings.add(deployment.id);
    if (this.countedEndings.size > rememberedEndings) this.countedEndings.delete(this.countedEndings.values().next().value!);
    this.deployments.inc({ result: deployment.status });
    this.rolloutSeconds.observe({ result: deployment.status }, Math.max(0, deployment.updatedAt - deployment.createdAt) / 1000);
  }
}
