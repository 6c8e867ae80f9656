// The edge as a process of its own (bin/deckhand.js edge, run from dist/: build
// first): started by EdgeClient detached, it outlives a parent killed with
// SIGKILL, serves its saved table at once when started again, and refuses to
// run twice on one folder. Every edge started here is SIGKILLed at the end by
// the pid in its folder, whatever the test's outcome.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EdgeClient } from '../../src/edge/index.js';
import type { Backend } from './support.js';
import { edgePid, freePort, isAlive, killEdges, request, startBackend, until } from './support.js';

const bin = join(process.cwd(), 'bin', 'deckhand.js');
const dataDirs: string[] = [];
const pids: number[] = [];
let backends: Backend[] = [];

function newDataDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'deckhand-edge-')), 'edge');
  dataDirs.push(dir);
  return dir;
}

beforeEach(async () => {
  backends = await Promise.all(['a', 'b'].map(startBackend));
});

afterEach(async () => {
  await killEdges(dataDirs.splice(0), pids.splice(0));
  await Promise.all(backends.map((b) => b.close()));
});

const tableFor = (port: number) => ({ endpoints: [{ port, address: '127.0.0.1', backends: backends.map((b) => ({ id: b.name, host: '127.0.0.1', port: b.port })) }] });

test('a started edge serves its saved table at once after a SIGKILL, without the agent', async () => {
  const dataDir = newDataDir();
  const client = new EdgeClient({ dataDir });
  await client.ensureRunning();
  const port = await freePort();
  await client.setTable(tableFor(port));
  const first = edgePid(dataDir)!;
  expect((await client.getTable()).pid).toBe(first);
  expect(await request(port)).toMatch(/^[ab]$/);

  process.kill(first, 'SIGKILL');
  await until(() => !isAlive(first), 'the edge to die');
  await expect(client.getTable()).rejects.toThrow(/edge GET \/v1\/table .*: the edge is not running/);
  // A new edge, as an agent starting again would start it; nobody sends it the table.
  await client.ensureRunning();
  const second = (await client.getTable()).pid;
  expect(second).not.toBe(first);
  expect((await client.getTable()).endpoints.map((e) => [e.port, e.listening, e.backends.map((b) => b.id)])).toEqual([[port, true, ['a', 'b']]]);
  expect(await request(port)).toMatch(/^[ab]$/);
});

test('the edge outlives the process that started it, killed with SIGKILL', async () => {
  const dataDir = newDataDir();
  const port = await freePort();
  // A stand-in for the agent: starts the edge with EdgeClient, sends a table, waits to be killed.
  const script = join(dataDir, '..', 'parent.mjs');
  const edgeModule = pathToFileURL(join(process.cwd(), 'dist', 'src', 'edge', 'index.js')).href;
  writeFileSync(
    script,
    `import { EdgeClient } from ${JSON.stringify(edgeModule)};
const client = new EdgeClient({ dataDir: ${JSON.stringify(dataDir)} });
await client.ensureRunning();
await client.setTable(${JSON.stringify(tableFor(port))});
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`,
  );
  const parent = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  pids.push(parent.pid!);
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    parent.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before it was ready`)));
  });
  const edge = edgePid(dataDir)!;
  expect(edge).not.toBe(parent.pid);
  parent.kill('SIGKILL');
  await exited;
  expect(isAlive(edge)).toBe(true);
  const answers: string[] = [];
  for (let i = 0; i < 4; i++) answers.push(await request(port));
  expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
  expect((await new EdgeClient({ dataDir, spawn: false }).getTable()).pid).toBe(edge);
});

test('a second edge on the same folder refuses to start, and the first goes on', async () => {
  const dataDir = newDataDir();
  const client = new EdgeClient({ dataDir });
  await client.ensureRunning();
  const child = spawn(process.execPath, [bin, 'edge', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  pids.push(child.pid!);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toContain(`Error: an edge already answers on ${join(dataDir, 'edge.sock')}`);
  expect((await client.getTable()).pid).toBe(edgePid(dataDir));
});

test('calls fail with a clear error within their deadline when no edge runs', async () => {
  const dataDir = newDataDir();
  const client = new EdgeClient({ dataDir, spawn: false, timeoutMs: 500 });
  await expect(client.ensureRunning()).rejects.toThrow(`no edge answers on ${join(dataDir, 'edge.sock')} (and this client does not start one)`);
  await expect(client.setTable({ endpoints: [] })).rejects.toThrow(/edge PUT \/v1\/table .*: the edge is not running/);
  await expect(client.drain(['x'], 100)).rejects.toThrow(/the edge is not running/);
  client.close();
  await expect(client.getTable()).rejects.toThrow('the edge client is closed');
});

test('deckhand edge refuses a log level it does not know', async () => {
  const child = spawn(process.execPath, [bin, 'edge', '--data-dir', newDataDir(), '--log-level', 'loud'], { stdio: ['ignore', 'pipe', 'pipe'] });
  pids.push(child.pid!);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
  expect(stderr).toContain('Error: --log-level: "loud" is not one of trace, debug, info, warn, error');
});
