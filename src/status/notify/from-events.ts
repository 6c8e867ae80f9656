// Which events on the bus become notifications, and what each says. One bus
// event gives at most one notification; repeats (a deployment published twice in
// the same final state, a render error published once per job of the file) give
// one, and so does the same thing said again within a few minutes. Pure but for
// the memory of what was said: time and ids come in as values.
import type { DeckhandEvent, Deployment, JobVersion } from '../../model/index.js';
import type { Notification, NotificationEvent } from './notification.js';
import { notificationSchemaVersion } from './notification.js';

export interface NotificationContext {
  /** A job's version as recorded, for the commit it came from; null when unknown. */
  versionOf(jobId: string, version: number): JobVersion | null;
  now(): number;
  newId(): string;
  agentUrl: string | null;
}

/**
 * The same thing said again within this time is dropped (as Flux's alerts
 * drop identical events): a crash-looping allocation healed over and over, the
 * same event published for several jobs. After it, it is news again.
 */
export const repeatWindowMs = 5 * 60_000;

export class NotificationMaker {
  /** What was said, by key, and when. */
  private readonly said = new Map<string, number>();

  constructor(private readonly context: NotificationContext) {}

  /** The notification an event gives, or null when it gives none. */
  from(event: DeckhandEvent): Notification | null {
    const made = this.describe(event);
    if (!made) return null;
    const { now, newId, agentUrl } = this.context;
    this.forgetOld(now());
    if (this.said.has(made.key)) return null;
    this.said.set(made.key, now());
    return {
      schemaVersion: notificationSchemaVersion,
      id: newId(),
      time: new Date(now()).toISOString(),
      job: null,
      jobVersion: null,
      deployment: null,
      commit: null,
      file: null,
      agentUrl,
      ...made.fields,
    };
  }

  /** Keys are kept in the order they were said: the oldest come first. */
  private forgetOld(at: number): void {
    for (const [key, saidAt] of this.said) {
      if (at - saidAt < repeatWindowMs) return;
      this.said.delete(key);
    }
  }

  private describe(event: DeckhandEvent): { key: string; fields: Partial<Notification> & Pick<Notification, 'event' | 'message'> } | null {
    switch (event.type) {
      case 'deployment':
        return this.deployment(event.deployment);
      case 'version': {
        const { version } = event;
        if (version.source.kind !== 'auto-revert') return null;
        const back = version.source.revertOf === null ? '' : ` to version ${version.source.revertOf}`;
        return {
          key: `rolled-back ${version.jobId} ${version.version}`,
          fields: {
            event: 'deployment-rolled-back',
            job: version.jobId,
            jobVersion: version.version,
            commit: version.source.commit,
            file: version.source.file,
            message: `job "${version.jobId}" was rolled back${back} after a failed deployment (auto-revert); version ${version.version} repeats its spec`,
          },
        };
      }
      case 'render-error':
        return {
          key: `render ${event.commit} ${event.file}`,
          fields: { event: 'render-error', job: event.jobId, commit: event.commit, file: event.file, message: event.message },
        };
      case 'drift':
        // Per job: a crash loop replaces a new allocation each time, and would say so each time.
        return { key: `drift ${event.jobId}`, fields: { event: 'drift-healed', job: event.jobId, message: `job "${event.jobId}": ${event.message}` } };
      case 'sync-error':
        // Published once for the repository and once per job it holds: one notification.
        if (event.jobId !== null) return null;
        return { key: `sync ${event.message}`, fields: { event: 'sync-failing', message: event.message } };
      default:
        return null;
    }
  }

  private deployment(deployment: Deployment) {
    const event: NotificationEvent | null = deployment.status === 'successful' ? 'deployment-succeeded' : deployment.status === 'failed' ? 'deployment-failed' : null;
    if (!event) return null;
    const version = this.context.versionOf(deployment.jobId, deployment.jobVersion);
    const commit = version?.source.commit ?? null;
    const from = commit ? ` (commit ${commit.slice(0, 7)})` : '';
    const outcome = event === 'deployment-succeeded' ? 'succeeded' : 'failed';
    return {
      key: `deployment ${deployment.id} ${deployment.status}`,
      fields: {
        event,
        job: deployment.jobId,
        jobVersion: deployment.jobVersion,
        deployment: { id: deployment.id, status: deployment.status, description: deployment.description },
        commit,
        file: version?.source.file ?? null,
        message: `job "${deployment.jobId}" version ${deployment.jobVersion}${from}: deployment ${outcome}: ${deployment.description}`,
      },
    };
  }
}
