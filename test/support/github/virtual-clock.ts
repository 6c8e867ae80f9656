// A clock for the reporter's waits (retry backoff, progress pacing) on which time
// jumps straight to the next timer instead of passing: a wait of five minutes
// takes no real time, and the delays asked for are kept for assertions. Timers fire
// one per turn of the event loop, earliest first, so I/O in between still happens.
import type { Clock } from '../../../src/status/forges/github/clock.js';

interface Timer {
  dueAt: number;
  order: number;
  callback: () => void;
}

export class VirtualClock implements Clock {
  /** Every delay asked for, in order. */
  readonly delaysAsked: number[] = [];
  /** Where virtual time begins. */
  readonly start = Date.UTC(2024, 0, 1);
  private current = this.start;
  private timers: Timer[] = [];
  private created = 0;
  private turnScheduled = false;

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): () => void {
    const timer: Timer = { dueAt: this.current + delayMs, order: this.created++, callback };
    this.timers.push(timer);
    this.delaysAsked.push(delayMs);
    this.scheduleTurn();
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      const next = this.timers.reduce<Timer | null>((soonest, t) => (!soonest || t.dueAt < soonest.dueAt || (t.dueAt === soonest.dueAt && t.order < soonest.order) ? t : soonest), null);
      if (!next) return;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.dueAt);
      next.callback();
      if (this.timers.length > 0) this.scheduleTurn();
    });
  }
}
