// Compose's depends_on in a deployment: a group places its new allocations only
// once each group it depends on is started (every allocation of its current
// version runs) or healthy (every one is healthy), as `docker compose up` starts
// a stack in order. A rolling update of a dependency never restarts its dependants.
import type { Job } from '../model/index.js';
import type { AllocationView } from './reconcile-types.js';

/** Group name → what it still waits for (`group "db" to be healthy`); groups that may go on are absent. */
export function unmetDependencies(job: Job, allocations: AllocationView[], groupHashes: Record<string, string>): Map<string, string> {
  const unmet = new Map<string, string>();
  for (const group of job.groups) {
    for (const [name, condition] of Object.entries(group.dependsOn ?? {})) {
      const dependency = job.groups.find((g) => g.name === name);
      // Validation refuses a dependency on a group that is not there; nothing to wait for.
      if (!dependency) continue;
      const current = allocations.filter((a) => a.group === name && a.specHash === groupHashes[name]);
      const met = condition === 'started' ? current.filter((a) => a.status === 'running' && a.tasksRunning) : current.filter((a) => a.healthy === true);
      if (met.length < dependency.count) {
        unmet.set(group.name, `group "${name}" to be ${condition}`);
        break;
      }
    }
  }
  return unmet;
}
