// The Store's semantics, against a database file on disk and against :memory:.
import { openMemoryStore, openStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { sampleAllocation, sampleDeployment, sampleEvent, sampleJob, tempDir, versionInput } from './fixtures.js';

const kinds: [string, () => { store: Store; cleanup: () => void }][] = [
  [
    'on disk',
    () => {
      const temp = tempDir();
      const store = openStore(temp.dir);
      return { store, cleanup: () => (store.close(), temp.remove()) };
    },
  ],
  [
    'in memory',
    () => {
      const store = openMemoryStore();
      return { store, cleanup: () => store.close() };
    },
  ],
];

describe.each(kinds)('SqliteStore %s', (_kind, open) => {
  let store: Store;
  let cleanup: () => void;

  beforeEach(() => {
    ({ store, cleanup } = open());
  });
  afterEach(() => cleanup());

  describe('jobs and versions', () => {
    it('creates a job at version 0 and returns the stored version', () => {
      const input = versionInput('geo');
      const version = store.submitVersion(input);
      expect(version).toStrictEqual({
        jobId: 'geo',
        version: 0,
        job: input.job,
        specHash: input.specHash,
        modifyIndex: 1,
        source: input.source,
        sourceText: input.sourceText,
        stable: false,
        submittedAt: 1000,
      });
      expect(store.getJob('geo')).toStrictEqual({ id: 'geo', version: 0, specHash: 'hash-geo-1000', modifyIndex: 1, stopped: false, createdAt: 1000, updatedAt: 1000 });
      expect(store.getVersion('geo', 0)).toStrictEqual(version);
    });

    it('round-trips the full Job JSON exactly, and null source fields', () => {
      const job = sampleJob('geo', 'registry.example.com/geo:1.2');
      const source = { kind: 'cli', commit: null, file: null, author: null, message: null, revertOf: null } as const;
      store.submitVersion(versionInput('geo', { job, source, sourceText: null }));
      const stored = store.getVersion('geo', 0)!;
      expect(stored.job).toStrictEqual(job);
      expect(stored.source).toStrictEqual(source);
      expect(stored.sourceText).toBeNull();
    });

    it('numbers versions latest + 1 and moves the modify index on every change', () => {
      const v0 = store.submitVersion(versionInput('geo', { submittedAt: 1000 }));
      const v1 = store.submitVersion(versionInput('geo', { submittedAt: 2000 }));
      store.setStopped('geo', true, 2500);
      const v2 = store.submitVersion(
        versionInput('geo', { submittedAt: 3000, source: { kind: 'revert', commit: null, file: null, author: null, message: null, revertOf: 0 } }),
      );
      expect([v0.version, v1.version, v2.version]).toEqual([0, 1, 2]);
      expect([v0.modifyIndex, v1.modifyIndex, v2.modifyIndex]).toEqual([1, 2, 4]);
      expect(store.getVersion('geo', 2)!.source.revertOf).toBe(0);
      expect(store.getJob('geo')).toStrictEqual({ id: 'geo', version: 2, specHash: 'hash-geo-3000', modifyIndex: 4, stopped: true, createdAt: 1000, updatedAt: 3000 });
    });

    it('shares one modify index counter across jobs, as Nomad does', () => {
      expect(store.submitVersion(versionInput('a')).modifyIndex).toBe(1);
      expect(store.submitVersion(versionInput('b')).modifyIndex).toBe(2);
      expect(store.submitVersion(versionInput('a')).modifyIndex).toBe(3);
      expect(store.getJob('a')!.modifyIndex).toBe(3);
      expect(store.getJob('b')!.modifyIndex).toBe(2);
    });

    it('lists versions newest first and jobs by id', () => {
      store.submitVersion(versionInput('web'));
      for (let i = 0; i < 3; i++) store.submitVersion(versionInput('api', { submittedAt: 1000 + i }));
      expect(store.listVersions('api').map((v) => v.version)).toEqual([2, 1, 0]);
      expect(store.listVersions('nope')).toEqual([]);
      expect(store.listJobs().map((j) => j.id)).toEqual(['api', 'web']);
      expect(store.getJob('nope')).toBeUndefined();
      expect(store.getVersion('api', 7)).toBeUndefined();
    });

    it('sets and clears stable without moving the modify index, and throws on an unknown version', () => {
      store.submitVersion(versionInput('geo'));
      store.submitVersion(versionInput('geo'));
      store.setStable('geo', 0, true);
      expect(store.getVersion('geo', 0)!.stable).toBe(true);
      expect(store.getVersion('geo', 1)!.stable).toBe(false);
      store.setStable('geo', 0, false);
      expect(store.getVersion('geo', 0)!.stable).toBe(false);
      expect(store.getJob('geo')!.modifyIndex).toBe(2);
      expect(() => store.setStable('geo', 5, true)).toThrow('job "geo" has no version 5');
      expect(() => store.setStable('other', 0, true)).toThrow('job "other" has no version 0');
    });

    it('stops and starts a job, moving the modify index only on a real change', () => {
      store.submitVersion(versionInput('geo'));
      store.setStopped('geo', true, 5000);
      expect(store.getJob('geo')).toMatchObject({ stopped: true, modifyIndex: 2, updatedAt: 5000 });
      store.setStopped('geo', true, 6000);
      expect(store.getJob('geo')).toMatchObject({ stopped: true, modifyIndex: 2, updatedAt: 5000 });
      store.setStopped('geo', false, 7000);
      expect(store.getJob('geo')).toMatchObject({ stopped: false, modifyIndex: 3, updatedAt: 7000 });
      expect(() => store.setStopped('nope', true, 1)).toThrow('no such job');
    });
  });

  describe('deployments', () => {
    beforeEach(() => store.submitVersion(versionInput('geo')));

    it('round-trips, replaces, and lists newest first', () => {
      const first = sampleDeployment('dep00001', 'geo', { createdAt: 2000 });
      const second = sampleDeployment('dep00002', 'geo', { createdAt: 3000, jobVersion: 1 });
      store.putDeployment(first);
      store.putDeployment(second);
      expect(store.getDeployment('dep00001')).toStrictEqual(first);

      const finished = { ...first, status: 'successful' as const, description: 'Deployment completed successfully', updatedAt: 9000 };
      finished.groups = [{ ...first.groups[0]!, healthy: 6, placed: 6, promoted: true, requireProgressBy: null }];
      store.putDeployment(finished);
      expect(store.getDeployment('dep00001')).toStrictEqual(finished);
      expect(store.listDeployments('geo').map((d) => d.id)).toEqual(['dep00002', 'dep00001']);
      expect(store.getDeployment('nope')).toBeUndefined();
      expect(store.listDeployments('nope')).toEqual([]);
    });

    it('orders deployments created in the same millisecond by when they were first stored', () => {
      for (const id of ['ccc', 'aaa', 'bbb']) store.putDeployment(sampleDeployment(id, 'geo', { createdAt: 2000 }));
      store.putDeployment(sampleDeployment('ccc', 'geo', { createdAt: 2000, status: 'failed' }));
      expect(store.listDeployments('geo').map((d) => d.id)).toEqual(['bbb', 'aaa', 'ccc']);
    });

    it('finds deployments by a prefix of their id, "_" and "%" meaning only themselves', () => {
      for (const id of ['ab12', 'ab34', 'ac56', 'a_78']) store.putDeployment(sampleDeployment(id, 'geo'));
      expect(store.findDeployments('ab', 20).map((d) => d.id)).toEqual(['ab12', 'ab34']);
      expect(store.findDeployments('ab3', 20)).toStrictEqual([store.getDeployment('ab34')]);
      expect(store.findDeployments('a', 2).map((d) => d.id)).toEqual(['a_78', 'ab12']);
      expect(store.findDeployments('a_', 20).map((d) => d.id)).toEqual(['a_78']);
      expect(store.findDeployments('a%', 20)).toEqual([]);
      expect(store.findDeployments('ab12', 20).map((d) => d.id)).toEqual(['ab12']);
    });

    it('refuses a deployment of a job it does not hold, saying which', () => {
      expect(() => store.putDeployment(sampleDeployment('dep1', 'ghost'))).toThrow('job "ghost" is not in the store');
    });
  });

  describe('allocations', () => {
    beforeEach(() => {
      store.submitVersion(versionInput('geo'));
      store.submitVersion(versionInput('web'));
    });

    it('round-trips every field, including null and false health', () => {
      const unknown = sampleAllocation('a1', 'geo', { healthy: null, deploymentId: null, canary: true });
      const unhealthy = sampleAllocation('a2', 'geo', { healthy: false, status: 'failed', description: 'image not found', ports: {}, containers: {} });
      const healthy = sampleAllocation('a3', 'geo', { healthy: true, desired: 'stop', status: 'complete' });
      for (const allocation of [unknown, unhealthy, healthy]) {
        store.putAllocation(allocation);
        expect(store.getAllocation(allocation.id)).toStrictEqual(allocation);
      }
      const replaced = { ...unknown, healthy: true, modifiedAt: 9999 };
      store.putAllocation(replaced);
      expect(store.getAllocation('a1')).toStrictEqual(replaced);
    });

    it('lists oldest first by createdAt then id, per job or all', () => {
      store.putAllocation(sampleAllocation('b2', 'geo', { createdAt: 5000 }));
      store.putAllocation(sampleAllocation('b1', 'geo', { createdAt: 5000 }));
      store.putAllocation(sampleAllocation('a9', 'geo', { createdAt: 4000 }));
      store.putAllocation(sampleAllocation('w1', 'web', { createdAt: 4500 }));
      expect(store.listAllocations('geo').map((a) => a.id)).toEqual(['a9', 'b1', 'b2']);
      expect(store.listAllocations().map((a) => a.id)).toEqual(['a9', 'w1', 'b1', 'b2']);
      expect(store.listAllocations('nope')).toEqual([]);
    });

    it('deletes one allocation', () => {
      store.putAllocation(sampleAllocation('a1', 'geo'));
      store.putAllocation(sampleAllocation('a2', 'geo'));
      store.deleteAllocation('a1');
      store.deleteAllocation('never-there');
      expect(store.getAllocation('a1')).toBeUndefined();
      expect(store.listAllocations().map((a) => a.id)).toEqual(['a2']);
    });
  });

  describe('events', () => {
    it('appends with increasing seq and round-trips details', () => {
      const details = { from: 0, to: 1, nested: { list: [1, 'two', null, true] } };
      const first = store.appendEvent(sampleEvent('geo', { details, deploymentId: 'dep00001' }));
      const second = store.appendEvent(sampleEvent('geo', { type: 'drift' }));
      expect(first).toStrictEqual({ seq: 1, ...sampleEvent('geo', { details, deploymentId: 'dep00001' }) });
      expect(second.seq).toBe(2);
      expect(store.listEvents()).toStrictEqual([first, second]);
    });

    it('pages with afterSeq and limit (the newest, oldest first), per job or all', () => {
      const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);
      for (let i = 0; i < 10; i++) store.appendEvent(sampleEvent(i % 2 === 0 ? 'geo' : 'web', { time: i }));
      expect(seqs(store.listEvents())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(seqs(store.listEvents({ limit: 3 }))).toEqual([8, 9, 10]);
      expect(seqs(store.listEvents({ afterSeq: 6 }))).toEqual([7, 8, 9, 10]);
      expect(seqs(store.listEvents({ afterSeq: 6, limit: 2 }))).toEqual([9, 10]);
      expect(seqs(store.listEvents({ afterSeq: 10 }))).toEqual([]);
      expect(seqs(store.listEvents({ limit: 0 }))).toEqual([]);
      expect(seqs(store.listEvents({ jobId: 'geo' }))).toEqual([1, 3, 5, 7, 9]);
      expect(seqs(store.listEvents({ jobId: 'geo', afterSeq: 3, limit: 2 }))).toEqual([7, 9]);
      expect(seqs(store.listEvents({ jobId: 'web', limit: 100 }))).toEqual([2, 4, 6, 8, 10]);
      expect(seqs(store.listEvents({ jobId: 'nope' }))).toEqual([]);
    });

    it('keeps events of jobs it does not hold (a file that failed to render)', () => {
      store.appendEvent(sampleEvent('never-submitted', { type: 'render-failed' }));
      expect(store.listEvents({ jobId: 'never-submitted' })).toHaveLength(1);
    });
  });

  describe('failed specs', () => {
    beforeEach(() => {
      store.submitVersion(versionInput('geo'));
      store.submitVersion(versionInput('web'));
    });

    it('marks, checks and clears per job', () => {
      expect(store.isSpecFailed('geo', 'h1')).toBe(false);
      store.markSpecFailed('geo', 'h1', 100);
      store.markSpecFailed('geo', 'h1', 200);
      store.markSpecFailed('geo', 'h2', 300);
      store.markSpecFailed('web', 'h1', 400);
      expect(store.isSpecFailed('geo', 'h1')).toBe(true);
      expect(store.isSpecFailed('geo', 'h2')).toBe(true);
      expect(store.isSpecFailed('geo', 'h3')).toBe(false);
      store.clearFailedSpecs('geo');
      expect(store.isSpecFailed('geo', 'h1')).toBe(false);
      expect(store.isSpecFailed('geo', 'h2')).toBe(false);
      expect(store.isSpecFailed('web', 'h1')).toBe(true);
    });
  });

  describe('purgeJob', () => {
    function fill(jobId: string): void {
      store.submitVersion(versionInput(jobId));
      store.submitVersion(versionInput(jobId));
      store.putDeployment(sampleDeployment(`${jobId}-dep`, jobId));
      store.putAllocation(sampleAllocation(`${jobId}-alloc`, jobId));
      store.appendEvent(sampleEvent(jobId));
      store.markSpecFailed(jobId, 'bad', 1);
    }

    it('removes everything of one job and nothing of another', () => {
      fill('geo');
      fill('web');
      const webBefore = {
        job: store.getJob('web'),
        versions: store.listVersions('web'),
        deployments: store.listDeployments('web'),
        allocations: store.listAllocations('web'),
        events: store.listEvents({ jobId: 'web' }),
      };

      store.purgeJob('geo');

      expect(store.getJob('geo')).toBeUndefined();
      expect(store.listVersions('geo')).toEqual([]);
      expect(store.listDeployments('geo')).toEqual([]);
      expect(store.getDeployment('geo-dep')).toBeUndefined();
      expect(store.listAllocations('geo')).toEqual([]);
      expect(store.listEvents({ jobId: 'geo' })).toEqual([]);
      expect(store.isSpecFailed('geo', 'bad')).toBe(false);

      expect({
        job: store.getJob('web'),
        versions: store.listVersions('web'),
        deployments: store.listDeployments('web'),
        allocations: store.listAllocations('web'),
        events: store.listEvents({ jobId: 'web' }),
      }).toStrictEqual(webBefore);
      expect(store.isSpecFailed('web', 'bad')).toBe(true);
      expect(store.listJobs().map((j) => j.id)).toEqual(['web']);
    });

    it('starts a purged job afresh at version 0, with seq and modify index still moving on', () => {
      fill('geo');
      const lastSeq = store.listEvents().at(-1)!.seq;
      store.purgeJob('geo');
      store.purgeJob('geo');
      const again = store.submitVersion(versionInput('geo'));
      expect(again.version).toBe(0);
      expect(again.modifyIndex).toBe(3);
      expect(store.appendEvent(sampleEvent('geo')).seq).toBe(lastSeq + 1);
    });
  });

  describe('transactions', () => {
    it('commits every write of the function and returns its value', () => {
      const result = store.transaction(() => {
        store.submitVersion(versionInput('geo'));
        store.appendEvent(sampleEvent('geo'));
        return 'done';
      });
      expect(result).toBe('done');
      expect(store.getJob('geo')).toBeDefined();
      expect(store.listEvents()).toHaveLength(1);
    });

    it('leaves nothing behind when the function throws', () => {
      store.submitVersion(versionInput('web'));
      expect(() =>
        store.transaction(() => {
          store.submitVersion(versionInput('geo'));
          store.submitVersion(versionInput('web'));
          store.putDeployment(sampleDeployment('dep1', 'geo'));
          store.putAllocation(sampleAllocation('alloc1', 'geo'));
          store.appendEvent(sampleEvent('geo'));
          store.markSpecFailed('geo', 'h', 1);
          store.setStable('web', 0, true);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(store.getJob('geo')).toBeUndefined();
      expect(store.listVersions('web').map((v) => v.version)).toEqual([0]);
      expect(store.getVersion('web', 0)!.stable).toBe(false);
      expect(store.getJob('web')!.modifyIndex).toBe(1);
      expect(store.getDeployment('dep1')).toBeUndefined();
      expect(store.listAllocations()).toEqual([]);
      expect(store.listEvents()).toEqual([]);
      // The counter rolled back too: the next change takes index 2, not 4.
      expect(store.submitVersion(versionInput('web')).modifyIndex).toBe(2);
    });

    it('undoes only a nested transaction that threw and was caught', () => {
      store.transaction(() => {
        store.submitVersion(versionInput('geo'));
        try {
          store.transaction(() => {
            store.appendEvent(sampleEvent('geo'));
            throw new Error('inner');
          });
        } catch {
          // the outer transaction carries on
        }
      });
      expect(store.getJob('geo')).toBeDefined();
      expect(store.listEvents()).toEqual([]);
    });
  });
});
