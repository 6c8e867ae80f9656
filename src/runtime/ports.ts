// Host ports for allocations. Containers use host networking, so a port is a
// port on 127.0.0.1: a dynamic one comes from a range, skipping ports another
// allocation holds and ports something on the host listens on.
import { createServer } from 'node:net';

export interface PortRange {
  min: number;
  max: number;
}

export const defaultPortRange: PortRange = { min: 20000, max: 32000 };

/** What an allocation asks for: a label, and a fixed port or null for a dynamic one. */
export interface PortRequest {
  label: string;
  static: number | null;
}

export class PortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortError';
  }
}

/** True when 127.0.0.1:port can be bound right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class PortAllocator {
  /** Port → the allocation holding it, and under which label. */
  private readonly holders = new Map<number, { allocId: string; label: string }>();
  private cursor: number;
  /** Allocations run one after another, so two never pick the same free port. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly range: PortRange = defaultPortRange,
    private readonly isFree: (port: number) => Promise<boolean> = isPortFree,
  ) {
    if (!(range.min > 0 && range.max <= 65535 && range.min <= range.max)) throw new PortError(`bad port range ${range.min}-${range.max}`);
    // A random start: two agents (or test runs) on one host seldom race for the same port.
    this.cursor = range.min + Math.floor(Math.random() * (range.max - range.min + 1));
  }

  /**
   * Ports for every request of an allocation: previously chosen ones (a re-placement)
   * are kept, static ones used as given, the rest taken from the range.
   */
  allocate(allocId: string, requests: PortRequest[], previous: Record<string, number> = {}): Promise<Record<string, number>> {
    const run = this.queue.then(() => this.allocateNow(allocId, requests, previous));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Marks a port as held, e.g. one read back from a container's labels after a restart. */
  reserve(allocId: string, label: string, port: number): void {
    const holder = this.holders.get(port);
    if (holder && holder.allocId !== allocId) {
      throw new PortError(`port ${port} (${label}) is already held by allocation ${holder.allocId} (${holder.label})`);
    }
    this.holders.set(port, { allocId, label });
  }

  release(allocId: string): void {
    for (const [port, holder] of this.holders) if (holder.allocId === allocId) this.holders.delete(port);
  }

  /** Allocation ids holding at least one port. */
  allocations(): Set<string> {
    return new Set([...this.holders.values()].map((holder) => holder.allocId));
  }

  portsOf(allocId: string): Record<string, number> {
    const ports: Record<string, number> = {};
    for (const [port, holder] of this.holders) if (holder.allocId === allocId) ports[holder.label] = port;
    return ports;
  }

  private async allocateNow(allocId: string, requests: PortRequest[], previous: Record<string, number>): Promise<Record<string, number>> {
    const ports: Record<string, number> = {};
    const added: number[] = [];
    try {
      for (const request of requests) {
        if (Object.hasOwn(ports, request.label)) continue;
        const fixed = request.static ?? previous[request.label] ?? null;
        if (fixed !== null) await this.checkFixed(allocId, request.label, fixed);
        const port = fixed ?? (await this.nextFree());
        if (!this.holders.has(port)) added.push(port);
        this.reserve(allocId, request.label, port);
        ports[request.label] = port;
      }
    } catch (error) {
      for (const port of added) this.holders.delete(port);
      throw error;
    }
    return ports;
  }

  /**
   * A port the job fixes (or a re-placement keeps): another allocation must not hold
   * it, and nothing else on the host may listen on it, else the task could only fail
   * to bind it, which says far less than this.
   */
  private async checkFixed(allocId: string, label: string, port: number): Promise<void> {
    const holder = this.holders.get(port);
    if (holder && holder.allocId !== allocId) throw new PortError(`port ${port} (${label}) is already held by allocation ${holder.allocId} (${holder.label})`);
    if (!(await this.isFree(port))) throw new PortError(`port ${port} (${label}) is in use on the host by another process`);
  }

  private async nextFree(): Promise<number> {
    const size = this.range.max - this.range.min + 1;
    let inUse = 0;
    for (let tried = 0; tried < size; tried++) {
      const port = this.cursor;
      // Moving on (not restarting at min) lets a just-released port rest a while.
      this.cursor = port >= this.range.max ? this.range.min : port + 1;
      if (this.holders.has(port)) continue;
      if (await this.isFree(port)) return port;
      inUse += 1;
    }
    const held = size - inUse;
    throw new PortError(`no free port left in ${this.range.min}-${this.range.max} (${held} held by allocations, ${inUse} in use by other processes on the host)`);
  }
}
