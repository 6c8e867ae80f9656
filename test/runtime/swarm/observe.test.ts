// Unit: a swarm's tasks as allocations and their changes as runtime events
// (src/runtime/swarm/observe.ts, task-changes.ts), pure.
import { allocationsFromTasks, currentTasks, snapshotOf, swarmTaskObservation, taskChanges } from '../../../src/runtime/swarm/index.js';
import type { SwarmNodeInfo, SwarmService, SwarmTask } from '../../../src/runtime/swarm/index.js';

const scope = JSON.stringify({ 'deckhand-test.run': 'x' });
const spec = JSON.stringify({ id: 'shop', groups: [{ name: 'web', tasks: [{ name: 'web', ports: [{ label: 'http', static: null, to: 8080 }] }] }] });

const service = (id: string, labels: Record<string, string> = {}): SwarmService => ({
  ID: id,
  Spec: {
    Name: `${id}-name`,
    Labels: {
      'deckhand.job': 'shop',
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
  { ID: 'n1', Description: { Hostname: 'one' }, Status: { State: 'ready' } },
  { ID: 'n2', Description: { Hostname: 'two' }, Status: { State: 'down' } },
];

let version = 0;
function swarmTask(id: string, slot: number, state: string, desired = 'running', overrides: Partial<SwarmTask> = {}): SwarmTask {
  return {
    ID: id,
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
  it("reports each slot's live tasks, else its newest, and nothing of a slot Swarm removed", () => {
    const tasks = [
      swarmTask('old-failed', 1, 'failed', 'shutdown'),
      swarmTask('current', 1, 'running'),
      swarmTask('gave-up-before', 2, 'failed', 'shutdown'),
      swarmTask('gave-up', 2, 'failed', 'shutdown'),
      swarmTask('scaled-down', 3, 'shutdown', 'remove'),
      swarmTask('lost', 4, 'running', 'shutdown', { NodeID: 'n2' }),
      swarmTask('replacement', 4, 'ready', 'ready'),
    ];
    expect(currentTasks(tasks).map((item) => item.ID)).toEqual(['current', 'gave-up', 'lost', 'replacement']);
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
    expect(observe('running', {}, nodes[1])).toMatchObject({ state: 'missing', lost: true, swarmState: 'running' });
    expect(observe('orphaned')).toMatchObject({ state: 'missing', lost: true });
    // A new leader marks every node "unknown" until its next heartbeat: their tasks are not lost.
    expect(observe('running', {}, { ID: 'n1', Description: { Hostname: 'one' }, Status: { State: 'unknown' } })).toMatchObject({ state: 'running', lost: false });
    // A node removed from the swarm is gone, with its tasks.
    expect(swarmTaskObservation(swarmTask('t', 1, 'running', 'running', { NodeID: 'n9' }), 'web', undefined)).toMatchObject({ state: 'missing', lost: true });
    // A task that had ended before its node went down ended: that is known.
    expect(observe('failed', {}, nodes[1])).toMatchObject({ state: 'exited', lost: false });
  });

  it("reads job, group, version, spec and scope from the service's labels; index from the slot; node by hostname", () => {
    const services = [service('s1'), service('s2', { 'deckhand.scope': '{}' }), { ID: 's3', Spec: { Labels: { other: 'x' } } }];
    const tasks = [swarmTask('a', 2, 'running'), swarmTask('b', 1, 'running', 'running', { ServiceID: 's2', NodeID: 'n2' }), swarmTask('c', 1, 'running', 'running', { ServiceID: 's3' })];
    const [ours, other, ...rest] = allocationsFromTasks(services, tasks, nodes, scope);
    expect(rest).toEqual([]);
    expect(ours).toEqual({
      allocId: 'a',
      jobId: 'shop',
      group: 'web',
      index: 2,
      jobVersion: 4,
      specHash: 'hash-4',
      deploymentId: null,
      ports: {},
      addresses: { http: { host: '198.19.0.7', port: 8080 } },
      tasks: [expect.objectContaining({ task: 'web', state: 'running' })],
      spec,
      inScope: true,
      node: 'one',
      nodeId: 'n1',
    });
    expect(other).toMatchObject({ allocId: 'b', inScope: false, node: 'two', addresses: {}, tasks: [expect.objectContaining({ lost: true })] });
  });
});

describe('changes between two readings of the tasks', () => {
  const read = (tasks: SwarmTask[]) => snapshotOf(allocationsFromTasks([service('s1')], tasks, nodes, scope));
  const kinds = (before: SwarmTask[], after: SwarmTask[]) => taskChanges(read(before), read(after), 5).map((event) => [event.kind, event.allocId]);

  it('are one event per allocation: start, die, health, destroy; none when nothing changed', () => {
    const check = { Spec: { ContainerSpec: { HealthCheck: { Test: ['CMD', 'true'] } } } };
    expect(kinds([], [swarmTask('a', 1, 'pending'), swarmTask('b', 2, 'failed', 'shutdown')])).toEqual([
      ['start', 'a'],
      ['die', 'b'],
    ]);
    expect(kinds([swarmTask('a', 1, 'pending')], [swarmTask('a', 1, 'starting')])).toEqual([['start', 'a']]);
    expect(kinds([swarmTask('a', 1, 'starting', 'running', check)], [swarmTask('a', 1, 'running', 'running', check)])).toEqual([['health', 'a']]);
    expect(kinds([swarmTask('a', 1, 'running')], [swarmTask('a', 1, 'running', 'running', { NodeID: 'n2' })])).toEqual([['die', 'a']]);
    expect(kinds([swarmTask('a', 1, 'running')], [swarmTask('a', 1, 'running')])).toEqual([]);
    expect(kinds([swarmTask('a', 1, 'running')], [])).toEqual([['destroy', 'a']]);
    expect(taskChanges(read([]), read([swarmTask('a', 1, 'running')]), 5)).toEqual([{ kind: 'start', allocId: 'a', jobId: 'shop', time: 5 }]);
  });
});
