// Where a rolling update's time goes, from the engine's container events: for each
// batch, the wait for the old containers to stop (stop-first), placing and starting
// the new ones, their first passing health probe, and the health window before the
// rollout moves on; then the tail until the rollout says it is done. The phases add
// up to the measured total: each batch begins when the one before was counted healthy.
import type { RecordedEvent } from './docker-events.js';

export interface ContainerTimes {
  id: string;
  image: string;
  labels: Record<string, string>;
  created: number | null;
  started: number | null;
  healthy: number | null;
  killed: number | null;
  died: number | null;
  /** The engine removed it (after its network was torn down). */
  destroyed: number | null;
}

export function containerTimes(events: RecordedEvent[]): ContainerTimes[] {
  const byId = new Map<string, ContainerTimes>();
  for (const event of events) {
    if (event.type !== 'container' || !event.id) continue;
    let times = byId.get(event.id);
    if (!times) {
      times = { id: event.id, image: event.attributes.image ?? '', labels: event.attributes, created: null, started: null, healthy: null, killed: null, died: null, destroyed: null };
      byId.set(event.id, times);
    }
    const first = (key: 'created' | 'started' | 'healthy' | 'killed' | 'died' | 'destroyed') => {
      times[key] ??= event.timeMs;
    };
    if (event.action === 'create') first('created');
    else if (event.action === 'start') first('started');
    else if (event.action === 'health_status: healthy') first('healthy');
    else if (event.action === 'kill') first('killed');
    else if (event.action === 'die') first('died');
    else if (event.action === 'destroy') first('destroyed');
  }
  return [...byId.values()];
}

export interface BatchPhases {
  /** From the batch's beginning until the old containers it replaces have exited (stop-first; 0 for start-first). */
  stopMs: number;
  /** Until the new containers have started (create and start, and whatever the orchestrator does before). */
  startMs: number;
  /**
   * Stop-first, parts of startMs: the old containers' exit → their removal (the
   * engine's network teardown and remove), then → the new ones created (the
   * orchestrator's own time); the rest of startMs is create → start. 0 for start-first.
   */
  removeMs: number;
  placeMs: number;
  /** Started → the container's HEALTHCHECK reports healthy. */
  probeMs: number;
  /** Healthy → the rollout counts them healthy and moves on (deckhand: min_healthy_time; Swarm: nothing). */
  windowMs: number;
}

export interface Timeline {
  batches: BatchPhases[];
  /** The last batch counted healthy → the rollout reports success (Swarm: its monitor period). */
  tailMs: number;
  totalMs: number;
  /** Per new container: create → start event. */
  containerStartMs: number[];
  /** Per new container: start → healthy. */
  firstProbeMs: number[];
  /** Per old container: kill (SIGTERM) → die. */
  stopMs: number[];
}

export interface TimelineInput {
  containers: ContainerTimes[];
  newImage: string;
  oldImage: string;
  parallel: number;
  order: 'stop-first' | 'start-first';
  /** Wall-clock milliseconds: when the update was asked for, and when its end was seen. */
  beginMs: number;
  endMs: number;
  /** When the rollout counted a new container healthy. */
  readyAt: (container: ContainerTimes) => number | null;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const latest = (values: Array<number | null>) => Math.max(...values.map((v) => v ?? -Infinity));

export function timeline(input: TimelineInput): Timeline {
  const fresh = input.containers.filter((c) => c.image === input.newImage && c.started !== null && c.healthy !== null).sort((a, b) => a.started! - b.started!);
  const old = input.containers.filter((c) => c.image === input.oldImage && c.died !== null).sort((a, b) => a.died! - b.died!);
  const oldBatches = chunks(old, input.parallel);
  const batches: BatchPhases[] = [];
  let begin = input.beginMs;
  chunks(fresh, input.parallel).forEach((batch, i) => {
    const started = latest(batch.map((c) => c.started));
    const healthy = latest(batch.map((c) => c.healthy));
    const ready = Math.max(healthy, latest(batch.map(input.readyAt)));
    const stopFirst = input.order === 'stop-first' && oldBatches[i] !== undefined;
    const stopped = stopFirst ? Math.min(started, latest(oldBatches[i]!.map((c) => c.died))) : begin;
    const startMs = started - Math.max(begin, stopped);
    // Each part within what is left of the start phase (the engine's clock is read per event).
    const removed = stopFirst ? Math.min(started, Math.max(stopped, latest(oldBatches[i]!.map((c) => c.destroyed ?? c.died)))) : stopped;
    const created = stopFirst ? Math.min(started, Math.max(removed, latest(batch.map((c) => c.created)))) : removed;
    batches.push({ stopMs: Math.max(0, stopped - begin), startMs, removeMs: stopFirst ? Math.max(0, removed - Math.max(begin, stopped)) : 0, placeMs: created - removed, probeMs: healthy - started, windowMs: ready - healthy });
    begin = ready;
  });
  return {
    batches,
    tailMs: input.endMs - begin,
    totalMs: input.endMs - input.beginMs,
    containerStartMs: fresh.filter((c) => c.created !== null).map((c) => c.started! - c.created!),
    firstProbeMs: fresh.map((c) => c.healthy! - c.started!),
    stopMs: old.filter((c) => c.killed !== null).map((c) => c.died! - c.killed!),
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Per batch, each phase's mean over the batches of one update. */
export function meanBatch(t: Timeline): BatchPhases {
  const n = Math.max(1, t.batches.length);
  const sum = (key: keyof BatchPhases) => t.batches.reduce((total, b) => total + b[key], 0) / n;
  return { stopMs: sum('stopMs'), startMs: sum('startMs'), removeMs: sum('removeMs'), placeMs: sum('placeMs'), probeMs: sum('probeMs'), windowMs: sum('windowMs') };
}
