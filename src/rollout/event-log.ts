// Where the rollout's progress goes: the job's recorded events in the store, then
// every listener (the CLI's follow, the event stream, logs, metrics, reporters).
import type { Store } from '../store/store.js';
import type { ProgressEvent, ProgressListener } from './events.js';

export class EventLog {
  private readonly listeners = new Set<ProgressListener>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  onProgress(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ProgressEvent): void {
    this.store.appendEvent({
      time: this.now(),
      jobId: event.jobId ?? '',
      deploymentId: event.type === 'deployment' ? event.deployment.id : event.type === 'allocation' ? event.allocation.deploymentId : null,
      type: event.type,
      message: event.message,
      details: event.type === 'drift' ? { allocId: event.allocId } : null,
    });
    for (const listener of this.listeners) listener(event);
  }
}
