// `GET /v1/events`: deployment progress as server-sent events, optionally for one
// job or one deployment. Each event is one JSON object per `data:` line.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { DeckhandEvent } from '../model/index.js';
import { deploymentView } from './views.js';
import type { ApiDeps } from './deps.js';

export interface StreamedEvent {
  type: DeckhandEvent['type'];
  jobId: string | null;
  message: string;
  time: number;
  deploymentId: string | null;
  deployment?: ReturnType<typeof deploymentView>;
  allocation?: { id: string; group: string; index: number; version: number; status: string; healthy: boolean | null; canary: boolean };
  version?: number;
}

/** A comment line now and then keeps proxies from closing an idle stream. */
const keepAliveMs = 15_000;

export function streamedEvent(event: DeckhandEvent, time: number): StreamedEvent {
  const base = { type: event.type, jobId: event.jobId, message: event.message, time };
  switch (event.type) {
    case 'deployment':
      return { ...base, deploymentId: event.deployment.id, deployment: deploymentView(event.deployment) };
    case 'allocation': {
      const a = event.allocation;
      return {
        ...base,
        deploymentId: a.deploymentId,
        allocation: { id: a.id, group: a.group, index: a.index, version: a.jobVersion, status: a.status, healthy: a.healthy, canary: a.canary },
      };
    }
    case 'version':
      return { ...base, deploymentId: null, version: event.version.version };
    default:
      return { ...base, deploymentId: null };
  }
}

export function registerEventRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: { job?: string; deployment?: string } }>('/v1/events', async (request, reply) => {
    const { job, deployment } = request.query;
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    // Tells the client it is subscribed: what it submits from now on will be seen.
    out.write(': subscribed\n\n');
    const off = deps.engine.onProgress((event) => {
      const streamed = streamedEvent(event, Date.now());
      if (job && streamed.jobId !== job) return;
      if (deployment && streamed.deploymentId !== deployment) return;
      out.write(`event: ${streamed.type}\ndata: ${JSON.stringify(streamed)}\n\n`);
    });
    const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();
    const close = () => {
      off();
      clearInterval(keepAlive);
    };
    request.raw.on('close', close);
    out.on('error', close);
    subscribers.add(out);
    out.on('close', () => subscribers.delete(out));
  });

  // Open streams never end by themselves: end them before the server closes, or closing waits forever.
  const subscribers = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const out of subscribers) out.end();
  });
}
