// Unit: a swarm's services (one allocation each) and their tasks as allocations, and
// their changes as runtime events (src/runtime/swarm/observe.ts, task-changes.ts), pure.
import { allocationsFromTasks, currentTask, snapshotOf, swarmTaskObservation, taskChanges } from '../../../src/runtime/swarm/index.js';
import type { SwarmNodeInfo, SwarmService, SwarmTask } from '../../../src/runtime/swarm/index.js';

const scope = JSON.stringify({ 'deckhand-test.run': 'x' });
const spec = JSON.stringify({ id: 'shop', groups: [{ name: 'web', tasks: [{ name: 'web', ports: [{ label: 'http', static: null, to: 8080 }] }] }] });

const service = (id: string, labels: Record<string, string> = {}): SwarmService => ({
  ID: id,
  Spec: {
    Name: `${id}-name`,
    Labels: {
      'deckhand.job': 'shop',
      'deckhand.alloc': `alloc-${id}`,
      'deckhand.index': '2',
      'deckhand.ports': '{"http":8080}',
      'deckhand.group': 'web',
      'deckhand.task': 'web',
      'deckhand.version': '4',
      'deckhand.spec-hash': 'hash-4',
      'deckhand.deployment': '',
      'deckhand.job-spec': spec,
      'deckhand.scope': scope,
      ...labels,
    },
  },
});

const nodes: SwarmNodeInfo[] = [
  { ID: 'n1', Description: { Hostname: 'one' }, Status: { State: 'ready', Addr: '198.18.0.11' } },
  { ID: 'n2', Description: { Hostname: 'two' }, Status: { State: 'down' } },
];

let version = 0;
function swarmTask(id: string, slot: number, state: string, desired = 'running', overrides: Partial<SwarmTask> = {}): SwarmTask {
  return {
    ID: id,
    CreatedAt: `2026-12-07T10:00:${String(version).padStart(2, '0')}Z`,
    ServiceID: 's1',
    Slot: slot,
    NodeID: 'n1',
    DesiredState: desired,
    Version: { Index: ++version },
    Status: { State: state, Timestamp: '2026-12-07T10:00:00Z', ContainerStatus: { ContainerID: `c-${id}`, ExitCode: 0 } },
    NetworksAttachments: [{ Network: { Spec: { Name: 'deckhand-shop' } }, Addresses: ['198.19.0.7/24'] }],
    ...overrides,
  };
}

