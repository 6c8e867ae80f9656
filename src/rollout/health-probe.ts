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
}

/**
 * `tasks`: the task names the group has. A task that exited or keeps restarting
 * has failed; a container HEALTHCHECK that reports unhealthy has failed (Swarm
 * replaces such a task); failing http/tcp checks only keep it from being ready,
 * until its healthy deadline.
 */
export function probeAllocation(observation: AllocationObservation | undefined, checks: CheckStatus | undefined, mode: HealthCheckMode, tasks: string[]): ProbeResult {
  const tasksRunning = observation !== undefined && tasks.every((name) => observation.tasks.find((t) => t.task === name)?.state === 'running');
  return { ...probeTasks(observation, checks, mode, tasks), tasksRunning };
}

function probeTasks(observation: AllocationObservation | undefined, checks: CheckStatus | undefined, mode: HealthCheckMode, tasks: string[]): Omit<ProbeResult, 'tasksRunning'> {
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
