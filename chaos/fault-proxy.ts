// A TCP proxy on 127.0.0.1 in front of a server, to make it go away in the ways
// a real one does: `refuse` closes the listening socket (connection refused, as a
// stopped server), `hang` accepts connections and never answers (as a server that
// is up but stuck), `pass` forwards. Going back to `pass` resets what was held,
// as a restarted server would, and listens again on the same port. Every change of
// mode resets the connections open at that moment.
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'hang';

export class FaultProxy {
  private server: Server | null = null;
  private modeNow: ProxyMode = 'pass';
  private readonly sockets = new Set<Socket>();
  private portNumber = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(targetUrl: string): Promise<FaultProxy> {
    const url = new URL(targetUrl);
    const proxy = new FaultProxy({ host: url.hostname, port: Number(url.port) });
    await proxy.listen(0);
    return proxy;
  }

  /** The proxy's URL in place of the target's: same path. */
  url(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.port = String(this.portNumber);
    return url.toString();
  }

  get mode(): ProxyMode {
    return this.modeNow;
  }

  /** Connections accepted and held while hanging (to tell that the client really came). */
  held = 0;

  async set(mode: ProxyMode): Promise<void> {
    if (mode === this.modeNow) return;
    const previous = this.modeNow;
    this.modeNow = mode;
    // Every change resets the connections open now: a kept-alive one must not slip past a fault.
    this.dropAll();
    if (mode === 'refuse') await this.close();
    else if (previous === 'refuse') await this.listen(this.portNumber);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.modeNow === 'hang') {
      this.held += 1;
      // Read and drop whatever comes; answer nothing.
      client.resume();
      return;
    }
    const upstream = createConnection(this.target);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
