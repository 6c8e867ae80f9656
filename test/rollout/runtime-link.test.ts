// The rollout engine's link to the runtime, over a fake driver: one read at a
// time however many events ask, and an outage waited out with backoff.
import type { AllocationObservation, Driver, TaskObservation } from '../../src/runtime/driver.js';
import { RuntimeUnavailableError } from '../../src/runtime/driver.js';
import { RuntimeLink } from '../../src/rollout/runtime-link.js';

/** A driver whose observe() and observeAllocation() answer what the test says, when the test says. */
function fakeDriver() {
  const calls: Array<{ resolve: (list: AllocationObservation[]) => void; reject: (error: unknown) => void; at: number }> = [];
  const allocationCalls: Array<{ allocId: string; resolve: (observed: AllocationObservation | null) => void; reject: (error: unknown) => void }> = [];
  let onCall = () => {};
  const driver = {
    observe: () =>
      new Promise<AllocationObservation[]>((resolve, reject) => {
        calls.push({ resolve, reject, at: Date.now() });
        onCall();
      }),
    observeAllocation: (allocId: string) =>
      new Promise<AllocationObservation | null>((resolve, reject) => {
        allocationCalls.push({ allocId, resolve, reject });
      }),
  } as unknown as Driver;
  const nextCall = (n: number) =>
    new Promise<void>((resolve) => {
      onCall = () => calls.length >= n && resolve();
      onCall();
    });
  return { driver, calls, allocationCalls, nextCall };
}

const allocation = (allocId: string, jobVersion = 0): AllocationObservation => ({ allocId, jobId: 'j', group: 'g', index: 0, jobVersion, specHash: 'h', deploymentId: null, ports: {}, addresses: {}, tasks: [], spec: null, inScope: true });
const versions = (link: RuntimeLink) => Object.fromEntries([...link.observations].map(([id, o]) => [id, o.jobVersion]));

async function connected(fake: ReturnType<typeof fakeDriver>, list: AllocationObservation[]): Promise<RuntimeLink> {
  const link = new RuntimeLink(fake.driver, { onDown: () => {}, onUp: () => {} });
  const connecting = link.connect();
  fake.calls[0]!.resolve(list);
  await connecting;
  return link;
}
const unavailable = () => new RuntimeUnavailableError('the Docker engine at unix:///x.sock does not answer (ENOENT)');