describe('a swarm task as an allocation', () => {
  it('takes the newest task that may run, one on a live node first, else the newest; the tasks before it are restarts', () => {
    const down = (nodeId: string | undefined) => nodeId === 'n2';
    const chosen = (tasks: SwarmTask[]) => {
      const current = currentTask(tasks, down);
      return current && [current.task.ID, current.earlier];
    };
    expect(chosen([])).toBeNull();
    expect(chosen([swarmTask('old-failed', 1, 'failed', 'shutdown'), swarmTask('current', 1, 'running')])).toEqual(['current', 1]);
    // Moved by Swarm (shut down with its node, or by an update): not a restart.
    expect(chosen([swarmTask('moved', 1, 'shutdown', 'shutdown'), swarmTask('current', 1, 'running')])).toEqual(['current', 0]);
    expect(chosen([swarmTask('gave-up-before', 1, 'failed', 'shutdown'), swarmTask('gave-up', 1, 'failed', 'shutdown')])).toEqual(['gave-up', 1]);
    // Its node lost: the replacement on a live node is the allocation's task, even before it runs.
    expect(chosen([swarmTask('lost', 1, 'running', 'shutdown', { NodeID: 'n2' }), swarmTask('replacement', 1, 'ready', 'running')])).toEqual(['replacement', 0]);
    expect(chosen([swarmTask('only', 1, 'running', 'running', { NodeID: 'n2' })])).toEqual(['only', 0]);
  });

  it('maps Swarm states to the runtime’s, with health as Swarm’s controller tells it', () => {
    const node = nodes[0];
    const healthcheck = { Spec: { ContainerSpec: { HealthCheck: { Test: ['CMD', 'true'] } } } };
    const observe = (state: string, overrides: Partial<SwarmTask> = {}, on = node) => swarmTaskObservation(swarmTask('t', 1, state, 'running', overrides), 'web', on);
    expect(observe('pending')).toMatchObject({ state: 'created', health: 'none', startedAt: null });
    expect(observe('starting')).toMatchObject({ state: 'running', health: 'starting' });
    expect(observe('running', healthcheck)).toMatchObject({ state: 'running', health: 'healthy', startedAt: Date.parse('2026-12-07T10:00:00Z'), containerId: 'c-t' });
    expect(observe('running')).toMatchObject({ state: 'running', health: 'none', exitCode: null, lost: false });
    const unhealthy = { Status: { State: 'failed', Err: 'task: non-zero exit (1): unhealthy container', ContainerStatus: { ContainerID: 'c-t', ExitCode: 137 } } };
    expect(observe('failed', unhealthy)).toMatchObject({ state: 'exited', health: 'unhealthy', exitCode: 137, swarmState: 'failed' });
    expect(observe('complete')).toMatchObject({ state: 'exited', health: 'none', exitCode: 0 });
    expect(observe('running', {}, nodes[1])).toMatchObject({ state: 'created', lost: true, swarmState: 'running' });
    expect(observe('orphaned')).toMatchObject({ state: 'created', lost: true });
    // A new leader marks every node "unknown" until its next heartbeat: their tasks are not lost.
    expect(observe('running', {}, { ID: 'n1', Description: { Hostname: 'one' }, Status: { State: 'unknown' } })).toMatchObject({ state: 'running', lost: false });
    // A node removed from the swarm is gone, with its tasks.
    expect(swarmTaskObservation(swarmTask('t', 1, 'running', 'running', { NodeID: 'n9' }), 'web', undefined)).toMatchObject({ state: 'created', lost: true });
    // A task that had ended before its node went down ended: that is known.
    expect(observe('failed', {}, nodes[1])).toMatchObject({ state: 'exited', lost: false });
  });

  it("reads id, index, job, group, version, spec and scope from the service's labels; the node by hostname", () => {
    const services = [service('s1'), service('s2', { 'deckhand.scope': '{}' }), service('s4'), { ID: 's3', Spec: { Labels: { other: 'x' } } }];
    const tasks = [swarmTask('a', 1, 'running'), swarmTask('b', 1, 'running', 'running', { ServiceID: 's2', NodeID: 'n2' }), swarmTask('c', 1, 'running', 'running', { ServiceID: 's3' })];
    const [ours, other, notYet, ...rest] = allocationsFromTasks(services, tasks, nodes, scope);
    expect(rest).toEqual([]);
    expect(ours).toEqual({
      allocId: 'alloc-s1',
      jobId: 'shop',
      group: 'web',
      index: 2,
      jobVersion: 4,
      specHash: 'hash-4',
      deploymentId: null,
      ports: { http: 8080 },
      addresses: { http: { host: '198.18.0.11', port: 8080 } },
      tasks: [expect.objectContaining({ task: 'web', state: 'running', containerId: 'c-a' })],
      spec,
      inScope: true,
      node: 'one',
      nodeId: 'n1',
      serviceId: 's1',
    });
    expect(other).toMatchObject({ allocId: 'alloc-s2', inScope: false, node: 'two', addresses: {}, tasks: [expect.objectContaining({ lost: true })] });
    // A service whose task Swarm has not made yet: created, nowhere.
    expect(notYet).toMatchObject({ allocId: 'alloc-s4', node: null, tasks: [expect.objectContaining({ state: 'created', containerId: null })] });
  });
});

describe('changes between two readings of the tasks', () => {
  const services = [service('s1'), service('s2')];
  const read = (tasks: SwarmTask[]) => snapshotOf(allocationsFromTasks(services.filter((item) => tasks.some((t) => t.ServiceID === item.ID)), tasks, nodes, scope));
  const kinds = (before: SwarmTask[], after: SwarmTask[]) => taskChanges(read(before), read(after), 5).map((event) => [event.kind, event.allocId]);

  it('are one event per allocation: start, die, health, destroy; none when nothing changed', () => {
    const check = { Spec: { ContainerSpec: { HealthCheck: { Test: ['CMD', 'true'] } } } };
    expect(kinds([], [swarmTask('a', 1, 'pending'), swarmTask('b', 1, 'failed', 'shutdown', { ServiceID: 's2' })])).toEqual([
      ['start', 'alloc-s1'],
      ['die', 'alloc-s2'],
    ]);
    expect(kinds([swarmTask('a', 1, 'pending')], [swarmTask('a', 1, 'starting')])).toEqual([['start', 'alloc-s1']]);
    expect(kinds([swarmTask('a', 1, 'starting', 'running', check)], [swarmTask('a', 1, 'running', 'running', check)])).toEqual([['health', 'alloc-s1']]);
    // Lost with its node: not ready until Swarm runs it elsewhere (a change, reported as such).
    expect(kinds([swarmTask('a', 1, 'running')], [swarmTask('a', 1, 'running', 'running', { NodeID: 'n2' })])).toEqual([['start', 'alloc-s1']]);
    expect(kinds([swarmTask('a', 1, 'running')], [swarmTask('a', 1, 'running')])).toEqual([]);
    // Swarm restarted the task between two readings: another container runs.
    expect(kinds([swarmTask('a', 1, 'running')], [swarmTask('a', 1, 'failed', 'shutdown'), swarmTask('a2', 1, 'running')])).toEqual([['start', 'alloc-s1']]);
    expect(kinds([swarmTask('a', 1, 'running')], [])).toEqual([['destroy', 'alloc-s1']]);
    expect(taskChanges(read([]), read([swarmTask('a', 1, 'running')]), 5)).toEqual([{ kind: 'start', allocId: 'alloc-s1', jobId: 'shop', time: 5 }]);
  });
});
