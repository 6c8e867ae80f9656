// How the rows look at deckhand from outside: HTTP with a deadline, the CLI as a
// process, the agent's resident memory, its SQLite file opened read-only, and its
// containers on the engine. Every wait has a deadline: a hang is a finding.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { openSqlite } from '../src/store/sqlite.js';
import { testLabel } from '../test/runtime/support.js';
import { Lost } from './row.js';

export interface HttpAnswer {
  status: number;
  text: string;
  contentType: string;
}

export interface HttpOptions {
  body?: string;
  headers?: Record<string, string>;
  token?: string;
  timeoutMs?: number;
}

/** One request; a connection error or no answer within the deadline throws (the caller decides whether that is a finding). */
export async function http(url: string, method: string, path: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const contentType = response.headers.get('content-type') ?? '';
  // An event stream never ends: its first bytes are enough.
  if (contentType.startsWith('text/event-stream')) {
    const reader = response.body!.getReader();
    const first = await reader.read();
    await reader.cancel();
    return { status: response.status, text: first.value ? Buffer.from(first.value).toString('utf8') : '', contentType };
  }
  return { status: response.status, text: await response.text(), contentType };
}

/** JSON from an answer, or null when it is none. */
export function jsonOf<T = unknown>(answer: HttpAnswer): T | null {
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    return null;
  }
}

