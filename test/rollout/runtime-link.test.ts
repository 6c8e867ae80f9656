// The rollout engine's link to the runtime, over a fake driver: one read at a
// time however many events ask, and an outage waited out with backoff.
import type { AllocationObservation, Driver } from '../../src/runtime/driver.js';
import { RuntimeUnavailableError } from '../../src/runtime/driver.js';
import { RuntimeLink } from '../../src/rollout/runtime-link.js';

/** A driver whose observe() answers what the test says, when the test says. */
function fakeDriver() {
  const calls: Array<{ resolve: (list: AllocationObservation[]) => void; reject: (error: unknown) => void; at: number }> = [];
  let onCall = () => {};
  const driver = {
    observe: () =>
      new Promise<AllocationObservation[]>((resolve, reject) => {
        calls.push({ resolve, reject, at: Date.now() });
        onCall();
      }),
  } as unknown as Driver;
  const nextCall = (n: number) =>
    new Promise<void>((resolve) => {
      onCall = () => calls.length >= n && resolve();
      onCall();
    });
  return { driver, calls, nextCall };
}

const allocation = (allocId: string): AllocationObservation => ({ allocId, jobId: 'j', group: 'g', index: 0, jobVersion: 0, specHash: 'h', deploymentId: null, ports: {}, tasks: [] });
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
});
