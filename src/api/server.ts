// The agent's HTTP API (docs/spec.md), on fastify: request bodies are checked by JSON
// schemas before a handler runs, errors become one JSON shape, and the event
// stream takes over its socket. fastify rather than node:http because routing,
// body limits, schema validation and graceful close would otherwise be ours to write.
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CheckIndexError, RolloutError } from '../rollout/index.js';
import type { RolloutEngine } from '../rollout/index.js';
import { presentedToken, tokenMatches } from './auth.js';
import { ApiError, errorBody } from './errors.js';
import { registerEventRoutes } from './event-routes.js';
import { bundleLimits, exceedsJsonMembers, maxJsonMembers } from './job-bundle.js';
import { registerJobRoutes } from './job-routes.js';
import type { ApiDeps } from './deps.js';
import { unknownKeyHint } from '../render/index.js';

export type { ApiDeps, WebhookHandler } from './deps.js';

/** Job files are at most 1 MiB each; a bundle holds one with its few companions. */
const bodyLimitBytes = 8 * 1024 * 1024;
/**
 * Open without a token: a liveness probe says nothing, a webhook proves itself by its
 * signature, and the dashboard (src/ui) checks its own login cookie and form tokens.
 */
const open = (url: string) => url === '/v1/agent/health' || url.startsWith('/v1/webhooks/') || url === '/ui' || url.startsWith('/ui/');

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    bodyLimit: bodyLimitBytes,
    // Requests are not logged one by one: progress events say what happened.
    logController: new LogController({ disableRequestLogging: true }),
    // A field the API does not know is an error, never dropped: `checkindex` for `checkIndex` must not pass as no check at all.
    ajv: { customOptions: { removeAdditional: false, verbose: true } },
  });

  app.addHook('onRequest', async (request, reply) => {
    // Reads too: job versions hold environments, and status tells an attacker what runs where.
    if (!deps.apiToken || open(request.url.split('?')[0]!)) return;
    const presented = presentedToken(request);
    if (presented === null) return reply.code(401).send(errorBody('unauthorized', 'this agent needs an API token: send Authorization: Bearer <token> (DECKHAND_TOKEN)'));
    if (!tokenMatches(presented, deps.apiToken)) return reply.code(403).send(errorBody('forbidden', 'the API token is not valid'));
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = errorAnswer(error);
    if (answer.status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    if (answer.status >= 500) deps.metrics.countError('api');
    return reply.code(answer.status).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('not-found', `no such endpoint: ${request.method} ${request.url.split('?')[0]}`)));

  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    // Parsing a body of many tiny members costs ten times its size: refuse it unparsed.
    if (exceedsJsonMembers(body as Buffer)) {
      return done(new ApiError(413, 'body-too-many-members', `the request body holds more than ${maxJsonMembers} JSON members; a job bundle holds at most ${bundleLimits.maxFiles} files and ${bundleLimits.maxValues} values`), undefined);
    }
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch (error) {
      done(new ApiError(400, 'malformed-json', `the request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });

  // 503 while rollouts cannot go on: the store cannot be written, or the Docker engine does not answer.
  app.get('/v1/agent/health', async (_request, reply) => {
    const problems = agentProblems(deps.engine);
    return reply.code(problems.length ? 503 : 200).send({ ok: problems.length === 0, problems });
  });
  app.get('/metrics', async (_request, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.text()));
  registerJobRoutes(app, deps);
  registerEventRoutes(app, deps);
  // Newest pull request first; empty when the agent plans none (no forge configured).
  app.get('/v1/pull-requests', async () => deps.pullRequests?.plans() ?? []);
  if (deps.gitops) {
    const gitops = deps.gitops;
    app.get('/v1/sync', async () => gitops.syncState);
    app.post('/v1/sync', async (_request, reply) => {
      gitops.trigger('manual', true);
      return reply.code(202).send({ ok: true, queued: 'sync' });
    });
  }
  const webhooks = deps.webhooks ?? {};
  if (Object.keys(webhooks).length > 0) {
    // The signature is computed over the raw bytes, whatever the content type the forge was set to
    // (JSON or a form): in its own scope, every body stays bytes and the forge decides.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      for (const [forge, handler] of Object.entries(webhooks)) {
        scope.post(`/v1/webhooks/${forge}`, async (request, reply) => {
          const answer = handler({ headers: request.headers, rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0) });
          return reply.code(answer.status).send(answer.body);
        });
      }
    });
  }
  return app;
}

interface ValidationProblem {
  keyword: string;
  instancePath: string;
  params: { additionalProperty?: string };
  parentSchema?: { properties?: Record<string, unknown> };
}

/** Fastify's words, but an unknown field is named, with the field it most likely meant. */
function validationMessage(error: { message?: string; validation?: unknown; validationContext?: string }): string {
  const problems = (error.validation as ValidationProblem[] | undefined) ?? [];
  const unknown = problems.find((p) => p.keyword === 'additionalProperties' && p.params.additionalProperty);
  if (!unknown) return error.message ?? 'invalid request';
  const field = unknown.params.additionalProperty!;
  const where = `${error.validationContext ?? 'body'}${unknown.instancePath.replace(/\//g, '.')}`;
  const hint = unknownKeyHint(field, Object.keys(unknown.parentSchema?.properties ?? {}));
  return `${where}: unknown field "${field}"${hint ? ` (${hint})` : ''}`;
}

function agentProblems(engine: RolloutEngine): string[] {
  const problems: string[] = [];
  const storage = engine.storageProblem;
  if (storage) problems.push(`${storage.message} (since ${new Date(storage.since).toISOString()}); rollouts wait until a write succeeds`);
  const runtime = engine.runtimeProblem;
  if (runtime) problems.push(`${runtime}; nothing is changed until it answers`);
  return problems;
}

function errorAnswer(error: unknown): { status: number; body: unknown } {
  if (error instanceof ApiError) return { status: error.status, body: errorBody(error.code, error.message, error.details) };
  // The rollout's refusals by kind: HTTP is this layer's business.
  if (error instanceof RolloutError) return { status: error.kind === 'not-found' ? 404 : 409, body: errorBody(error.kind, error.message) };
  if (error instanceof CheckIndexError) return { status: 409, body: errorBody('check-index', error.message, { expected: error.expected, actual: error.actual }) };
  const fastifyError = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: errorBody('body-too-large', `the request body is over ${bodyLimitBytes / 1024 / 1024} MiB; a job bundle holds one job file (at most 1 MiB) and the few files its rendering reads`) };
  }
  if (fastifyError.validation) return { status: 400, body: errorBody('invalid-request', validationMessage(fastifyError)) };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, body: errorBody(fastifyError.code?.toLowerCase() ?? 'bad-request', fastifyError.message ?? 'bad request') };
  }
  return { status: 500, body: errorBody('internal', `the agent failed to answer: ${(error as Error).message ?? String(error)}`) };
}
