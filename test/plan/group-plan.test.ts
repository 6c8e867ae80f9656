import { nomadUpdateDefaults } from '../../src/render/defaults.js';
import type { Group } from '../../src/model/job.js';
import { groupSpecHash } from '../../src/model/spec/change-rules.js';
import type { LiveAllocation } from '../../src/plan/group-plan.js';
import { planGroup } from '../../src/plan/group-plan.js';

const group = (image: string, count: number, update: Partial<Group['update']> = {}): Group => ({
  name: 'web',
  count,
  update: { ...nomadUpdateDefaults, ...update },
  rollback: null,
  restart: { condition: 'any', maxAttempts: 2, delayMs: 15000, windowMs: 1800000 },
  network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
  meta: {},
  tasks: [{ name: 't', driver: 'docker', image, command: null, args: null, entrypoint: null, env: {}, ports: [], resources: { cpu: 100, cpuLimit: null, memoryMB: 300 }, checks: [], imageHealthcheck: 'use', shutdownDelayMs: 0, killTimeoutMs: null, meta: {} }],
});

const running = (g: Group, n: number, version = 1): LiveAllocation[] =>
  Array.from({ length: n }, (_, i) => ({ id: `a${i}`, group: 'web', index: i, version, specHash: groupSpecHash(g), healthy: true }));

describe('planGroup', () => {
  it('counts every allocation a rolling update replaces, and its batches (SPEC: 6 at 2 → 3)', () => {
    expect(planGroup('web', group('v2', 6, { maxParallel: 2 }), running(group('v1', 6), 6), 2)).toEqual({
      name: 'web', create: 0, destroy: 0, ignore: 0, inPlaceUpdate: 0, destructiveUpdate: 6, canary: 0, batches: 3,
    });
  });

  it('ignores allocations that already run the target version', () => {
    expect(planGroup('web', group('v1', 3), running(group('v1', 3), 3, 4), 4)).toMatchObject({ ignore: 3, destructiveUpdate: 0, batches: 0 });
  });

  it('updates in place when only the version moved (same group hash)', () => {
    expect(planGroup('web', group('v1', 3, { maxParallel: 3 }), running(group('v1', 3), 3, 1), 2)).toMatchObject({ inPlaceUpdate: 3, destructiveUpdate: 0, batches: 1 });
  });

  it('scales up with creates and down with destroys, never replacing what it stops', () => {
    expect(planGroup('web', group('v1', 5), running(group('v1', 3), 3, 2), 2)).toMatchObject({ create: 2, ignore: 3, destroy: 0 });
    expect(planGroup('web', group('v2', 2), running(group('v1', 5), 5, 1), 2)).toMatchObject({ destroy: 3, destructiveUpdate: 2, create: 0 });
  });

  it('places canaries before the rest, one step of their own', () => {
    expect(planGroup('web', group('v2', 10, { canary: 3, maxParallel: 2 }), running(group('v1', 10), 10), 2)).toMatchObject({ canary: 3, destructiveUpdate: 10, batches: 1 + 4 });
  });

  it('destroys every allocation of a group that goes away', () => {
    expect(planGroup('web', null, running(group('v1', 4), 4), 2)).toMatchObject({ destroy: 4, batches: 1 });
  });

  it('creates everything for a new job', () => {
    expect(planGroup('web', group('v1', 4), [], 0)).toMatchObject({ create: 4, batches: 1 });
  });

  it('replaces everything at once when max_parallel is 0', () => {
    expect(planGroup('web', group('v2', 4, { maxParallel: 0 }), running(group('v1', 4), 4), 2)).toMatchObject({ destructiveUpdate: 4, batches: 1 });
  });
});
