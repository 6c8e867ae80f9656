// The data path's state: the endpoints of the current table, their backends and
// the open connections. A new table is applied as a difference: endpoints that
// stay keep their socket and connections, removed ones stop listening, removed
// backends get no new connection and keep their open ones until they end.
import { Connections } from './connections.js';
import { Endpoint } from './endpoint.js';
import type { EndpointOptions } from './endpoint.js';
import type { EdgeLog } from './log.js';
import type { DrainReply, EdgeTable, TableReply, TableView } from './types.js';
import { endpointKey } from './validate.js';

export interface EdgeOptions extends EndpointOptions {
  /** How often endpoints that could not bind are tried again. */
  retryBindMs: number;
  version: string;
}

export const defaultEdgeOptions: Omit<EdgeOptions, 'version'> = {
  connectTimeoutMs: 1000,
  downMs: 2000,
  holdMs: 5000,
  maxHeld: 1000,
  replayLimit: 64 * 1024,
  retryBindMs: 5000,
};

export class Edge {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly connections = new Connections();
  /** Tables are applied one at a time, in the order they came. */
  private applying: Promise<unknown> = Promise.resolve();
  private readonly retryTimer: NodeJS.Timeout;

  constructor(
    private readonly options: EdgeOptions,
    private readonly log: EdgeLog,
  ) {
    this.retryTimer = setInterval(() => void this.retryBinds(), options.retryBindMs);
    this.retryTimer.unref();
  }

  apply(table: EdgeTable): Promise<TableReply> {
    const next = this.applying.then(() => this.applyNow(table));
    this.applying = next.catch(() => undefined);
    return next;
  }

  private async applyNow(table: EdgeTable): Promise<TableReply> {
    const wanted = new Map(table.endpoints.map((e) => [endpointKey(e), e]));
    // Removed ones first: a port moving to another address is free again.
    for (const [key, endpoint] of this.endpoints) {
      if (wanted.has(key)) continue;
      endpoint.close();
      this.endpoints.delete(key);
      this.log.info(`endpoint ${key}: removed, no longer listening`);
    }
    const reply: TableReply = { ok: true, listening: [], errors: [] };
    for (const [key, spec] of wanted) {
      let endpoint = this.endpoints.get(key);
      if (!endpoint) {
        endpoint = new Endpoint(key, spec.address, spec.port, this.options, this.connections, this.log);
        this.endpoints.set(key, endpoint);
      }
      endpoint.setBackends(spec.backends);
      const wasListening = endpoint.listening;
      const error = await endpoint.listen();
      if (error) {
        reply.errors.push({ port: spec.port, address: spec.address, message: error });
        this.log.error(`endpoint ${key}: cannot listen: ${error} (tried again on the next table and every ${this.options.retryBindMs} ms)`);
      } else {
        reply.listening.push({ port: spec.port, address: spec.address });
        if (!wasListening) this.log.info(`endpoint ${key}: listening, ${spec.backends.length} backend(s)`);
      }
    }
    this.connections.prune(new Set([...this.endpoints.values()].flatMap((e) => e.backends.map((b) => `${e.key}/${b.id}`))));
    this.log.debug(`table applied: ${[...wanted.keys()].join(', ') || 'no endpoints'}`);
    return reply;
  }

  private async retryBinds(): Promise<void> {
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.listening) continue;
      const error = await endpoint.listen();
      if (!error) this.log.info(`endpoint ${endpoint.key}: listening now (${endpoint.backends.length} backend(s))`);
    }
  }

  view(): TableView {
    const inTable = new Set<string>();
    const endpoints = [...this.endpoints.values()].map((endpoint) => ({
      port: endpoint.port,
      address: endpoint.address,
      listening: endpoint.listening,
      error: endpoint.error,
      backends: endpoint.backends.map((backend) => {
        inTable.add(backend.id);
        return { ...backend, ...this.connections.counts(endpoint.key, backend.id) };
      }),
    }));
    const draining = this.connections
      .openIds()
      .filter((id) => !inTable.has(id))
      .map((id) => ({ id, active: this.connections.active(id) }));
    return { pid: process.pid, version: this.options.version, endpoints, draining };
  }

  /** Waits until none of `ids` has an open connection (wherever it is in the table, if still there), or the timeout. */
  async drain(ids: string[], timeoutMs: number): Promise<DrainReply> {
    const drained = await this.connections.waitIdle(ids, timeoutMs);
    return { drained, remaining: Object.fromEntries(ids.map((id) => [id, this.connections.active(id)])) };
  }

  /** Stops listening everywhere; open connections are left to end (the process exits anyway). */
  close(): void {
    clearInterval(this.retryTimer);
    for (const endpoint of this.endpoints.values()) endpoint.close();
    this.endpoints.clear();
  }
}
