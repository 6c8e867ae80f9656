// Open connections by backend: what GET /v1/table counts and what POST /v1/drain
// waits on. A connection counts from the moment its backend accepted it until
// both of its sockets have closed.

interface Counts {
  active: number;
  total: number;
}

export class Connections {
  /** By endpoint and backend: `${endpointKey}/${id}`. */
  private readonly byBackend = new Map<string, Counts>();
  /** By backend id, over every endpoint: an allocation with two ports drains both. */
  private readonly activeById = new Map<string, number>();
  private waiters = new Set<() => void>();

  /** Counts a connection to backend `id` of an endpoint; call the returned function once, when it has closed. */
  open(endpointKey: string, id: string): () => void {
    const key = `${endpointKey}/${id}`;
    const counts = this.byBackend.get(key) ?? { active: 0, total: 0 };
    counts.active += 1;
    counts.total += 1;
    this.byBackend.set(key, counts);
    this.activeById.set(id, (this.activeById.get(id) ?? 0) + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      counts.active -= 1;
      const left = (this.activeById.get(id) ?? 1) - 1;
      if (left > 0) this.activeById.set(id, left);
      else this.activeById.delete(id);
      for (const wake of [...this.waiters]) wake();
    };
  }

  counts(endpointKey: string, id: string): Counts {
    const counts = this.byBackend.get(`${endpointKey}/${id}`);
    return { active: counts?.active ?? 0, total: counts?.total ?? 0 };
  }

  active(id: string): number {
    return this.activeById.get(id) ?? 0;
  }

  /** Every backend id with open connections. */
  openIds(): string[] {
    return [...this.activeById.keys()];
  }

  /** Forgets the counts of backends no longer in the table once they have no open connection. */
  prune(keep: Set<string>): void {
    for (const [key, counts] of this.byBackend) if (counts.active === 0 && !keep.has(key)) this.byBackend.delete(key);
  }

  /** Resolves true once none of `ids` has an open connection, or false after `timeoutMs`. */
  waitIdle(ids: string[], timeoutMs: number): Promise<boolean> {
    const idle = () => ids.every((id) => this.active(id) === 0);
    if (idle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (drained: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(drained);
      };
      const check = () => {
        if (idle()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(check);
    });
  }
}
