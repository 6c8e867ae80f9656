// Unit: when an allocation's view says it became ready. The runtime's own time is
// used (a read may come late), but never one earlier than the last read that saw
// the allocation not ready: an engine whose clock runs behind the agent's must not
// shorten min_healthy_time.
import type { Job } from '../../src/model/job.js';
import type { AllocationRecord } from '../../src/model/state.js';
import type { AllocationObservation, CheckStatus, Driver, TaskObservation } from '../../src/runtime/driver.js';
import type { RuntimeLink } from '../../src/rollout/runtime-link.js';
import { AllocationViews } from '../../src/rollout/views.js';
import { group, task, update } from '../runtime/support.js';

const job: Job = {
  id: 'web', type: 'service', source: { format: 'nomad', file: 'web.nomad' }, meta: {}, historyLimit: null, networks: [], endpoints: [],
  groups: [group([task({ name: 'server' })], { name: 'web', update: { ...update, healthCheck: 'task_states' } })],
};
const record: AllocationRecord = {
  id: 'a1', jobId: 'web', group: 'web', index: 0, jobVersion: 1, specHash: 'h', deploymentId: 'd1', desired: 'run', status: 'running',
  healthy: null, healthyAt: null, canary: false, containers: { server: 'c1' }, ports: {}, description: '', createdAt: 1_000, modifiedAt: 1_000,
};
const serverTask = (state: TaskObservation['state'], startedAt: number | null): TaskObservation => ({ task: 'server', containerId: 'c1', state, exitCode: null, restartCount: 0, startedAt, health: 'none', healthySince: null });
const observed = (t: TaskObservation): AllocationObservation => ({ allocId: 'a1', jobId: 'web', group: 'web', index: 0, jobVersion: 1, specHash: 'h', deploymentId: 'd1', ports: {}, addresses: {}, tasks: [t], spec: null, inScope: true });

function views(): { views: AllocationViews; observations: Map<string, AllocationObservation> } {
  const observations = new Map<string, AllocationObservation>();
  const checks: CheckStatus = { ready: true, livenessFailed: false, lastError: null, readySince: null };
  return { views: new AllocationViews({ observations } as unknown as RuntimeLink, { checkStatus: () => checks } as unknown as Driver), observations };
}

describe('readiness as the views date it', () => {
  it("is the runtime's time of it, when a read comes after it", () => {
    const { views: v, observations } = views();
    observations.set('a1', observed(serverTask('running', 1_400)));
    expect(v.view(record, job, 2_000).readySince).toBe(1_400);
  });

  it('is never before the allocation was placed, nor after now', () => {
    const { views: v, observations } = views();
    observations.set('a1', observed(serverTask('running', 500)));
    expect(v.view(record, job, 2_000).readySince).toBe(1_000);
    const { views: w, observations: later } = views();
    later.set('a1', observed(serverTask('running', 9_000)));
    expect(w.view(record, job, 2_000).readySince).toBe(2_000);
  });

  it('is never before a read that saw it not ready: an engine clock running behind shortens nothing', () => {
    const { views: v, observations } = views();
    observations.set('a1', observed(serverTask('created', null)));
    expect(v.view(record, job, 5_000).readySince).toBeNull();
    // The engine, 3 s behind, says it started at 3_000 of its own clock: after the read at 5_000 in truth.
    observations.set('a1', observed(serverTask('running', 3_000)));
    expect(v.view(record, job, 6_000).readySince).toBe(5_000);
  });
});
