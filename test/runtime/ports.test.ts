import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { PortAllocator, PortError, isPortFree } from '../../src/runtime/ports.js';

const always = async () => true;

describe('PortAllocator', () => {
  it('hands out distinct ports from the range and never one another allocation holds', async () => {
    const ports = new PortAllocator({ min: 30000, max: 30003 }, always);
    const a = await ports.allocate('a', [{ label: 'http', static: null }, { label: 'admin', static: null }]);
    const b = await ports.allocate('b', [{ label: 'http', static: null }, { label: 'admin', static: null }]);
    expect(new Set([...Object.values(a), ...Object.values(b)]).size).toBe(4);
    await expect(ports.allocate('c', [{ label: 'http', static: null }])).rejects.toThrow(PortError);
    ports.release('a');
    const c = await ports.allocate('c', [{ label: 'http', static: null }]);
    expect(Object.values(a)).toContain(c.http);
  });

  it('gives concurrent allocations different ports', async () => {
    const slow = (port: number) => new Promise<boolean>((resolve) => setTimeout(() => resolve(port % 2 === 0), 1));
    const ports = new PortAllocator({ min: 31000, max: 31100 }, slow);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ports.allocate(`alloc-${i}`, [{ label: 'http', static: null }])));
    const all = results.map((r) => r.http!);
    expect(new Set(all).size).toBe(20);
    expect(all.every((port) => port % 2 === 0)).toBe(true);
  });

  it('skips ports in use on the host', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const busy = (server.address() as { port: number }).port;
    try {
      expect(await isPortFree(busy)).toBe(false);
      const ports = new PortAllocator({ min: busy, max: busy + 1 });
      const got = await ports.allocate('a', [{ label: 'http', static: null }]);
      expect(got.http).toBe(busy + 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await isPortFree(busy)).toBe(true);
  });

  it('uses static ports as given, refusing one held by another allocation', async () => {
    const ports = new PortAllocator({ min: 30000, max: 30010 }, always);
    expect(await ports.allocate('a', [{ label: 'http', static: 8080 }])).toEqual({ http: 8080 });
    await expect(ports.allocate('b', [{ label: 'web', static: 8080 }])).rejects.toThrow(/8080.*held by allocation a/);
    // the failed allocation keeps nothing
    expect(ports.portsOf('b')).toEqual({});
    expect(await ports.allocate('a', [{ label: 'http', static: 8080 }])).toEqual({ http: 8080 });
  });

  it('keeps ports chosen before, and ports reserved from labels', async () => {
    const ports = new PortAllocator({ min: 30000, max: 30001 }, always);
    ports.reserve('old', 'http', 30000);
    expect(ports.portsOf('old')).toEqual({ http: 30000 });
    expect(() => ports.reserve('other', 'http', 30000)).toThrow(PortError);
    expect(await ports.allocate('new', [{ label: 'http', static: null }])).toEqual({ http: 30001 });
    ports.release('new');
    expect(await ports.allocate('again', [{ label: 'http', static: null }], { http: 30001 })).toEqual({ http: 30001 });
    expect(ports.allocations()).toEqual(new Set(['old', 'again']));
  });

  it('gives one port to a label several tasks share', async () => {
    const ports = new PortAllocator({ min: 30000, max: 30010 }, always);
    const got = await ports.allocate('a', [{ label: 'http', static: null }, { label: 'http', static: null }]);
    expect(Object.keys(got)).toEqual(['http']);
  });

  it('refuses a bad range', () => {
    expect(() => new PortAllocator({ min: 10, max: 5 })).toThrow(PortError);
  });
});
