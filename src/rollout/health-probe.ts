// What the runtime's view of an allocation means for its health, per health_check
// mode. Pure: the watcher turns observations into the Probe reconcile() reads.
import type { HealthCheckMode } from '../model/index.js';
import type { AllocationObservation, CheckStatus } from '../runtime/index.js';
import type { Probe } from './reconcile-types.js';

export interface ProbeResult {
  probe: Probe;
  /** Why it is not ready or failed. */
  reason: string | null;
  /** Every task's container runs (whatever its checks say). */
  tasksRunning: boolean;
  /**
   * When it turned ready, as the runtime dates it: the latest of its tasks' starts (or,
   * with checks, their HEALTHCHECKs turning healthy) and its checks coming to pass.
   * Null when it is not ready, or a time is unknown.
   */
  readyAt: number | null;
}

/**
 * `tasks`: the task names the group has. A task that exited or keeps restarting
 * has failed; a container HEALTHCHECK that reports unhealthy has failed (Swarm
 * replaces such a task); failing http/tcp checks only keep it from being ready,
 * until its healthy deadline.
 */
export function probeAllocation(observation: AllocationObservation | undefined, checks: CheckStatus | undefined, mode: HealthCheckMode, tasks: string[]): ProbeResult {
  const tasksRunning = observation !== undefined && tasks.every((name) => observation.tasks.find((t) => t.task === name)?.state === 'running');
  const result = probeTasks(observation, checks, mode, tasks);
  return { ...result, tasksRunning, readyAt: result.probe === 'ready' && observation ? readyAt(observation, checks, mode, tasks) : null };
}

function readyAt(observation: AllocationObservation, checks: CheckStatus | undefined, mode: HealthCheckMode, tasks: string[]): number | null {
  const times = tasks.map((name) => {
    const task = observation.tasks.find((t) => t.task === name);
    return mode === 'checks' && task?.health === 'healthy' ? task.healthySince : (task?.startedAt ?? null);
  });
  if (mode === 'checks' && checks?.readySince !== undefined && checks.readySince !== null) times.push(checks.readySince);
  return times.some((t) => t === null) ? null : Math.max(...(times as number[]), 0);
}

function probeTasks(observation: AllocationObservation | undefined, checks: CheckStatus | undefined, mode: HealthCheckMode, tasks: string[]): Pick<ProbeResult, 'probe' | 'reason'> {
  if (!observation) return { probe: 'failed', reason: 'its containers are gone' };
  for (const name of tasks) {
    const task = observation.tasks.find((t) => t.task === name);
    if (!task || task.state === 'missing') return { probe: 'failed', reason: `task "${name}" has no container` };
    if (task.state === 'exited') return { probe: 'failed', reason: `task "${name}" exited${task.exitCode === null ? '' : ` with code ${task.exitCode}`}` };
    if (task.state === 'restarting' || task.restartCount > 0) return { probe: 'failed', reason: `task "${name}" restarted` };
    if (task.state !== 'running') return { probe: 'not-ready', reason: `task "${name}" is ${task.state}` };
    if (mode === 'checks' && task.health === 'unhealthy') return { probe: 'failed', reason: `task "${name}" is unhealthy (its HEALTHCHECK fails)` };
    if (mode === 'checks' && task.health === 'starting') return { probe: 'not-ready', reason: `task "${name}" HEALTHCHECK is starting` };
  }
  if (mode === 'manual') return { probe: 'not-ready', reason: 'health is set by hand (health_check = "manual")' };
  if (mode === 'checks' && checks && !checks.ready) return { probe: 'not-ready', reason: checks.lastError ?? 'its checks do not pass yet' };
  return { probe: 'ready', reason: null };
}
