// Which backend a new connection tries first, and which next when connecting
// fails. Least connections, ties broken round-robin: with short requests every
// backend sits at 0 or 1 and it is plain round-robin; with long keep-alive
// connections a backend that has just joined (a rolling update's new
// allocation) gets the new connections until it carries its share, where
// round-robin would leave it under-loaded for as long as the old connections live.
// A backend whose connect failed sits out `downMs` (passive health), but it is
// still tried last rather than leaving a connection with nowhere to go.
import type { EdgeBackend } from './types.js';

export interface BalancerOptions {
  downMs: number;
  now?: () => number;
}

export class Balancer {
  private backends: EdgeBackend[] = [];
  private cursor = 0;
  private readonly downUntil = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly options: BalancerOptions,
    private readonly activeOf: (id: string) => number,
  ) {
    this.now = options.now ?? Date.now;
  }

  setBackends(backends: EdgeBackend[]): void {
    this.backends = backends;
    const ids = new Set(backends.map((b) => b.id));
    for (const id of this.downUntil.keys()) if (!ids.has(id)) this.downUntil.delete(id);
  }

  get size(): number {
    return this.backends.length;
  }

  /** Every backend, in the order a new connection tries them. */
  attempts(): EdgeBackend[] {
    const count = this.backends.length;
    if (count === 0) return [];
    const start = this.cursor++ % count;
    if (this.cursor >= count) this.cursor = 0;
    const rotated = [...this.backends.slice(start), ...this.backends.slice(0, start)];
    const now = this.now();
    const up: EdgeBackend[] = [];
    const down: EdgeBackend[] = [];
    for (const backend of rotated) ((this.downUntil.get(backend.id) ?? 0) > now ? down : up).push(backend);
    // Array.prototype.sort is stable: equal counts keep the round-robin order.
    const fewest = (a: EdgeBackend, b: EdgeBackend) => this.activeOf(a.id) - this.activeOf(b.id);
    return [...up.sort(fewest), ...down.sort((a, b) => (this.downUntil.get(a.id) ?? 0) - (this.downUntil.get(b.id) ?? 0))];
  }

  failed(id: string): void {
    this.downUntil.set(id, this.now() + this.options.downMs);
  }

  succeeded(id: string): void {
    this.downUntil.delete(id);
  }
}
