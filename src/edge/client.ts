// The agent's side of the edge: calls on DIR/edge.sock, each with a deadline
// (a rollout never hangs on the edge), and starting the edge when none answers.
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { socketFileName } from './process.js';
import { spawnEdge } from './spawn.js';
import type { DrainReply, EdgeTable, TableReply, TableView } from './types.js';

export class EdgeError extends Error {
  override readonly name = 'EdgeError';
}

export interface EdgeClientOptions {
  dataDir: string;
  /** Start the edge when none answers (default true). */
  spawn?: boolean;
  log?: (msg: string) => void;
  /** Deadline of a call (default 5 s; a drain gets its own timeout on top). */
  timeoutMs?: number;
  /** How long ensureRunning waits for a started edge to answer (default 10 s). */
  startTimeoutMs?: number;
}

export class EdgeClient {
  readonly dataDir: string;
  readonly socketPath: string;
  private closed = false;

  constructor(private readonly options: EdgeClientOptions) {
    this.dataDir = resolve(options.dataDir);
    this.socketPath = join(this.dataDir, socketFileName);
  }

  /** Resolves once an edge answers on the socket, starting one (detached, it outlives this process) if none does. */
  async ensureRunning(): Promise<void> {
    if (await this.answers(1000)) return;
    if (this.options.spawn === false) throw new EdgeError(`no edge answers on ${this.socketPath} (and this client does not start one)`);
    this.options.log?.(`no edge answers on ${this.socketPath}: starting one`);
    const child = spawnEdge(this.dataDir);
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 10_000);
    while (Date.now() < deadline) {
      if (await this.answers(1000)) {
        this.options.log?.(`edge started (pid ${child.pid}), log in ${child.logPath}`);
        return;
      }
      // It may have exited because another edge won the socket meanwhile: then that one answers.
      if (child.exited() && !(await this.answers(1000))) throw new EdgeError(`the edge exited at start (code ${child.exitCode()}): ${child.logTail()}`);
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new EdgeError(`the edge started (pid ${child.pid}) but did not answer on ${this.socketPath} within ${this.options.startTimeoutMs ?? 10_000} ms; see ${child.logPath}`);
  }

  setTable(table: EdgeTable): Promise<TableReply> {
    return this.call<TableReply>('PUT', '/v1/table', table);
  }

  getTable(): Promise<TableView> {
    return this.call<TableView>('GET', '/v1/table');
  }

  drain(ids: string[], timeoutMs: number): Promise<DrainReply> {
    return this.call<DrainReply>('POST', '/v1/drain', { ids, timeoutMs }, timeoutMs + this.timeoutMs);
  }

  /** Ends this client (the edge goes on); later calls fail. */
  close(): void {
    this.closed = true;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 5000;
  }

  private async answers(timeoutMs: number): Promise<boolean> {
    try {
      await this.call('GET', '/v1/table', undefined, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  private call<T>(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.closed) return Promise.reject(new EdgeError('the edge client is closed'));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const what = `edge ${method} ${path} (${this.socketPath})`;
    return new Promise<T>((done, fail) => {
      const req = request(
        { socketPath: this.socketPath, method, path, agent: false, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => fail(new EdgeError(`${what}: ${error.message}`)));
          res.on('end', () => {
            clearTimeout(timer);
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              return fail(new EdgeError(`${what}: the answer (${res.statusCode}) is not JSON`));
            }
            if (res.statusCode !== 200) return fail(new EdgeError(`${what}: ${res.statusCode} ${(parsed as { error?: string }).error ?? ''}`.trim()));
            done(parsed as T);
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'the edge is not running' : error.message;
        fail(new EdgeError(`${what}: ${why}`, { cause: error }));
      });
      req.end(payload);
    });
  }
}
