import { planAdoption } from '../../src/rollout/adopt.js';
import { groupSpecHash } from '../../src/model/spec/change-rules.js';
import type { AllocationObservation, TaskObservation } from '../../src/runtime/driver.js';
import { renderJob } from '../helpers/render.js';

const job = (image: string) =>
  renderJob(`job "web" {\n  group "web" {\n    count = 2\n    task "server" {\n      driver = "docker"\n      config { image = "${image}" }\n    }\n  }\n}\n`);

const task = (state: TaskObservation['state'] = 'running'): TaskObservation => ({ task: 'server', containerId: `c-${state}`, state, exitCode: null, restartCount: 0, startedAt: 1, health: 'none', healthySince: null });

function observed(allocId: string, index: number, version: number, image: string, overrides: Partial<AllocationObservation> = {}): AllocationObservation {
  const spec = job(image);
  return { allocId, jobId: 'web', group: 'web', index, jobVersion: version, specHash: groupSpecHash(spec.groups[0]!), deploymentId: 'd1', ports: { http: 20001 }, addresses: {}, tasks: [task()], spec: JSON.stringify(spec), inScope: true, ...overrides };
}

describe('planAdoption', () => {
  test('a job the store does not know is rebuilt at the version its containers carry; all on that spec and running: settled', () => {
    const result = planAdoption([observed('a1', 0, 4, 'demo:v2'), observed('a2', 1, 4, 'demo:v2')], () => false, 1000);
    expect(result.unreadable).toEqual([]);
    expect(result.adopted).toHaveLength(1);
    const [adopted] = result.adopted;
    expect(adopted).toMatchObject({ version: 4, settled: true, job: { id: 'web' } });
    expect(adopted!.job.groups[0]!.tasks[0]!.image).toBe('demo:v2');
    expect(adopted!.allocations.map((a) => [a.id, a.index, a.jobVersion, a.status, a.desired, a.healthy, a.deploymentId])).toEqual([
      ['a1', 0, 4, 'running', 'run', null, null],
      ['a2', 1, 4, 'running', 'run', null, null],
    ]);
    expect(adopted!.allocations[0]!.containers).toEqual({ server: 'c-running' });
  });

  test('caught mid-rollout: the newest spec wins, and allocations on an older spec keep their hash (a deployment replaces them)', () => {
    const result = planAdoption([observed('a1', 0, 3, 'demo:v1'), observed('a2', 1, 4, 'demo:v2')], () => false, 1000);
    const [adopted] = result.adopted;
    expect(adopted).toMatchObject({ version: 4, settled: false });
    expect(adopted!.job.groups[0]!.tasks[0]!.image).toBe('demo:v2');
    expect(adopted!.allocations.find((a) => a.id === 'a1')!.specHash).toBe(groupSpecHash(job('demo:v1').groups[0]!));
  });

  test('an allocation whose containers do not all run is adopted as failed (it is replaced), and the job is not settled', () => {
    const result = planAdoption([observed('a1', 0, 4, 'demo:v2', { tasks: [task('exited')] }), observed('a2', 1, 4, 'demo:v2')], () => false, 1000);
    expect(result.adopted[0]).toMatchObject({ settled: false });
    expect(result.adopted[0]!.allocations.find((a) => a.id === 'a1')!.status).toBe('failed');
  });

  test("another agent's containers (placed with other --labels) are not adopted", () => {
    expect(planAdoption([observed('a1', 0, 4, 'demo:v2', { inScope: false })], () => false, 1000)).toEqual({ adopted: [], unreadable: [] });
  });

  test('jobs the store knows are left to it; containers without a readable spec are not adopted', () => {
    expect(planAdoption([observed('a1', 0, 4, 'demo:v2')], (id) => id === 'web', 1000)).toEqual({ adopted: [], unreadable: [] });
    const unreadable = planAdoption([observed('a1', 0, 4, 'demo:v2', { spec: null }), observed('a2', 1, 4, 'demo:v2', { spec: '{"id":"other","groups":[{}]}' })], () => false, 1000);
    expect(unreadable).toEqual({ adopted: [], unreadable: ['web'] });
    expect(planAdoption([observed('a1', 0, 4, 'demo:v2', { spec: 'not json' })], () => false, 1000).unreadable).toEqual(['web']);
  });
});
