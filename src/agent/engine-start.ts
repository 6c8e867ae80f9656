// Starting the engine when the Docker engine may not answer yet (the agent came up
// before dockerd, or dockerd restarts): retry with capped backoff, and never
// remove anything because of it.
import { setTimeout as wait } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { RolloutEngine } from '../rollout/index.js';

const firstRetryMs = 500;
const maxRetryMs = 30_000;

/** Resolves once the engine started, or when `signal` aborts (the agent is closing). */
export async function startEngineWithRetry(engine: RolloutEngine, logger: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 0, delay = firstRetryMs; !signal.aborted; attempt++, delay = Math.min(delay * 2, maxRetryMs)) {
    try {
      await engine.start();
      if (attempt > 0) logger.info('the Docker engine answers; resuming');
      return;
    } catch (error) {
      logger.warn({ err: error }, `the Docker engine does not answer (${(error as Error).message}); nothing is changed; retrying in ${delay / 1000}s`);
      await wait(delay, undefined, { signal }).catch(() => undefined);
    }
  }
}
