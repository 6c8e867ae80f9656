import { PassThrough } from 'node:stream';
import { EventStream } from '../../src/runtime/docker/events.js';
import type { EngineEventMessage } from '../../src/runtime/docker/events.js';

function harness() {
  const streams: PassThrough[] = [];
  const sinces: string[] = [];
  const messages: EngineEventMessage[] = [];
  let reconnected = 0;
  let disconnected = 0;
  let failNext = 0;
  const waiters: Array<() => void> = [];
  const changed = () => waiters.splice(0).forEach((wake) => wake());
  const stream = new EventStream({
    open: async (since) => {
      sinces.push(since);
      if (failNext > 0) {
        failNext -= 1;
        changed();
        throw new Error('connection refused');
      }
      const s = new PassThrough();
      streams.push(s);
      changed();
      return s;
    },
    onMessage: (message) => {
      messages.push(message);
      changed();
    },
    onReconnected: () => {
      reconnected += 1;
      changed();
    },
    onDisconnected: () => {
      disconnected += 1;
      changed();
    },
    initialDelayMs: 5,
    maxDelayMs: 20,
    now: () => 1_700_000_000_123,
  });
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { stream, streams, sinces, messages, until, reconnected: () => reconnected, disconnected: () => disconnected, failOpens: (n: number) => (failNext = n) };
}

describe('EventStream', () => {
  it('parses events split across chunks and resumes after the last one when the stream ends', async () => {
    const h = harness();
    h.stream.start();
    await h.until(() => h.streams.length === 1);
    expect(h.sinces[0]).toBe('1700000000.123000000');
    h.streams[0]!.write('{"Type":"container","Action":"start","timeNano":1700000001000000001}\n{"Type":"contai');
    h.streams[0]!.write('ner","Action":"die","timeNano":1700000002000000005}\n');
    await h.until(() => h.messages.length === 2);
    expect(h.messages.map((m) => m.Action)).toEqual(['start', 'die']);
    h.streams[0]!.end();
    await h.until(() => h.reconnected() === 1);
    expect(h.streams).toHaveLength(2);
    expect(h.sinces[1]).toBe('1700000002.000000006');
    h.stream.stop();
  });

  it('keeps retrying with backoff while the engine refuses, then says it reconnected', async () => {
    const h = harness();
    h.failOpens(3);
    h.stream.start();
    await h.until(() => h.reconnected() === 1);
    expect(h.sinces).toHaveLength(4);
    h.streams[0]!.destroy(new Error('socket hang up'));
    await h.until(() => h.reconnected() === 2);
    h.stream.stop();
    expect(h.streams[1]!.destroyed).toBe(true);
  });

  it('says when an open stream breaks, once, however many reconnections fail after it', async () => {
    const h = harness();
    h.stream.start();
    await h.until(() => h.streams.length === 1);
    expect(h.disconnected()).toBe(0);
    h.failOpens(2);
    h.streams[0]!.destroy(new Error('socket hang up'));
    await h.until(() => h.reconnected() === 1);
    expect(h.disconnected()).toBe(1);
    expect(h.sinces).toHaveLength(4);
    h.stream.stop();
    expect(h.disconnected()).toBe(1);
  });

  it('stops for good', async () => {
    const h = harness();
    h.stream.start();
    await h.until(() => h.streams.length === 1);
    h.stream.stop();
    expect(h.streams[0]!.destroyed).toBe(true);
    expect(h.reconnected()).toBe(0);
  });
});
