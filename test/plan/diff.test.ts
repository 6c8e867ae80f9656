import { nomadUpdateDefaults, swarmUpdateDefaults } from '../../src/render/defaults.js';
import type { Job, Task } from '../../src/model/job.js';
import { annotate } from '../../src/plan/annotate.js';
import { changeRules, effectOf, groupSpecHash, jobSpecHash } from '../../src/model/spec/change-rules.js';
import { diffJobs } from '../../src/plan/diff.js';
import { flattenJob } from '../../src/model/spec/flatten.js';

const task = (overrides: Partial<Task> = {}): Task => ({
  name: 'server',
  driver: 'docker',
  image: 'demo:v1',
  command: null,
  args: null,
  entrypoint: null,
  env: { PORT: '${NOMAD_PORT_http}' },
  ports: [{ label: 'http', static: null, to: null }],
  resources: { cpu: 100, cpuLimit: null, memoryMB: 300 },
  checks: [],
  imageHealthcheck: 'use',
  shutdownDelayMs: 0,
  killTimeoutMs: null,
  meta: {},
  ...overrides,
});

const job = (taskOverrides: Partial<Task> = {}, count = 3, extra: Partial<Job> = {}): Job => ({
  id: 'web',
  type: 'service',
  source: { format: 'nomad', file: 'web.nomad' },
  meta: {},
  historyLimit: null,
  networks: [{ name: 'default', dockerName: null, external: false }],
  endpoints: [],
  groups: [
    {
      name: 'web',
      count,
      update: { ...nomadUpdateDefaults },
      rollback: null,
      restart: { condition: 'any', maxAttempts: 2, delayMs: 15000, windowMs: 1800000 },
      network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
      meta: {},
      tasks: [task(taskOverrides)],
    },
  ],
  ...extra,
});

function taskAnnotation(a: Job, b: Job): string[] {
  return annotate(diffJobs(a, b)).groups[0]!.tasks[0]!.annotations;
}

describe('diffJobs', () => {
  it('finds no change between equal jobs, whatever their source file', () => {
    const diff = diffJobs(job(), job({}, 3, { source: { format: 'nomad', file: 'moved.nomad' } }));
    expect(diff.type).toBe('None');
    expect(diff.groups[0]!.type).toBe('None');
  });

  it('types primitive field changes and lists edited objects in context', () => {
    const diff = diffJobs(job(), job({ image: 'demo:v2', env: { PORT: '${NOMAD_PORT_http}', MODE: 'prod' } }, 5));
    const group = diff.groups[0]!;
    expect(group.fields).toEqual([{ type: 'Edited', name: 'Count', old: '3', new: '5', annotations: [] }]);
    const t = group.tasks[0]!;
    expect(t.fields).toEqual([{ type: 'Added', name: 'Env[MODE]', old: '', new: 'prod', annotations: [] }]);
    expect(t.objects).toEqual([
      { type: 'Edited', name: 'Config', kind: 'Config', objects: [], fields: [{ type: 'Edited', name: 'image', old: 'demo:v1', new: 'demo:v2', annotations: [] }] },
    ]);
  });

  it('adds and deletes whole jobs, groups, tasks and objects', () => {
    expect(diffJobs(null, job()).type).toBe('Added');
    expect(diffJobs(job(), null).type).toBe('Deleted');
    const twoTasks = job();
    twoTasks.groups[0]!.tasks.push(task({ name: 'sidecar' }));
    const diff = diffJobs(job(), twoTasks);
    expect(diff.groups[0]!.tasks.map((t) => [t.name, t.type])).toEqual([
      ['server', 'None'],
      ['sidecar', 'Added'],
    ]);
    const portAdded = diffJobs(job(), job({ ports: [{ label: 'http', static: null, to: null }, { label: 'admin', static: 9000, to: null }] }));
    expect(portAdded.groups[0]!.tasks[0]!.objects.map((o) => [o.name, o.type])).toEqual([['Port "admin"', 'Added']]);
  });

  it('orders list fields by index numerically and everything else by name', () => {
    const args = Array.from({ length: 12 }, (_, i) => `a${i}`);
    const diff = diffJobs(job({ args: null }), job({ args }));
    expect(diff.groups[0]!.tasks[0]!.objects[0]!.fields.map((f) => f.name)).toEqual([...args.map((_, i) => `args[${i}]`), 'image']);
  });

  it('shows Swarm and Kubernetes settings only where they say something', () => {
    const flat = flattenJob(job());
    expect(Object.keys(flat.groups[0]!.objects[0]!.fields)).toEqual(['AutoPromote', 'AutoRevert', 'Canary', 'HealthCheck', 'HealthyDeadline', 'MaxParallel', 'MinHealthyTime', 'ProgressDeadline']);
    const swarm = job();
    swarm.groups[0]!.update = { ...swarmUpdateDefaults, order: 'start-first', delayMs: 10000, failureAction: 'rollback', autoRevert: true };
    expect(flattenJob(swarm).groups[0]!.objects[0]!.fields).toMatchObject({ Order: 'start-first', Delay: '10s' });
    expect(flattenJob(swarm).groups[0]!.objects[0]!.fields).not.toHaveProperty('FailureAction');
  });

  it('a change of Swarm\'s monitor is a change of the plan, made in place', () => {
    const before = job();
    before.groups[0]!.update = { ...swarmUpdateDefaults };
    const after = job();
    after.groups[0]!.update = { ...swarmUpdateDefaults, monitorMs: 30_000 };
    expect(flattenJob(before).groups[0]!.objects[0]!.fields).toMatchObject({ MinHealthyTime: '0s', Monitor: '5s' });
    const fields = diffJobs(before, after).groups[0]!.objects[0]!.fields;
    expect(fields.filter((f) => f.type !== 'None').map((f) => [f.name, f.old, f.new])).toEqual([['Monitor', '5s', '30s']]);
    expect(groupSpecHash(after.groups[0]!)).toBe(groupSpecHash(before.groups[0]!));
  });
});

