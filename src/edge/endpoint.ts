// One endpoint: a listening socket on address:port and its backends. Closing it
// stops listening only: connections already forwarded go on until they end.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Balancer } from './balancer.js';
import type { Connections } from './connections.js';
import { forward } from './forward.js';
import type { EdgeLog } from './log.js';
import type { EdgeBackend } from './types.js';

export interface EndpointOptions {
  connectTimeoutMs: number;
  /** How long a backend whose connect failed sits out. */
  downMs: number;
  /** How long a connection waits for a backend when the endpoint has none. */
  holdMs: number;
  /** At most this many connections wait at once; more are closed. */
  maxHeld: number;
  /** Bytes of a request kept to send again to another backend (forward.ts). */
  replayLimit: number;
}

export class Endpoint {
  private server: Server | null = null;
  private readonly balancer: Balancer;
  private held = new Set<() => void>();
  /** Why the last listen failed, until one succeeds. */
  error: string | null = null;
  backends: EdgeBackend[] = [];

  constructor(
    readonly key: string,
    readonly address: string,
    readonly port: number,
    private readonly options: EndpointOptions,
    private readonly connections: Connections,
    private readonly log: EdgeLog,
  ) {
    this.balancer = new Balancer({ downMs: options.downMs }, (id) => connections.active(id));
  }

  get listening(): boolean {
    return this.server !== null;
  }

  setBackends(backends: EdgeBackend[]): void {
    this.backends = backends;
    this.balancer.setBackends(backends);
    if (backends.length > 0) for (const wake of [...this.held]) wake();
  }

  /** Binds the port; resolves with the error's message when it cannot (and is tried again later). */
  async listen(): Promise<string | null> {
    if (this.server) return null;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => this.accept(socket));
    const error = await new Promise<Error | null>((resolve) => {
      server.once('error', resolve);
      server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        server.off('error', resolve);
        resolve(null);
      });
    });
    if (error) {
      this.error = error.message;
      return error.message;
    }
    server.on('error', (e) => this.log.error(`endpoint ${this.key}: ${e.message}`));
    this.server = server;
    this.error = null;
    return null;
  }

  /** Stops listening; held connections are closed, forwarded ones go on. */
  close(): void {
    this.server?.close();
    this.server = null;
    this.backends = [];
    this.balancer.setBackends([]);
    for (const wake of [...this.held]) wake();
  }

  private accept(socket: Socket): void {
    void forward(socket, {
      connectTimeoutMs: this.options.connectTimeoutMs,
      replayLimit: this.options.replayLimit,
      attempts: () => this.balancer.attempts(),
      waitForBackends: () => this.waitForBackends(socket),
      failed: (backend, error) => {
        this.balancer.failed(backend.id);
        this.log.warn(`endpoint ${this.key}: backend ${backend.id} (${backend.host}:${backend.port}) failed: ${error.message}; trying another`);
      },
      succeeded: (backend) => this.balancer.succeeded(backend.id),
      open: (backend) => this.connections.open(this.key, backend.id),
    }).catch((error: Error) => {
      this.log.error(`endpoint ${this.key}: ${error.stack ?? error.message}`);
      socket.destroy();
    });
  }

  /**
   * An endpoint with no backend holds new connections for a moment instead of
   * closing them: a job of one allocation updated stop-first has no backend
   * between the old one's stop and the new one's health, and a client that waits
   * a second there is better off than one that gets a reset.
   */
  private waitForBackends(socket: Socket): Promise<boolean> {
    if (!this.server || this.held.size >= this.options.maxHeld) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        socket.off('close', wake);
        this.held.delete(wake);
        resolve(this.balancer.size > 0 && !socket.destroyed);
      };
      const timer = setTimeout(wake, this.options.holdMs);
      socket.once('close', wake);
      this.held.add(wake);
    });
  }
}
