// When an allocation turned ready, as the runtime dates it: min_healthy_time counts
// from there, not from the reconcile round that happened to read it.
import type Docker from 'dockerode';
import { taskObservation } from '../../src/runtime/docker/observe.js';
import type { AllocationObservation, CheckStatus, TaskObservation } from '../../src/runtime/driver.js';
import { probeAllocation } from '../../src/rollout/health-probe.js';

const task = (name: string, overrides: Partial<TaskObservation> = {}): TaskObservation => ({
  task: name, containerId: `c-${name}`, state: 'running', exitCode: null, restartCount: 0, startedAt: 1_000, health: 'none', healthySince: null, ...overrides,
});
const allocation = (...tasks: TaskObservation[]): AllocationObservation => ({
  allocId: 'a', jobId: 'web', group: 'web', index: 0, jobVersion: 1, specHash: 'h', deploymentId: null, ports: {}, addresses: {}, tasks, spec: null, inScope: true,
});
const checks = (readySince: number | null, ready = true): CheckStatus => ({ ready, livenessFailed: false, lastError: null, readySince });

describe('probeAllocation: readyAt', () => {
  it('task_states: the latest start of its tasks', () => {
    const result = probeAllocation(allocation(task('web', { startedAt: 1_000 }), task('sidecar', { startedAt: 1_200 })), undefined, 'task_states', ['web', 'sidecar']);
    expect(result).toMatchObject({ probe: 'ready', readyAt: 1_200 });
  });

  it('checks: when the HEALTHCHECK turned healthy, and the checks came to pass, whichever is later', () => {
    const healthy = task('web', { health: 'healthy', healthySince: 2_100 });
    expect(probeAllocation(allocation(healthy), checks(null), 'checks', ['web']).readyAt).toBe(2_100);
    expect(probeAllocation(allocation(healthy), checks(2_500), 'checks', ['web']).readyAt).toBe(2_500);
    // A task without a HEALTHCHECK is ready from its start.
    expect(probeAllocation(allocation(task('sidecar', { startedAt: 3_000 }), healthy), checks(null), 'checks', ['sidecar', 'web']).readyAt).toBe(3_000);
  });

  it('none while not ready, or when a time is unknown', () => {
    expect(probeAllocation(allocation(task('web', { health: 'starting' })), checks(null), 'checks', ['web'])).toMatchObject({ probe: 'not-ready', readyAt: null });
    expect(probeAllocation(allocation(task('web', { startedAt: null })), undefined, 'task_states', ['web'])).toMatchObject({ probe: 'ready', readyAt: null });
  });
});

describe('taskObservation: healthySince from Docker\'s probe log', () => {
  const inspect = (status: string, log: Array<[string, number]>): Docker.ContainerInspectInfo =>
    ({
      Id: 'c1', Name: '/web', Config: { Labels: {} }, RestartCount: 0,
      State: {
        Status: 'running', ExitCode: 0, StartedAt: '2026-12-07T10:00:00.000Z',
        Health: { Status: status, FailingStreak: 0, Log: log.map(([end, code]) => ({ Start: end, End: end, ExitCode: code, Output: '' })) },
      },
    }) as unknown as Docker.ContainerInspectInfo;

  it('is the end of the first probe of the passing run the log ends with', () => {
    const observed = taskObservation(inspect('healthy', [['2026-12-07T10:00:01.000Z', 1], ['2026-12-07T10:00:02.000Z', 0], ['2026-12-07T10:00:03.000Z', 0]]));
    expect(observed.healthySince).toBe(Date.parse('2026-12-07T10:00:02.000Z'));
  });

  it('is null while the container is not healthy', () => {
    expect(taskObservation(inspect('starting', [])).healthySince).toBeNull();
    expect(taskObservation(inspect('unhealthy', [['2026-12-07T10:00:01.000Z', 1]])).healthySince).toBeNull();
  });
});
