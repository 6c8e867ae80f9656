// What a runtime other than the local Docker engine cannot run (`deckhand agent
// --runtime swarm`): render asks it of every job, so a setting the runtime cannot
// honour is refused at its file and line before anything runs, never dropped.
import type { Job } from './job.js';

/** One setting the runtime cannot carry: its path in the Job (`groups.0.tasks.1.mounts`) and why. */
export interface RuntimeRefusal {
  path: string;
  message: string;
}

export interface RuntimeSupport {
  /** How the runtime is named in messages: `--runtime swarm`. */
  name: string;
  refusals(job: Job): RuntimeRefusal[];
}
