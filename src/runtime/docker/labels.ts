// The labels every deckhand container carries: the engine is the truth of what
// runs, and after a restart deckhand rebuilds allocations from these alone.
import { longRunningTasks } from '../../model/index.js';
import type { PlacementRequest } from '../driver.js';

/** Every label deckhand writes starts with this; labels of the agent's own (`--labels`) must not. */
export const reservedLabelPrefix = 'deckhand.';

export const label = {
  job: 'deckhand.job',
  group: 'deckhand.group',
  task: 'deckhand.task',
  alloc: 'deckhand.alloc',
  index: 'deckhand.index',
  version: 'deckhand.version',
  specHash: 'deckhand.spec-hash',
  deployment: 'deckhand.deployment',
  /** JSON: port label → host port. */
  ports: 'deckhand.ports',
  /** JSON: every long-running task name of the group, so a container that vanished shows as missing. */
  tasks: 'deckhand.tasks',
  /** On the container of a task that runs once (a prestart or poststart task, not a sidecar): its end is no failure. */
  runsOnce: 'deckhand.runs-once',
  /** JSON: the whole job of this version, so an agent that lost its data directory rebuilds it from what runs. */
  spec: 'deckhand.job-spec',
  /** JSON: the `--labels` of the agent that placed it: only an agent with the same ones adopts it. */
  scope: 'deckhand.scope',
} as const;

/** An agent's scope as its containers carry it: its extra labels, sorted, as JSON (`{}` for none). */
export function scopeOf(extra: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(extra).sort(([a], [b]) => a.localeCompare(b))));
}

export function containerLabels(request: PlacementRequest, task: string, ports: Record<string, number>, extra: Record<string, string>): Record<string, string> {
  return {
    ...extra,
    [label.job]: request.jobId,
    [label.group]: request.group.name,
    [label.task]: task,
    [label.alloc]: request.allocId,
    [label.index]: String(request.index),
    [label.version]: String(request.jobVersion),
    [label.specHash]: request.specHash,
    [label.deployment]: request.deploymentId ?? '',
    [label.ports]: JSON.stringify(ports),
    [label.tasks]: JSON.stringify(longRunningTasks(request.group).map((t) => t.name)),
    ...(request.job ? { [label.spec]: JSON.stringify(request.job) } : {}),
    [label.scope]: scopeOf(extra),
  };
}

/** Docker's label filter: deckhand's containers, and only those carrying the driver's extra labels. */
export function labelFilter(extra: Record<string, string>, more: Record<string, string> = {}): string[] {
  return [label.job, ...Object.entries({ ...extra, ...more }).map(([key, value]) => `${key}=${value}`)];
}

function parseJson<T>(text: string | undefined, valid: (value: unknown) => value is T, fallback: T): T {
  if (!text) return fallback;
  try {
    const value: unknown = JSON.parse(text);
    return valid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

const isPortMap = (value: unknown): value is Record<string, number> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((port) => Number.isInteger(port));
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

export const parsePorts = (text: string | undefined): Record<string, number> => parseJson(text, isPortMap, {});
export const parseTasks = (text: string | undefined): string[] => parseJson(text, isStringList, []);

export function parseInteger(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && text !== '' && Number.isInteger(value) ? value : fallback;
}
