// A clock the test moves by hand: timers fire in order when time is advanced.
import type { TimerHandle, Timers } from '../../src/sync/timers.js';

interface Scheduled {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeTimers implements Timers {
  private time = 0;
  private nextId = 1;
  private scheduled: Scheduled[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const entry = { id: this.nextId++, at: this.time + ms, callback };
    this.scheduled.push(entry);
    return entry.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.scheduled = this.scheduled.filter((entry) => entry.id !== handle);
  }

  /** Delays of the timers now waiting, from now, soonest first. */
  get waiting(): number[] {
    return this.scheduled.map((entry) => entry.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward, firing every timer that falls due, in order (also ones set while advancing). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.scheduled.filter((entry) => entry.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.scheduled = this.scheduled.filter((entry) => entry !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }
}
