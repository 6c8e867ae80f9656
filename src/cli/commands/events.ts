// `deckhand events [--job JOB] [-o json]`: the agent's event stream, one line per
// event, until Ctrl-C (exit 0). When the agent goes away (a restart, an upgrade)
// it says so on stderr and connects again, waiting longer each time.
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamedEvent } from '../../api/index.js';
import { AgentClient, agentExit } from '../client.js';
import { eventLine } from '../format/deployment.js';
import type { CliIO } from '../io.js';
import { CliExit, stopSignal } from '../io.js';

export interface EventsFlags {
  output: string;
  job?: string;
}

/** Waits between attempts to reach an agent that went away: 1s, 2s, 4s ... up to 30s. */
const firstRetryMs = 1_000;
const maxRetryMs = 30_000;

export async function eventsCommand(flags: EventsFlags, io: CliIO): Promise<number> {
  const client = new AgentClient(io);
  const stop = stopSignal(io);
  const query: Record<string, string> = flags.job ? { job: flags.job } : {};
  const print = (event: StreamedEvent) => io.stdout(flags.output === 'json' ? `${JSON.stringify(event)}\n` : eventLine(event));
  let retryMs = firstRetryMs;
  let connectedBefore = false;
  while (!stop.aborted) {
    let why: string;
    try {
      const stream = await client.events(query, print, stop);
      // On stderr, so the events alone are on stdout (-o json stays JSON lines).
      io.stderr(connectedBefore ? "==> Connected to the agent's event stream again (events while it was away are not shown)\n" : `==> Following the agent's events${flags.job ? ` of job "${flags.job}"` : ''} (Ctrl-C ends)\n`);
      connectedBefore = true;
      retryMs = firstRetryMs;
      await stream.ended;
      why = 'the agent closed it';
    } catch (error) {
      if (stop.aborted) break;
      // The first connection fails as any command does: a wrong address or token is no reason to wait.
      if (!connectedBefore) return agentExit(error, 'reading events');
      why = reason(error);
    }
    if (stop.aborted) break;
    io.stderr(`==> The agent's event stream ended (${why}); connecting again in ${retryMs / 1000}s\n`);
    await sleep(retryMs, undefined, { signal: stop }).catch(() => undefined);
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  }
  return 0;
}

function reason(error: unknown): string {
  if (error instanceof CliExit) return error.message.replace(/^Error: /, '').replace(/\. Start one.*$/, '');
  return error instanceof Error ? error.message : String(error);
}