describe('change rules and annotations', () => {
  it('an image, env, resources, port or exec check change forces a create/destroy update', () => {
    for (const change of [
      { image: 'demo:v2' },
      { env: { PORT: '8080' } },
      { resources: { cpu: 200, cpuLimit: null, memoryMB: 300 } },
      { ports: [{ label: 'http', static: 8080, to: null }] },
      { checks: [{ type: 'exec' as const, command: ['CMD', 'true'], name: null, role: 'readiness' as const, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 }] },
      { args: ['--verbose'] },
      { imageHealthcheck: 'disable' as const },
    ]) {
      expect(taskAnnotation(job(), job(change))).toEqual(['forces create/destroy update']);
      expect(groupSpecHash(job().groups[0]!)).not.toBe(groupSpecHash(job(change).groups[0]!));
    }
  });

  it('http and tcp checks and task meta are applied in place', () => {
    for (const change of [
      { checks: [{ type: 'tcp' as const, port: 'http', name: null, role: 'readiness' as const, intervalMs: 1000, timeoutMs: 1000, retries: 1, startPeriodMs: 0 }] },
      { meta: { owner: 'ops' } },
    ]) {
      expect(taskAnnotation(job(), job(change))).toEqual(['forces in-place update']);
      expect(groupSpecHash(job().groups[0]!)).toBe(groupSpecHash(job(change).groups[0]!));
      expect(jobSpecHash(job())).not.toBe(jobSpecHash(job(change)));
    }
  });

  it('update strategy, restart policy and meta changes keep the group hash', () => {
    const changed = job();
    changed.groups[0]!.update = { ...changed.groups[0]!.update, maxParallel: 3 };
    changed.groups[0]!.restart = { ...changed.groups[0]!.restart, maxAttempts: 5 };
    changed.groups[0]!.meta = { tier: 'front' };
    expect(groupSpecHash(changed.groups[0]!)).toBe(groupSpecHash(job().groups[0]!));
    const diff = annotate(diffJobs(job(), changed));
    expect(diff.groups[0]!.objects.map((o) => o.name)).toEqual(['RestartPolicy', 'Update']);
    expect(diff.groups[0]!.tasks[0]!.annotations).toEqual([]);
  });

  it('a count change is annotated as create or destroy', () => {
    expect(annotate(diffJobs(job({}, 3), job({}, 5))).groups[0]!.fields[0]!.annotations).toEqual(['forces create']);
    expect(annotate(diffJobs(job({}, 3), job({}, 1))).groups[0]!.fields[0]!.annotations).toEqual(['forces destroy']);
    expect(groupSpecHash(job({}, 3).groups[0]!)).toBe(groupSpecHash(job({}, 5).groups[0]!));
  });

  it('tasks of a new or removed group are created or destroyed', () => {
    expect(annotate(diffJobs(null, job())).groups[0]!.tasks[0]!.annotations).toEqual(['forces create']);
    expect(annotate(diffJobs(job(), null)).groups[0]!.tasks[0]!.annotations).toEqual(['forces destroy']);
  });

  it('has a rule for every field and object the model flattens into', () => {
    const flat = flattenJob(job({ meta: { a: 'b' }, checks: [{ type: 'tcp', port: 'http', name: null, role: 'readiness', intervalMs: 1, timeoutMs: 1, retries: 1, startPeriodMs: 0 }] }, 3, { meta: { a: 'b' }, historyLimit: 5 }));
    const names: Array<['job' | 'group' | 'task', string]> = [
      ...Object.keys(flat.fields).map((n): ['job', string] => ['job', n]),
      ...flat.groups.flatMap((g) => [...Object.keys(g.fields), ...g.objects.map((o) => o.kind)].map((n): ['group', string] => ['group', n])),
      ...flat.groups.flatMap((g) => g.tasks.flatMap((t) => [...Object.keys(t.fields), ...t.objects.map((o) => o.kind)].map((n): ['task', string] => ['task', n]))),
    ];
    for (const [scope, name] of names) {
      const rule = changeRules.find((r) => r.scope === scope && (r.match.endsWith('[') ? name.startsWith(r.match) : r.match === name));
      expect({ scope, name, rule: rule !== undefined }).toEqual({ scope, name, rule: true });
    }
    expect(effectOf('task', 'SomethingNew')).toBe('destructive');
  });

  it('the job spec hash ignores the order of groups, tasks and ports', () => {
    const a = job({ ports: [{ label: 'a', static: null, to: null }, { label: 'b', static: null, to: null }] });
    const b = job({ ports: [{ label: 'b', static: null, to: null }, { label: 'a', static: null, to: null }] });
    expect(jobSpecHash(a)).toBe(jobSpecHash(b));
    expect(groupSpecHash(a.groups[0]!)).toBe(groupSpecHash(b.groups[0]!));
  });
});
