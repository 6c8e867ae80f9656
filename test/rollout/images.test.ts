// Tags that move (rollout/images.ts) against a registry stand-in: which tasks are
// asked, what a silent registry leaves, what a plan without a registry keeps.
import type { Job, PullPolicy, Task } from '../../src/model/job.js';
import type { ImageRegistry } from '../../src/runtime/driver.js';
import { resolveImages, unavailableImages, withPreviousDigests } from '../../src/rollout/images.js';
import { group, task } from '../runtime/support.js';

function jobOf(...tasks: Task[]): Job {
  return { id: 'j', groups: [group(tasks)] } as unknown as Job;
}

function registry(digests: Record<string, string>, present: string[] = [], defaultPullPolicy: PullPolicy = 'missing'): ImageRegistry & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    defaultPullPolicy,
    async registryDigest(image) {
      asked.push(image);
      const digest = digests[image];
      if (!digest) throw new Error(`manifest for ${image} not found: manifest unknown`);
      return digest;
    },
    async has(image) {
      return present.includes(image);
    },
  };
}

const tasks = (job: Job) => job.groups[0]!.tasks;

describe('resolveImages', () => {
  it('asks only for tags pulled always, by the task or the agent, and not for references pinned in the file', async () => {
    const reg = registry({ 'r/a:main': 'sha256:a1', 'r/b:main': 'sha256:b1' });
    const job = jobOf(task({ name: 'a', image: 'r/a:main', pull: 'always' }), task({ name: 'b', image: 'r/b:main' }), task({ name: 'c', image: 'r/c@sha256:cc', pull: 'always' }));
    const { job: resolved, problems } = await resolveImages(job, undefined, reg);
    expect(problems).toEqual([]);
    expect(reg.asked).toEqual(['r/a:main']);
    expect(tasks(resolved).map((t) => t.imageDigest)).toEqual(['sha256:a1', undefined, undefined]);
    // The rendered job is never changed: render caches it.
    expect(tasks(job)[0]!.imageDigest).toBeUndefined();

    const byAgent = await resolveImages(job, undefined, registry({ 'r/a:main': 'sha256:a1', 'r/b:main': 'sha256:b1' }, [], 'always'));
    expect(tasks(byAgent.job).map((t) => t.imageDigest)).toEqual(['sha256:a1', 'sha256:b1', undefined]);
  });

  it('returns the same job when nothing moved', async () => {
    const job = jobOf({ ...task({ name: 'a', image: 'r/a:main', pull: 'always' }), imageDigest: 'sha256:a1' });
    expect((await resolveImages(job, undefined, registry({ 'r/a:main': 'sha256:a1' }))).job).toBe(job);
  });

  it('a registry that gives no digest keeps the one the newest version had for the same image, and says so', async () => {
    const previous = jobOf({ ...task({ name: 'a', image: 'r/a:main', pull: 'always' }), imageDigest: 'sha256:0123456789abcdef0123' });
    const job = jobOf(task({ name: 'a', image: 'r/a:main', pull: 'always' }));
    const { job: resolved, problems } = await resolveImages(job, previous, registry({}));
    expect(tasks(resolved)[0]!.imageDigest).toBe('sha256:0123456789abcdef0123');
    expect(problems).toEqual([{ group: 0, task: 0, message: 'task "a": the registry of r/a:main gave no digest (manifest for r/a:main not found: manifest unknown); keeping sha256:0123456789ab' }]);
  });

  it('with no digest known for that image, the task goes without: it is pulled when placed', async () => {
    const previous = jobOf({ ...task({ name: 'a', image: 'r/a:old', pull: 'always' }), imageDigest: 'sha256:old' });
    const { job: resolved, problems } = await resolveImages(jobOf(task({ name: 'a', image: 'r/a:main', pull: 'always' })), previous, registry({}));
    expect(tasks(resolved)[0]!.imageDigest).toBeUndefined();
    expect(problems[0]!.message).toMatch(/; the image is pulled when an allocation is placed$/);
  });
});

describe('withPreviousDigests', () => {
  it('keeps the digest of the same image unless the file pulls it only when missing or never', () => {
    const previous = jobOf({ ...task({ name: 'a', image: 'r/a:main', pull: 'always' }), imageDigest: 'sha256:a1' }, { ...task({ name: 'b', image: 'r/b:main' }), imageDigest: 'sha256:b1' });
    const job = jobOf(task({ name: 'a', image: 'r/a:main', pull: 'always' }), task({ name: 'b', image: 'r/b:main', pull: 'missing' }));
    expect(tasks(withPreviousDigests(job, previous)).map((t) => t.imageDigest)).toEqual(['sha256:a1', undefined]);
    expect(withPreviousDigests(jobOf(task({ name: 'a', image: 'r/a:v2', pull: 'always' })), previous).groups[0]!.tasks[0]!.imageDigest).toBeUndefined();
  });
});

describe('unavailableImages', () => {
  it('warns of images neither present nor obtainable, by policy', async () => {
    const reg = registry({ 'r/pullable:1': 'sha256:p' }, ['r/here:1']);
    const job = jobOf(
      task({ name: 'here', image: 'r/here:1', pull: 'never' }),
      task({ name: 'pullable', image: 'r/pullable:1' }),
      task({ name: 'gone', image: 'r/gone:1' }),
      task({ name: 'never', image: 'r/never:1', pull: 'never' }),
    );
    expect(await unavailableImages(job, reg)).toEqual([
      { group: 0, task: 2, message: 'image r/gone:1 is not on the engine, and its registry cannot give it: manifest for r/gone:1 not found: manifest unknown' },
      { group: 0, task: 3, message: 'image r/never:1 is not on the engine, and its pull policy is "never": allocations will fail to start' },
    ]);
  });
});
