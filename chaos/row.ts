// One row of the reliability report: a fault class, tried a number of times,
// each trial held or lost. A row never throws: what goes wrong in the harness
// itself is counted apart (a harness error is no verdict on deckhand), and a row
// that could not run says so rather than showing nothing lost.
import type { ChaosContext } from './context.js';

export interface RowResult {
  /** The fault class, as the table names it. */
  fault: string;
  tried: string;
  trials: number;
  held: number;
  lost: number;
  note: string;
  /** Every lost trial with its reason, and every harness error: the report's details. */
  details: string[];
}

export interface RowPlan {
  /** Trials that run whatever the budget says. */
  min: number;
  /** Trials at most; more than `min` only while one more fits before `until`. */
  max: number;
  /** The row's share of the budget ends here (ms since the epoch). */
  until: number;
  /** Long trials only where the budget allows them (a hung Git server held until the agent's own timeout). */
  quick: boolean;
}

/** deckhand did something it must not: thrown from deep inside a trial, it is counted as lost. */
export class Lost extends Error {}

/** What a trial found: held, or lost and why. */
export type Verdict = { held: true; note?: string } | { held: false; why: string };

export const held = (note?: string): Verdict => (note === undefined ? { held: true } : { held: true, note });
export const lost = (why: string): Verdict => ({ held: false, why });

/** The count of one row's trials. */
export class Tally {
  trials = 0;
  held = 0;
  lost = 0;
  readonly details: string[] = [];
  readonly notes: string[] = [];
  readonly harnessErrors: string[] = [];

  /** `log` hears each trial's verdict and time (CHAOS_VERBOSE=1). */
  constructor(private readonly log: (line: string) => void = () => undefined) {}

  /** Runs one trial: its verdict counts; a Lost thrown counts as lost; anything else thrown is a harness error. */
  async trial(what: string, run: () => Promise<Verdict>): Promise<Verdict | null> {
    this.trials += 1;
    const started = Date.now();
    const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
    try {
      const verdict = await run();
      this.count(what, verdict);
      this.log(`  ${what}: ${verdict.held ? 'held' : `LOST: ${verdict.why}`} (${seconds()} s)`);
      return verdict;
    } catch (error) {
      if (error instanceof Lost) {
        const verdict = lost(error.message);
        this.count(what, verdict);
        this.log(`  ${what}: LOST: ${error.message} (${seconds()} s)`);
        return verdict;
      }
      const message = `${what}: harness error: ${error instanceof Error ? error.message : String(error)}`;
      this.harnessErrors.push(message);
      this.details.push(message);
      this.log(`  ${message} (${seconds()} s)`);
      return null;
    }
  }

  /** A note for the table (said once). */
  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  private count(what: string, verdict: Verdict): void {
    if (verdict.held) {
      this.held += 1;
      if (verdict.note) this.note(verdict.note);
    } else {
      this.lost += 1;
      this.details.push(`${what}: ${verdict.why}`);
    }
  }
}

export interface ChaosRow {
  /** For `--only`: crash, data-dir, disk-full, git-outage, engine-restart, hostile, auth, secrets. */
  id: string;
  fault: string;
  tried: string;
  /** Trials with `--quick` and without; `more`: trials go on while the row's share of the budget lasts (the crash row). */
  trials: { quick: number; full: number; more?: boolean };
  /** Rough seconds a trial takes on a quiet machine, to share the budget out. */
  secondsPerTrial: number;
  run(ctx: ChaosContext, tally: Tally, plan: RowPlan): Promise<void>;
}

/** Runs a row to its result; never throws, and gives up on a row that outlives `hardLimitMs`. */
export async function runRow(row: ChaosRow, ctx: ChaosContext, plan: RowPlan, hardLimitMs: number): Promise<RowResult> {
  const tally = new Tally(process.env.CHAOS_VERBOSE ? ctx.log : undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), hardLimitMs)));
  let outcome: 'done' | 'timeout' | { error: unknown };
  try {
    outcome = await Promise.race([row.run(ctx, tally, plan).then(() => 'done' as const), timedOut]);
  } catch (error) {
    outcome = { error };
  } finally {
    clearTimeout(timer);
  }
  if (outcome === 'timeout') {
    tally.harnessErrors.push(`stopped after ${Math.round(hardLimitMs / 1000)} s, its time limit; the trial under way is not counted`);
    tally.details.push(`the row was stopped at its time limit (${Math.round(hardLimitMs / 1000)} s)`);
    // The trial cut short was counted as started: it has no verdict.
  } else if (typeof outcome === 'object') {
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    tally.harnessErrors.push(`harness error: ${message}`);
    tally.details.push(`harness error outside a trial: ${message}`);
  }
  return resultOf(row, tally);
}

export function resultOf(row: Pick<ChaosRow, 'fault' | 'tried'>, tally: Tally): RowResult {
  const notes = [...tally.notes];
  const unjudged = tally.trials - tally.held - tally.lost;
  if (tally.trials === 0) notes.unshift('NOT RUN');
  if (unjudged > 0) notes.unshift(`${unjudged} trial${unjudged === 1 ? '' : 's'} without a verdict (harness error or time limit, see details)`);
  else if (tally.harnessErrors.length > 0) notes.unshift('harness error, see details');
  return { fault: row.fault, tried: row.tried, trials: tally.trials, held: tally.held, lost: tally.lost, note: notes.join('; '), details: tally.details };
}

/** A row that could not run at all (no budget left, or an earlier failure stopped the run). */
export function notRun(row: Pick<ChaosRow, 'fault' | 'tried'>, why: string): RowResult {
  return { fault: row.fault, tried: row.tried, trials: 0, held: 0, lost: 0, note: `NOT RUN: ${why}`, details: [] };
}

/** True while another trial may start: up to `min` always, then up to `max` while one more fits before `until`. */
export function anotherTrial(tally: Tally, plan: RowPlan, secondsPerTrial: number, now = Date.now()): boolean {
  if (tally.trials < plan.min) return true;
  return tally.trials < plan.max && now + secondsPerTrial * 1000 < plan.until;
}
