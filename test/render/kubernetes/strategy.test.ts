import { nomadUpdateDefaults } from '../../../src/render/defaults.js';
import { kubernetesUpdateDefaults, parseBudget, resolveBudgets } from '../../../src/render/kubernetes/strategy.js';
import { deployment, errors, onlyGroup, render, renderObjects } from './helpers.js';

const updateOf = (spec: Record<string, unknown>) => onlyGroup(renderObjects(deployment({ spec }))).update;
const rolling = (replicas: number, rollingUpdate: Record<string, unknown>) => updateOf({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate } });

describe('RollingUpdate', () => {
  test('the default strategy: every field Kubernetes implies', () => {
    expect(updateOf({ replicas: 4 })).toEqual({
      maxParallel: 2,
      canary: 0,
      autoPromote: false,
      autoRevert: false,
      onUnhealthy: 'replace',
      minHealthyTimeMs: 0,
      monitorMs: 0,
      healthyDeadlineMs: 0,
      progressDeadlineMs: 600_000,
      healthCheck: 'task_states',
      order: 'stop-first',
      delayMs: 0,
      failureAction: 'pause',
      maxFailureRatio: 0,
      maxSurge: 1,
      maxUnavailable: 1,
    });
  });

  test('one replica and nothing else set: exactly the Kubernetes defaults', () => {
    expect(updateOf({ replicas: 1 })).toEqual(kubernetesUpdateDefaults);
    expect(Object.keys(kubernetesUpdateDefaults)).toEqual(Object.keys(nomadUpdateDefaults));
  });

  test('fields come in the model order, as every format renders them', () => {
    expect(Object.keys(updateOf({}))).toEqual(Object.keys(nomadUpdateDefaults));
  });

  // maxSurge 25% rounds up, maxUnavailable 25% rounds down.
  test.each([
    [0, 0, 0, 1, 'start-first'],
    [1, 1, 0, 1, 'start-first'],
    [2, 1, 0, 1, 'start-first'],
    [3, 1, 0, 1, 'start-first'],
    [4, 1, 1, 2, 'stop-first'],
    [5, 2, 1, 3, 'stop-first'],
    [10, 3, 2, 5, 'stop-first'],
    [100, 25, 25, 50, 'stop-first'],
  ])('default 25%% / 25%% with %i replicas → surge %i, unavailable %i, parallel %i, %s', (replicas, maxSurge, maxUnavailable, maxParallel, order) => {
    expect(updateOf({ replicas })).toMatchObject({ maxSurge, maxUnavailable, maxParallel, order });
    expect(updateOf({ replicas, strategy: {} })).toMatchObject({ maxSurge, maxUnavailable });
    expect(updateOf({ replicas, strategy: { type: 'RollingUpdate' } })).toMatchObject({ maxSurge, maxUnavailable });
  });

  test.each([
    [10, { maxSurge: '30%', maxUnavailable: '30%' }, 3, 3],
    [10, { maxSurge: 30, maxUnavailable: 3 }, 30, 3],
    [10, { maxSurge: '33%', maxUnavailable: '33%' }, 4, 3],
    [3, { maxSurge: '50%', maxUnavailable: '50%' }, 2, 1],
    [4, { maxSurge: '150%', maxUnavailable: '100%' }, 6, 4],
    [4, { maxSurge: 2 }, 2, 1],
    [4, { maxUnavailable: 0 }, 1, 0],
    [4, { maxSurge: 0, maxUnavailable: 2 }, 0, 2],
    [4, { maxSurge: 1, maxUnavailable: 10 }, 1, 4],
  ])('%i replicas, %j → surge %i, unavailable %i', (replicas, budgets, maxSurge, maxUnavailable) => {
    expect(rolling(replicas, budgets)).toMatchObject({ maxSurge, maxUnavailable, maxParallel: Math.max(1, maxSurge + maxUnavailable) });
  });

  test('maxUnavailable 0 starts the new pod first; anything else stops an old one first', () => {
    expect(rolling(4, { maxSurge: 1, maxUnavailable: 0 }).order).toBe('start-first');
    expect(rolling(4, { maxSurge: 1, maxUnavailable: 1 }).order).toBe('stop-first');
  });

  test('when rounding leaves both at 0, one pod may be unavailable, as the Deployment controller does', () => {
    expect(rolling(2, { maxSurge: 0, maxUnavailable: '25%' })).toMatchObject({ maxSurge: 0, maxUnavailable: 1, maxParallel: 1, order: 'stop-first' });
    expect(rolling(0, { maxSurge: 0, maxUnavailable: '25%' })).toMatchObject({ maxSurge: 0, maxUnavailable: 0, maxParallel: 1 });
  });

  test('resolveBudgets and parseBudget', () => {
    expect(resolveBudgets({ percent: 25 }, { percent: 25 }, 7)).toEqual({ maxSurge: 2, maxUnavailable: 1 });
    expect(resolveBudgets({ pods: 0 }, { percent: 10 }, 5)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(parseBudget('25%')).toEqual({ percent: 25 });
    expect(parseBudget(3)).toEqual({ pods: 3 });
    for (const bad of ['abc%', '25', '-1%', '2.5%', ' 25%', -1, 1.5, true, null, [], {}]) expect(parseBudget(bad)).toBeUndefined();
  });
});

describe('Recreate', () => {
  test.each([
    [4, 4],
    [1, 1],
    [0, 1],
  ])('%i replicas: every old pod stops first', (replicas, maxParallel) => {
    expect(updateOf({ replicas, strategy: { type: 'Recreate' } })).toMatchObject({
      maxSurge: 0,
      maxUnavailable: replicas,
      maxParallel,
      order: 'stop-first',
      canary: 0,
      autoRevert: false,
      onUnhealthy: 'replace',
      failureAction: 'pause',
    });
  });
});

describe('deadlines and health', () => {
  test('minReadySeconds is the minimum healthy time; progressDeadlineSeconds the progress deadline', () => {
    expect(updateOf({ minReadySeconds: 5, progressDeadlineSeconds: 30 })).toMatchObject({ minHealthyTimeMs: 5_000, progressDeadlineMs: 30_000, healthyDeadlineMs: 0 });
  });

  test('the largest int32 deadline means none, as in Kubernetes', () => {
    expect(updateOf({ progressDeadlineSeconds: 2_147_483_647 }).progressDeadlineMs).toBe(0);
  });
});

describe('wrong strategies', () => {
  const withStrategy = (strategyLines: string, replicas = 4) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
${strategyLines}
  template:
    spec:
      containers: [{ name: web, image: demo }]
`;

  test.each([
    ['  strategy:\n    rollingUpdate:\n      maxSurge: "abc%"', 'app.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: expected a whole number of pods of at least 0 or a percentage such as "25%", got "abc%"'],
    ['  strategy:\n    rollingUpdate:\n      maxSurge: -1', 'app.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: expected a whole number of pods of at least 0 or a percentage such as "25%", got -1'],
    ['  strategy:\n    rollingUpdate:\n      maxSurge: 1.5', 'app.yaml:8:17: spec.strategy.rollingUpdate.maxSurge: expected a whole number of pods of at least 0 or a percentage such as "25%", got 1.5'],
    ['  strategy:\n    rollingUpdate:\n      maxUnavailable: "2"', 'app.yaml:8:23: spec.strategy.rollingUpdate.maxUnavailable: expected a whole number of pods of at least 0 or a percentage such as "25%", got "2" (remove the quotes for a number of pods, or add "%" for a percentage)'],
    ['  strategy:\n    rollingUpdate:\n      maxUnavailable: 120%', 'app.yaml:8:23: spec.strategy.rollingUpdate.maxUnavailable: expected a percentage of at most 100%, got "120%"'],
    ['  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0%', 'app.yaml:9:23: spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0: the rollout could never replace a pod (allow at least one extra pod (maxSurge: 1) or one missing pod (maxUnavailable: 1))'],
    ['  strategy:\n    type: BlueGreen', 'app.yaml:7:11: spec.strategy.type: expected "RollingUpdate" or "Recreate", got "BlueGreen"'],
    ['  strategy:\n    type: recreate', 'app.yaml:7:11: spec.strategy.type: expected "RollingUpdate" or "Recreate", got "recreate" (did you mean "Recreate"?)'],
    ['  strategy:\n    type: Recreate\n    rollingUpdate: { maxSurge: 1 }', 'app.yaml:8:5: spec.strategy.rollingUpdate: rollingUpdate may not be set when type is "Recreate"'],
    ['  strategy: RollingUpdate', 'app.yaml:6:13: spec.strategy: expected a map, got "RollingUpdate"'],
    ['  minReadySeconds: 10\n  progressDeadlineSeconds: 10', 'app.yaml:7:28: spec.progressDeadlineSeconds: expected more than minReadySeconds (10), got 10'],
    ['  progressDeadlineSeconds: 0', 'app.yaml:6:28: spec.progressDeadlineSeconds: expected more than minReadySeconds (0), got 0'],
    ['  minReadySeconds: 700', 'app.yaml:6:20: spec.minReadySeconds: expected less than progressDeadlineSeconds (600 unless set), got 700'],
  ])('%j', (strategy, expected) => {
    const result = render(withStrategy(strategy));
    expect(result.jobs).toEqual([]);
    expect(errors(result)).toEqual([expected]);
  });

  test('both literally 0 is an error whatever the replicas, as Kubernetes validates it', () => {
    expect(errors(render(withStrategy('  strategy:\n    rollingUpdate: { maxSurge: 0, maxUnavailable: 0 }', 0)))).toHaveLength(1);
  });
});
