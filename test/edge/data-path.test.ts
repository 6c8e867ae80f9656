// The edge's data path and control API in this process (runEdge), over real
// sockets: round-robin, connect failures retried on the next backend, removed
// backends draining, endpoints coming and going, ports that cannot be bound.
import { mkdtempSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EdgeClient, runEdge } from '../../src/edge/index.js';
import type { EdgeTable, RunningEdge } from '../../src/edge/index.js';
import type { Backend } from './support.js';
import { freePort, request, startBackend, until } from './support.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let dataDir: string;
let edge: RunningEdge;
let client: EdgeClient;
let backends: Backend[] = [];
const servers: Server[] = [];

beforeEach(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'deckhand-edge-')), 'edge');
  edge = await runEdge({ dataDir, log: quiet, edge: { holdMs: 3000, downMs: 1000, retryBindMs: 200 } });
  client = new EdgeClient({ dataDir, spawn: false });
  backends = await Promise.all(['a', 'b', 'c'].map(startBackend));
});

afterEach(async () => {
  await edge.close();
  await Promise.all(backends.map((b) => b.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const table = (port: number, list: Array<{ id: string; port: number }>): EdgeTable => ({
  endpoints: [{ port, address: '127.0.0.1', backends: list.map((b) => ({ id: b.id, host: '127.0.0.1', port: b.port })) }],
});
const entries = (list: Backend[]) => list.map((b) => ({ id: b.name, port: b.port }));

/** A port where connecting is refused. */
async function closedPort(): Promise<number> {
  return freePort();
}

test('the data folder is 0700, the socket and the saved table 0600', async () => {
  const port = await freePort();
  await client.setTable(table(port, entries(backends)));
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(statSync(join(dataDir, 'edge.sock')).mode & 0o777).toBe(0o600);
  expect(statSync(join(dataDir, 'edge-table.json')).mode & 0o777).toBe(0o600);
});

test('connections go round-robin over the backends', async () => {
  const port = await freePort();
  const reply = await client.setTable(table(port, entries(backends)));
  expect(reply).toEqual({ ok: true, listening: [{ port, address: '127.0.0.1' }], errors: [] });
  const answers: string[] = [];
  for (let i = 0; i < 9; i++) answers.push(await request(port));
  expect(answers.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
  expect(answers.slice(3)).toEqual([...answers.slice(0, 3), ...answers.slice(0, 3)]);
  const view = await client.getTable();
  expect(view.pid).toBe(process.pid);
  expect(view.endpoints[0]!.backends.map((b) => [b.id, b.active, b.total])).toEqual([
    ['a', 0, 3],
    ['b', 0, 3],
    ['c', 0, 3],
  ]);
});

test('a backend that refuses connections costs no request', async () => {
  const port = await freePort();
  const dead = await closedPort();
  await client.setTable(table(port, [{ id: 'dead', port: dead }, ...entries(backends.slice(0, 2))]));
  const answers = await Promise.all(Array.from({ length: 12 }, () => request(port)));
  expect(answers.every((a) => a === 'a' || a === 'b')).toBe(true);
  const view = await client.getTable();
  expect(view.endpoints[0]!.backends.find((b) => b.id === 'dead')!.total).toBe(0);
});

test('a backend that accepts and closes without answering is replaced, the request sent again', async () => {
  const port = await freePort();
  // What Docker's port proxy does for a container that is gone.
  const slammer = createServer((socket) => socket.destroy());
  const slammerPort = await freePort();
  await new Promise<void>((resolve) => slammer.listen(slammerPort, '127.0.0.1', resolve));
  servers.push(slammer);
  await client.setTable(table(port, [{ id: 'slam', port: slammerPort }, ...entries(backends.slice(0, 1))]));
  const answers = await Promise.all(Array.from({ length: 6 }, () => request(port)));
  expect(answers).toEqual(Array(6).fill('a'));
});

test('every backend failing closes the client connection', async () => {
  const port = await freePort();
  await client.setTable(table(port, [{ id: 'dead', port: await closedPort() }]));
  await expect(request(port)).rejects.toThrow(/socket hang up|ECONNRESET/);
});

test('a client that shuts its side after the request still gets the whole answer (half-close)', async () => {
  const port = await freePort();
  await client.setTable(table(port, entries(backends.slice(0, 1))));
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  expect(answer).toMatch(/^HTTP\/1.1 200 OK[\s\S]*\r\n\r\na$/);
  await until(async () => (await client.getTable()).endpoints[0]!.backends[0]!.active === 0, 'the connection to be counted closed');
});

test('a removed backend gets no new connection, keeps its open one, and drain resolves when it closes', async () => {
  const port = await freePort();
  const [a, b] = backends as [Backend, Backend];
  await client.setTable(table(port, entries([a])));
  const slow = request(port, '/slow');
  await until(() => a.held.length === 1, 'the slow request to reach a');
  await client.setTable(table(port, entries([b])));
  expect(await request(port)).toBe('b');
  const view = await client.getTable();
  expect(view.draining).toEqual([{ id: 'a', active: 1 }]);
  expect(await client.drain(['a'], 50)).toEqual({ drained: false, remaining: { a: 1 } });
  const drained = client.drain(['a', 'b'], 5000);
  a.releaseAll();
  expect(await slow).toBe('a');
  expect(await drained).toEqual({ drained: true, remaining: { a: 0, b: 0 } });
  expect((await client.getTable()).draining).toEqual([]);
});

test('changing the table keeps the connections of backends that stay', async () => {
  const port = await freePort();
  const [a, b, c] = backends as [Backend, Backend, Backend];
  await client.setTable(table(port, entries([a])));
  const slow = request(port, '/slow');
  await until(() => a.held.length === 1, 'the slow request to reach a');
  await client.setTable(table(port, entries([a, b, c])));
  await client.setTable(table(port, entries([c, a])));
  a.releaseAll();
  expect(await slow).toBe('a');
});

test('an endpoint with no backend holds a new connection until the table gives it one', async () => {
  const port = await freePort();
  await client.setTable(table(port, []));
  const waiting = request(port);
  await until(async () => (await client.getTable()).endpoints[0]!.listening, 'the endpoint to listen');
  await client.setTable(table(port, entries(backends.slice(1, 2))));
  expect(await waiting).toBe('b');
});

test('an endpoint removed from the table stops listening; its port is free again', async () => {
  const port = await freePort();
  await client.setTable(table(port, entries(backends)));
  expect(await request(port)).toMatch(/^[abc]$/);
  expect(await client.setTable({ endpoints: [] })).toEqual({ ok: true, listening: [], errors: [] });
  await expect(request(port)).rejects.toThrow(/ECONNREFUSED/);
  expect((await client.getTable()).endpoints).toEqual([]);
});

test('a port that cannot be bound is reported for its endpoint, the others listen, and it is tried again', async () => {
  const [taken, other] = [await freePort(), await freePort()];
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(taken, '127.0.0.1', resolve));
  const both: EdgeTable = { endpoints: [...table(taken, entries(backends)).endpoints, ...table(other, entries(backends)).endpoints] };
  const reply = await client.setTable(both);
  expect(reply.listening).toEqual([{ port: other, address: '127.0.0.1' }]);
  expect(reply.errors).toEqual([{ port: taken, address: '127.0.0.1', message: expect.stringContaining('EADDRINUSE') }]);
  expect(await request(other)).toMatch(/^[abc]$/);
  await new Promise((resolve) => squatter.close(resolve));
  // The edge tries again by itself (every retryBindMs), and on the next table.
  await until(async () => (await client.getTable()).endpoints.every((e) => e.listening), 'the freed port to be bound');
  expect(await request(taken)).toMatch(/^[abc]$/);
  expect((await client.setTable(both)).errors).toEqual([]);
});

test('a bad table is refused whole with the field named, and changes nothing', async () => {
  const port = await freePort();
  await client.setTable(table(port, entries(backends)));
  await expect(client.setTable({ endpoints: [{ port: 70000, address: '127.0.0.1', backends: [] }] })).rejects.toThrow(/400 table.endpoints\[0\].port: must be a port number/);
  await expect(client.setTable({ endpoints: [{ port, address: 'localhost', backends: [] }] } as EdgeTable)).rejects.toThrow(/address: must be an IP address/);
  await expect(client.drain(['a'], -1)).rejects.toThrow(/drain.timeoutMs/);
  expect(await request(port)).toMatch(/^[abc]$/);
  expect((await client.getTable()).endpoints[0]!.backends).toHaveLength(3);
});