describe('RuntimeLink', () => {
  it('shares one read among everyone who asks while one runs', async () => {
    const { driver, calls, nextCall } = fakeDriver();
    const link = new RuntimeLink(driver, { onDown: () => {}, onUp: () => {} });
    const first = link.refresh();
    const others = [link.refresh(), link.refresh(), link.refresh()];
    expect(calls).toHaveLength(1);
    calls[0]!.resolve([allocation('a')]);
    expect(await first).toBe(true);
    await nextCall(2);
    calls[1]!.resolve([allocation('b')]);
    expect(await Promise.all(others)).toEqual([true, true, true]);
    expect(calls).toHaveLength(2);
    expect([...link.observations.keys()]).toEqual(['b']);
  });

  it('refuses to connect while the runtime does not answer, changing nothing', async () => {
    const { driver, calls } = fakeDriver();
    const link = new RuntimeLink(driver, { onDown: () => {}, onUp: () => {} });
    const connecting = link.connect();
    calls[0]!.reject(unavailable());
    await expect(connecting).rejects.toThrow('does not answer (ENOENT)');
    expect(link.state).toBe('connecting');
  });

  it('says once that the runtime is gone, retries with growing delays, and says when it is back', async () => {
    const { driver, calls, nextCall } = fakeDriver();
    const downs: string[] = [];
    let ups = 0;
    let back = () => {};
    const link = new RuntimeLink(driver, {
      retryDelayMs: { initial: 20, max: 80 },
      onDown: (error, from) => downs.push(`${error.message} from ${from}`),
      onUp: () => {
        ups += 1;
        back();
      },
    });
    const connecting = link.connect();
    calls[0]!.resolve([allocation('a')]);
    await connecting;
    expect(link.up).toBe(true);

    link.down(unavailable());
    link.down(unavailable());
    expect(link.state).toBe('down');
    expect(downs).toEqual(['the Docker engine at unix:///x.sock does not answer (ENOENT) from 20']);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await nextCall(attempt + 1);
      calls[attempt]!.reject(unavailable());
    }
    await nextCall(6);
    const returned = new Promise<void>((resolve) => (back = resolve));
    calls[5]!.resolve([allocation('b')]);
    await returned;
    expect(link.up).toBe(true);
    expect(ups).toBe(1);
    expect(downs).toHaveLength(1);
    // 20, 40, 80, 80, 80 ms apart (timers fire late, never early).
    const gaps = calls.slice(1).map((call, i) => call.at - calls[i]!.at);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    expect(gaps[4]).toBeGreaterThanOrEqual(78);
    expect([...link.observations.keys()]).toEqual(['b']);
    link.close();
  });

  it('stops retrying once closed', async () => {
    const { driver, calls } = fakeDriver();
    const link = new RuntimeLink(driver, { retryDelayMs: { initial: 5, max: 5 }, onDown: () => {}, onUp: () => {} });
    const connecting = link.connect();
    calls[0]!.resolve([]);
    await connecting;
    link.down(unavailable());
    link.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toHaveLength(1);
  });

  describe('reading one allocation', () => {
    it('changes only that allocation, and removes it when its containers are gone', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [allocation('a'), allocation('b')]);
      const readA = link.refreshAllocation('a');
      const readB = link.refreshAllocation('b');
      expect(fake.calls).toHaveLength(1);
      expect(fake.allocationCalls.map((c) => c.allocId)).toEqual(['a', 'b']);
      fake.allocationCalls[0]!.resolve(allocation('a', 1));
      fake.allocationCalls[1]!.resolve(null);
      expect(await Promise.all([readA, readB])).toEqual([true, true]);
      expect(versions(link)).toEqual({ a: 1 });
    });

    it('shares one read per allocation among everyone who asks while one runs', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, []);
      const first = link.refreshAllocation('a');
      const later = [link.refreshAllocation('a'), link.refreshAllocation('a')];
      expect(fake.allocationCalls).toHaveLength(1);
      fake.allocationCalls[0]!.resolve(allocation('a', 1));
      await first;
      await new Promise((resolve) => setImmediate(resolve));
      expect(fake.allocationCalls).toHaveLength(2);
      fake.allocationCalls[1]!.resolve(allocation('a', 2));
      expect(await Promise.all(later)).toEqual([true, true]);
      expect(versions(link)).toEqual({ a: 2 });
    });

    it('keeps the answer of the read that started last, whichever finishes first', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [allocation('a'), allocation('b')]);
      // A full read starts, then a read of `a`; the full read answers last, with older news of `a`.
      const full = link.refresh();
      const readA = link.refreshAllocation('a');
      fake.allocationCalls[0]!.resolve(allocation('a', 2));
      await readA;
      fake.calls[1]!.resolve([allocation('a', 1), allocation('b', 1)]);
      await full;
      expect(versions(link)).toEqual({ a: 2, b: 1 });
      // A read of `b` starts, then a full read; the read of `b` answers last, with older news.
      const readB = link.refreshAllocation('b');
      const full2 = link.refresh();
      fake.calls[2]!.resolve([allocation('a', 3), allocation('b', 3)]);
      await full2;
      fake.allocationCalls[1]!.resolve(allocation('b', 2));
      await readB;
      expect(versions(link)).toEqual({ a: 3, b: 3 });
    });

    it('does not bring back an allocation forgotten while a full read ran', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [allocation('a')]);
      const full = link.refresh();
      link.forget('a');
      fake.calls[1]!.resolve([allocation('a')]);
      await full;
      expect(versions(link)).toEqual({});
    });

    it('does not bring back an allocation forgotten while a read of it ran', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [allocation('a')]);
      const read = link.refreshAllocation('a');
      link.forget('a');
      fake.allocationCalls[0]!.resolve(allocation('a'));
      await read;
      expect(versions(link)).toEqual({});
    });

    it('keeps no marks once no read is under way (a long-lived agent reads thousands of allocations)', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, []);
      for (let i = 0; i < 50; i++) {
        const read = link.refreshAllocation(`a${i}`);
        fake.allocationCalls[i]!.resolve(i % 2 ? allocation(`a${i}`) : null);
        await read;
        link.forget(`a${i}`);
      }
      expect((link as unknown as { writtenBy: Map<string, number> }).writtenBy.size).toBeLessThanOrEqual(1);
    });

    it('reads everything instead while the runtime is down: only that can tell it is back', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [allocation('a')]);
      link.down(unavailable());
      const read = link.refreshAllocation('a');
      expect(fake.allocationCalls).toHaveLength(0);
      fake.calls[1]!.resolve([allocation('a', 1)]);
      expect(await read).toBe(true);
      expect(link.up).toBe(true);
      link.close();
    });

    it('takes the runtime down when a read of one allocation finds it gone', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [allocation('a')]);
      const read = link.refreshAllocation('a');
      fake.allocationCalls[0]!.reject(unavailable());
      expect(await read).toBe(false);
      expect(link.state).toBe('down');
      expect(versions(link)).toEqual({ a: 0 });
      link.close();
    });
  });

  describe('health from Docker\'s events', () => {
    const running = (health: TaskObservation['health']): TaskObservation => ({ task: 't', containerId: 'c1', state: 'running', exitCode: null, restartCount: 0, startedAt: 1_000, health, healthySince: null });
    const withTask = (task: TaskObservation): AllocationObservation => ({ ...allocation('a'), tasks: [task] });
    const healthOf = (link: RuntimeLink) => link.observations.get('a')!.tasks[0]!;

    it('is taken from the event at once, dated by it; a read that started before the event does not undo it', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [withTask(running('starting'))]);
      const before = link.refreshAllocation('a');
      expect(link.applyHealth('a', 'c1', 'healthy', 2_345)).toBe(true);
      expect(healthOf(link)).toMatchObject({ health: 'healthy', healthySince: 2_345 });
      fake.allocationCalls[0]!.resolve(withTask(running('starting')));
      await before;
      expect(healthOf(link)).toMatchObject({ health: 'healthy', healthySince: 2_345 });
      // A read started after it is the truth again.
      const after = link.refreshAllocation('a');
      fake.allocationCalls[1]!.resolve(withTask({ ...running('unhealthy') }));
      await after;
      expect(healthOf(link).health).toBe('unhealthy');
      link.close();
    });

    it('a healthy container stays dated by when it first turned healthy; an unknown container changes nothing', async () => {
      const fake = fakeDriver();
      const link = await connected(fake, [withTask({ ...running('healthy'), healthySince: 1_500 })]);
      expect(link.applyHealth('a', 'c1', 'healthy', 9_000)).toBe(true);
      expect(healthOf(link).healthySince).toBe(1_500);
      expect(link.applyHealth('a', 'other', 'unhealthy', 9_000)).toBe(false);
      expect(link.applyHealth('b', 'c1', 'unhealthy', 9_000)).toBe(false);
      expect(healthOf(link).health).toBe('healthy');
      link.close();
    });
  });
});