/** Everything an event stream sends until `stop()` is called. */
export async function collectEvents(url: string, token?: string): Promise<{ text: () => string; stop: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/events`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
  if (response.status !== 200) throw new Error(`GET /v1/events answered ${response.status}`);
  let text = '';
  const reader = response.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // Aborted.
    }
  })();
  return { text: () => text, stop: () => controller.abort() };
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes; then null. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 200): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch {
      // Not yet (the agent restarting, a connection refused): try again.
    }
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resident memory of a process in MiB (VmRSS), or null once it is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Samples a process's resident memory every 50 ms and keeps the highest. */
export class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
  }

  /** Starts a new peak from now. */
  reset(): void {
    this.peak = rssMiB(this.pid) ?? 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = rssMiB(this.pid);
    if (now !== null && now > this.peak) this.peak = now;
  }
}

export interface CliOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `deckhand ARGS` as a person runs it: bin/deckhand.js in a process of its own, with its own environment only. */
export function deckhandCli(args: string[], env: Record<string, string>, options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliOutput> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DECKHAND_')));
  return new Promise((resolve, reject) => {
    const child = spawn(join(process.cwd(), 'bin', 'deckhand.js'), args, { cwd: options.cwd ?? process.cwd(), env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Lost(`deckhand ${args.join(' ')} did not finish within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface StoredAllocation {
  id: string;
  index: number;
  group: string;
  version: number;
  desired: string;
  status: string;
}

export interface StoreSnapshot {
  integrity: string;
  jobVersion: number | null;
  deployments: Array<{ id: string; version: number; status: string; description: string }>;
  allocations: StoredAllocation[];
}

/** The agent's SQLite file, read-only (it may be running): integrity, the job's version, deployments (newest first) and allocations. */
export function readStore(dataDir: string, jobId: string): StoreSnapshot {
  const db = openSqlite(join(dataDir, 'deckhand.db'), { readOnly: true, busyTimeoutMs: 5000 });
  try {
    const integrity = (db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
    const job = db.prepare('SELECT version FROM jobs WHERE id = ?').get(jobId) as { version: number } | undefined;
    const deployments = db
      .prepare('SELECT id, job_version AS version, status, description FROM deployments WHERE job_id = ? ORDER BY created_at DESC, rowid DESC')
      .all(jobId) as unknown as StoreSnapshot['deployments'];
    const allocations = db
      .prepare('SELECT id, alloc_index AS "index", group_name AS "group", job_version AS version, desired, status FROM allocations WHERE job_id = ?')
      .all(jobId) as unknown as StoredAllocation[];
    return { integrity, jobVersion: job?.version ?? null, deployments, allocations };
  } finally {
    db.close();
  }
}

export interface JobContainer {
  id: string;
  alloc: string;
  index: number;
  image: string;
  state: string;
  version: number;
}

/** Every container of a job under one run label, whatever its state. */
export async function jobContainers(engine: Docker, runLabel: string, jobId: string): Promise<JobContainer[]> {
  const listed = await engine.listContainers({ all: true, filters: { label: [`${testLabel}=${runLabel}`, `deckhand.job=${jobId}`] } });
  return listed.map((c) => ({
    id: c.Id,
    alloc: c.Labels['deckhand.alloc'] ?? '',
    index: Number(c.Labels['deckhand.index']),
    image: c.Image,
    state: c.State,
    version: Number(c.Labels['deckhand.version']),
  }));
}

/**
 * What must hold once a job has converged, as problems (empty: it holds): no
 * deployment still running, `count` allocations meant to run, one per index, all
 * running the job's version; every container belongs to one of them (no orphan,
 * no leftover of a stopped one), one container each, running; the SQLite file intact.
 */
export function convergenceProblems(store: StoreSnapshot, containers: JobContainer[], count: number): string[] {
  const problems: string[] = [];
  if (store.integrity !== 'ok') problems.push(`PRAGMA integrity_check: ${store.integrity}`);
  const [newest, ...older] = store.deployments;
  const active = (d: { status: string }) => d.status === 'running' || d.status === 'paused';
  if (newest && active(newest)) problems.push(`stuck deployment: ${newest.id.slice(0, 8)} (v${newest.version}, ${newest.status})`);
  // A newer version supersedes a deployment: one still recorded as running lost its cancellation.
  const superseded = older.filter(active);
  if (superseded.length > 0) problems.push(`superseded deployment${superseded.length === 1 ? '' : 's'} still recorded as running: ${superseded.map((d) => `${d.id.slice(0, 8)} (v${d.version}, ${d.status})`).join(', ')}`);
  const live = store.allocations.filter((a) => a.desired === 'run');
  const indexes = live.map((a) => a.index).sort((a, b) => a - b);
  const duplicates = indexes.filter((index, i) => indexes[i - 1] === index);
  if (duplicates.length > 0) problems.push(`duplicate allocations for index ${[...new Set(duplicates)].join(', ')}`);
  if (live.length !== count) problems.push(`${live.length} allocations meant to run, not ${count}`);
  const wrongVersion = live.filter((a) => a.version !== store.jobVersion);
  if (wrongVersion.length > 0) problems.push(`${wrongVersion.length} allocation(s) of another version than the job's ${store.jobVersion}`);
  const notRunning = live.filter((a) => a.status !== 'running');
  if (notRunning.length > 0) problems.push(`allocations not running: ${notRunning.map((a) => `[${a.index}] ${a.status}`).join(', ')}`);
  const known = new Map(store.allocations.map((a) => [a.id, a]));
  const orphans = containers.filter((c) => !known.has(c.alloc));
  if (orphans.length > 0) problems.push(`${orphans.length} orphan container(s) (no allocation the agent knows): ${orphans.map((c) => c.id.slice(0, 12)).join(', ')}`);
  const leftovers = containers.filter((c) => known.get(c.alloc)?.desired === 'stop');
  if (leftovers.length > 0) problems.push(`${leftovers.length} container(s) of stopped allocations left behind`);
  const perAlloc = new Map<string, number>();
  for (const c of containers) perAlloc.set(c.alloc, (perAlloc.get(c.alloc) ?? 0) + 1);
  const doubled = [...perAlloc].filter(([, n]) => n > 1);
  if (doubled.length > 0) problems.push(`allocation(s) with more than one container: ${doubled.map(([id, n]) => `${id.slice(0, 8)}×${n}`).join(', ')}`);
  const missing = live.filter((a) => !perAlloc.has(a.id));
  if (missing.length > 0) problems.push(`${missing.length} allocation(s) meant to run without a container`);
  const stopped = containers.filter((c) => known.get(c.alloc)?.desired === 'run' && c.state !== 'running');
  if (stopped.length > 0) problems.push(`${stopped.length} container(s) of live allocations not running (${stopped.map((c) => c.state).join(', ')})`);
  return problems;
}

export interface ContainerEvent {
  action: string;
  id: string;
  job: string;
  version: number;
}

/** Create, start and die events of the containers under one run label, as the engine reports them. */
export class ContainerEvents {
  readonly seen: ContainerEvent[] = [];
  private waiters: Array<{ match: (e: ContainerEvent) => boolean; resolve: (e: ContainerEvent | null) => void }> = [];

  private constructor(private readonly stream: NodeJS.ReadableStream & { destroy(): void }) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.add(line);
    });
    stream.on('error', () => undefined);
  }

  static async watch(engine: Docker, runLabel: string): Promise<ContainerEvents> {
    const stream = (await engine.getEvents({ filters: { type: ['container'], event: ['create', 'start', 'die'], label: [`${testLabel}=${runLabel}`] } })) as NodeJS.ReadableStream & { destroy(): void };
    return new ContainerEvents(stream);
  }

  /** Resolves with the `n`th matching event from now on, or null after `timeoutMs`. */
  next(n: number, timeoutMs: number, match: (e: ContainerEvent) => boolean = () => true): Promise<ContainerEvent | null> {
    let count = 0;
    return new Promise((resolve) => {
      const waiter = {
        match: (e: ContainerEvent) => match(e) && ++count >= n,
        resolve: (e: ContainerEvent | null) => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(e);
        },
      };
      const timer = setTimeout(() => waiter.resolve(null), timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    for (const waiter of [...this.waiters]) waiter.resolve(null);
    this.stream.destroy();
  }

  private add(line: string): void {
    let raw: { Action?: string; status?: string; id?: string; Actor?: { Attributes?: Record<string, string> } };
    try {
      raw = JSON.parse(line) as typeof raw;
    } catch {
      return;
    }
    const attributes = raw.Actor?.Attributes ?? {};
    const event: ContainerEvent = { action: raw.Action ?? raw.status ?? '', id: raw.id ?? '', job: attributes['deckhand.job'] ?? '', version: Number(attributes['deckhand.version']) };
    this.seen.push(event);
    for (const waiter of [...this.waiters]) if (waiter.match(event)) waiter.resolve(event);
  }
}

/**
 * A POST whose body the server may refuse before reading it all (413, then it
 * closes): written on a bare socket, the headers first, then the body a piece at
 * a time, stopping once an answer comes, as curl does. fetch and node:http report only the broken pipe and lose
 * the answer that came first.
 */
export async function postEarlyAnswer(url: string, path: string, body: string, headers: Record<string, string>, timeoutMs = 30_000): Promise<HttpAnswer> {
  const { hostname, port } = new URL(url);
  const socket = createConnection({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  let failure: Error | null = null;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (error) => (failure = error));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const bytes = Buffer.from(body);
    const lines = [`POST ${path} HTTP/1.1`, `host: ${hostname}:${port}`, 'connection: close', `content-length: ${bytes.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    // A server that judges by the Content-Length answers before any of the body is sent, and
    // closes cleanly; once body bytes sit unread in its buffer, its close resets the connection
    // and the answer can be lost on the way.
    await Promise.race([new Promise((resolve) => socket.once('data', resolve)), closed, new Promise((resolve) => setTimeout(resolve, 500))]);
    for (let offset = 0; offset < bytes.length && chunks.length === 0 && !socket.destroyed; offset += 64 * 1024) {
      if (!socket.write(bytes.subarray(offset, offset + 64 * 1024))) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!socket.destroyed) socket.end();
    await closed;
  } finally {
    clearTimeout(timer);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
  if (!status) throw (failure as Error | null) ?? new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 80))}`);
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split);
  return { status: Number(status[1]), text: text.slice(split + 4), contentType: /^content-type: (.*)$/im.exec(head)?.[1]?.trim() ?? '' };
}

/** The warnings and errors an agent logged (pino JSON lines) since `since` (ms), each once, for a lost trial's details. */
export function loggedProblems(log: string, since = 0, max = 5): string[] {
  const seen = new Set<string>();
  for (const line of log.split('\n')) {
    let entry: { level?: number; time?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 40 || (entry.time ?? 0) < since) continue;
    seen.add(`${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`.slice(0, 200));
  }
  return [...seen].slice(0, max);
}

/** A job's state in one line, for a lost trial's details: its deployment and each allocation meant to run, with its container. */
export function describeJob(view: { version: number; latestDeployment: { jobVersion: number; status: string; groups: Array<{ desired: number; placed: number; healthy: number }> } | null; allocations: Array<{ id: string; index: number; version: number; desired: string; status: string }> }, containers: JobContainer[]): string {
  const deployment = view.latestDeployment;
  const progress = deployment ? `deployment of v${deployment.jobVersion} ${deployment.status} (placed ${deployment.groups.map((g) => `${g.placed}/${g.desired}`).join(', ')}, healthy ${deployment.groups.map((g) => g.healthy).join(', ')})` : 'no deployment';
  const live = view.allocations
    .filter((a) => a.desired === 'run')
    .sort((a, b) => a.index - b.index)
    .map((a) => {
      const own = containers.filter((c) => c.alloc === a.id);
      return `[${a.index}] v${a.version} ${a.status}, ${own.length === 0 ? 'no container' : own.map((c) => `container ${c.state}`).join(', ')}`;
    });
  const unknown = containers.filter((c) => !view.allocations.some((a) => a.id === c.alloc));
  return `job at v${view.version}, ${progress}; allocations: ${live.join('; ')}${unknown.length > 0 ? `; ${unknown.length} container(s) of allocations not shown` : ''}`;
}
