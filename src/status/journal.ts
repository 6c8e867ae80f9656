// The store's journal of each job: every event on the bus that concerns jobs,
// as `GET /v1/job/:id/events` and `deckhand` show them. Plans of pull requests
// concern no job and are not kept.
import type { DeckhandEvent } from '../model/index.js';
import type { Store } from '../store/index.js';

export function journal(store: Store, now: () => number = Date.now): (event: DeckhandEvent) => void {
  return (event) => {
    if (event.type === 'plan' || event.type === 'plan-started' || event.type === 'plan-failed') return;
    store.appendEvent({
      time: now(),
      jobId: event.jobId ?? '',
      deploymentId: event.type === 'deployment' ? event.deployment.id : event.type === 'allocation' ? event.allocation.deploymentId : event.type === 'submitted' ? event.deploymentId : null,
      type: event.type,
      message: event.message,
      details: details(event),
    });
  };
}

function details(event: DeckhandEvent): Record<string, unknown> | null {
  switch (event.type) {
    case 'drift':
      return { allocId: event.allocId };
    case 'render-error':
    case 'render-warning':
      return { commit: event.commit, file: event.file };
    case 'file-removed':
    case 'submit-refused':
    case 'submitted':
      return { commit: event.commit };
    default:
      return null;
  }
}
