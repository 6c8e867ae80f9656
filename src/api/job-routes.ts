// Jobs, versions, deployments and allocations: what `run`, `plan`, `status`,
// `history`, `deployments`, `promote`, `revert` and `stop` call.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { planAgainstStore } from './plan-job.js';
import { diagnostic, formatDiagnostic, isError, redactJob, redactSourceText } from '../model/index.js';
import type { Diagnostic, Job, JobVersion } from '../model/index.js';
import { versionDiff } from '../plan/index.js';
import { deploymentView, jobStatusView, jobSummaryView, versionView } from './views.js';
import type { JobStatusView } from './views.js';
import { ApiError, errorBody } from './errors.js';
import type { JobBundle } from './job-bundle.js';
import { bundleLimits, bundleProblem, jobBundleSchema, renderBundle } from './job-bundle.js';
import type { ApiDeps } from './deps.js';
import { jobFileKinds } from '../render/index.js';
import type { ImageProblem } from '../rollout/index.js';

interface IdParams {
  id: string;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } as const;

/** Registries that gave no digest, and images that could not start, as warnings at the task's image. */
function imageDiagnostics(mapped: { job: Job; fields: Map<string, { field: string; pos: { line: number; col: number } }> }, problems: ImageProblem[], unavailable: ImageProblem[]): Diagnostic[] {
  const warn = (code: string) => ({ group, task, message }: ImageProblem) => {
    const where = mapped.fields.get(`groups.${group}.tasks.${task}.image`) ?? { field: '', pos: { line: 0, col: 0 } };
    return diagnostic('warning', code, mapped.job.source.file, where.pos, where.field, message);
  };
  return [...problems.map(warn('image-digest')), ...unavailable.map(warn('image-unavailable'))];
}

export function registerJobRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, engine } = deps;

  const jobOrThrow = (id: string) => {
    const record = store.getJob(id);
    if (!record) throw new ApiError(404, 'not-found', `job "${id}" not found`);
    return record;
  };

  /** Renders a bundle; a file that does not render is a 400 carrying its positioned errors. */
  const render = (bundle: JobBundle) => {
    const result = renderBundle(bundle, deps.jobLimits);
    if (!result.file) throw new ApiError(400, 'not-a-job-file', `${bundle.path}: not a job file (expected ${jobFileKinds()})`);
    const errors = result.diagnostics.filter(isError);
    if (errors.length) {
      throw new ApiError(400, 'invalid-job', errors.map(formatDiagnostic).join('\n'), { diagnostics: result.diagnostics });
    }
    return result;
  };

  app.get('/v1/jobs', async () =>
    store.listJobs().map((record) => {
      const latest = store.getVersion(record.id, record.version);
      return jobSummaryView(record, latest?.job.source.format ?? '', store.listAllocations(record.id), engine.latestDeployment(record.id));
    }),
  );

  app.get<{ Params: IdParams }>('/v1/job/:id', { schema: { params: idParams } }, async (request) => {
    const record = jobOrThrow(request.params.id);
    const versions = new Map<number, JobVersion>(store.listVersions(record.id).map((v) => [v.version, v]));
    const latest = versions.get(record.version);
    if (!latest) throw new ApiError(500, 'internal', `job "${record.id}" has no version ${record.version} in the store`);
    const view = jobStatusView({ record, latest, versions, deployment: engine.latestDeployment(record.id), allocations: store.listAllocations(record.id), endpoints: engine.endpointsOf(record.id) });
    const fileDiagnostics = syncedDiagnostics(latest.job.source.file, [...versions.values()]);
    return fileDiagnostics ? { ...view, fileDiagnostics } : view;
  });

  /** What the last synced commit said of a Git-synced job's file: its errors and warnings travel to its status. */
  function syncedDiagnostics(file: string, versions: JobVersion[]): JobStatusView['fileDiagnostics'] {
    const state = deps.gitops?.syncState;
    if (!state?.sha || !versions.some((v) => v.source.kind === 'git')) return undefined;
    const diagnostics = state.diagnostics.filter((d) => d.file === file);
    return diagnostics.length ? { commit: state.sha, diagnostics } : undefined;
  }

  // Jobs leave the agent with their secret values masked; `diffs=true` adds each version's diff against the one before, computed here on the real values.
  app.get<{ Params: IdParams; Querystring: { diffs?: boolean } }>(
    '/v1/job/:id/versions',
    { schema: { params: idParams, querystring: { type: 'object', properties: { diffs: { type: 'boolean' } } } } },
    async (request) => {
      jobOrThrow(request.params.id);
      const versions = store.listVersions(request.params.id);
      return versions.map((v, i) => {
        const previous = versions[i + 1];
        const diff = request.query.diffs ? { diff: previous ? versionDiff(previous.job, v.job) : null } : {};
        return { ...versionView(v), job: redactJob(v.job), ...diff };
      });
    },
  );

  app.get<{ Params: IdParams }>('/v1/job/:id/deployments', { schema: { params: idParams } }, async (request) => {
    jobOrThrow(request.params.id);
    return store.listDeployments(request.params.id).map(deploymentView);
  });

  app.get<{ Params: IdParams; Querystring: { limit?: number } }>(
    '/v1/job/:id/events',
    { schema: { params: idParams, querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } } } },
    async (request) => {
      jobOrThrow(request.params.id);
      return store.listEvents({ jobId: request.params.id, limit: request.query.limit ?? 100 });
    },
  );

  app.get<{ Params: IdParams }>('/v1/deployment/:id', { schema: { params: idParams } }, async (request) => {
    const deployment = store.getDeployment(request.params.id);
    if (!deployment) throw new ApiError(404, 'not-found', `deployment "${request.params.id}" not found`);
    return deploymentView(deployment);
  });

  // Nomad's `/v1/deployments?prefix=`: an id as people type it, shortened; each with its job, which the view alone does not name.
  app.get<{ Querystring: { prefix: string } }>(
    '/v1/deployments',
    { schema: { querystring: { type: 'object', required: ['prefix'], properties: { prefix: { type: 'string', minLength: 1 } } } } },
    async (request) => store.findDeployments(request.query.prefix, 20).map((d) => ({ jobId: d.jobId, ...deploymentView(d) })),
  );

  const bundleGate = admitBundles(bundleLimits.maxConcurrent);

  app.post<{ Params: IdParams; Body: JobBundle }>('/v1/job/:id/plan', { schema: { params: idParams, body: jobBundleSchema }, ...bundleGate }, async (request) => {
    const rendered = render(request.body);
    const mapped = rendered.jobs.find((j) => j.job.id === request.params.id);
    if (!mapped) {
      const found = rendered.jobs.map((j) => `"${j.job.id}"`).join(', ') || 'none';
      throw new ApiError(400, 'job-id-mismatch', `${request.body.path} does not define job "${request.params.id}" (it defines ${found})`);
    }
    // Moving tags are planned at the digest their registry gives now; images that could not start are warned of.
    const { job, problems } = await engine.resolveImages(mapped.job);
    const imageWarnings = imageDiagnostics(mapped, problems, await engine.unavailableImages(job));
    const { plan, oldText } = planAgainstStore(store, job);
    const newText = request.body.files[request.body.path] ?? null;
    return { plan, file: request.body.path, oldText: oldText === null ? null : redactSourceText(oldText), newText: newText === null ? null : redactSourceText(newText), diagnostics: [...rendered.diagnostics, ...imageWarnings] };
  });

  app.post<{ Body: JobBundle & { checkIndex?: number } }>(
    '/v1/jobs',
    { schema: { body: { ...jobBundleSchema, properties: { ...jobBundleSchema.properties, checkIndex: { type: 'integer', minimum: 0 } } } }, ...bundleGate },
    async (request) => {
      const rendered = render(request.body);
      const sourceText = request.body.files[request.body.path] ?? null;
      const resolved: Array<{ job: Job; problems: ImageProblem[] }> = [];
      for (const mapped of rendered.jobs) resolved.push(await engine.resolveImages(mapped.job));
      const jobs = resolved.map(({ job }) => {
        const source = { kind: 'cli' as const, commit: null, file: job.source.file, author: null, message: null, revertOf: null };
        const result = engine.submit({ job, source, sourceText, ...(request.body.checkIndex === undefined ? {} : { checkIndex: request.body.checkIndex }) });
        return {
          id: job.id,
          version: result.version.version,
          changed: result.changed,
          modifyIndex: store.getJob(job.id)?.modifyIndex ?? null,
          deploymentId: result.deployment?.id ?? null,
        };
      });
      const imageWarnings = rendered.jobs.map((mapped, i) => imageDiagnostics(mapped, resolved[i]!.problems, []));
      return { jobs, diagnostics: [...rendered.diagnostics, ...imageWarnings.flat()] };
    },
  );

  app.post<{ Params: IdParams; Body: { version: number } }>(
    '/v1/job/:id/revert',
    { schema: { params: idParams, body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 0 } } } } },
    async (request) => {
      const result = engine.revert(request.params.id, request.body.version);
      return { id: request.params.id, version: result.version.version, changed: result.changed, deploymentId: result.deployment?.id ?? null };
    },
  );

  app.post<{ Params: IdParams }>('/v1/deployment/:id/promote', { schema: { params: idParams } }, async (request) => {
    const deployment = store.getDeployment(request.params.id) ?? findByPrefix(request.params.id);
    if (!deployment) throw new ApiError(404, 'not-found', `deployment "${request.params.id}" not found`);
    const latest = engine.latestDeployment(deployment.jobId);
    if (latest?.id !== deployment.id) throw new ApiError(409, 'conflict', `deployment ${deployment.id.slice(0, 8)} is not the job's latest deployment`);
    return deploymentView(engine.promote(deployment.jobId));
  });

  app.post<{ Params: IdParams }>('/v1/job/:id/promote', { schema: { params: idParams } }, async (request) => {
    jobOrThrow(request.params.id);
    return deploymentView(engine.promote(request.params.id));
  });

  app.post<{ Params: IdParams; Body: { healthy: boolean } }>(
    '/v1/allocation/:id/health',
    { schema: { params: idParams, body: { type: 'object', required: ['healthy'], additionalProperties: false, properties: { healthy: { type: 'boolean' } } } } },
    async (request) => {
      const allocation = engine.setHealth(request.params.id, request.body.healthy);
      return { id: allocation.id, healthy: allocation.healthy };
    },
  );

  app.delete<{ Params: IdParams; Querystring: { purge?: boolean; volumes?: boolean } }>(
    '/v1/job/:id',
    { schema: { params: idParams, querystring: { type: 'object', properties: { purge: { type: 'boolean' }, volumes: { type: 'boolean' } } } } },
    async (request) => {
      jobOrThrow(request.params.id);
      const purge = request.query.purge === true;
      if (request.query.volumes === true && !purge) throw new ApiError(400, 'volumes-without-purge', 'volumes=true removes a purged job\'s volumes: add purge=true');
      const { volumes } = await engine.stopJob(request.params.id, purge, { volumes: request.query.volumes === true });
      return { id: request.params.id, stopped: true, purged: purge, ...(volumes ? { volumes } : {}) };
    },
  );

  /** People copy the 8-character ids the CLI prints. */
  function findByPrefix(prefix: string) {
    if (prefix.length < 4) return undefined;
    for (const record of store.listJobs()) {
      const match = store.listDeployments(record.id).find((d) => d.id.startsWith(prefix));
      if (match) return match;
    }
    return undefined;
  }
}

/**
 * Hooks for the routes that take a job bundle: at most `maxConcurrent` bundles
 * are received and rendered at once (each is parsed whole into memory), and a
 * bundle over the limits is refused before its files are decoded.
 */
function admitBundles(maxConcurrent: number) {
  let inFlight = 0;
  const releases = new WeakMap<FastifyRequest, () => void>();
  const release = (request: FastifyRequest) => {
    releases.get(request)?.();
    releases.delete(request);
  };
  return {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      if (inFlight >= maxConcurrent) {
        return reply
          .code(429)
          .header('retry-after', '1')
          .send(errorBody('too-many-bundles', `the agent is already receiving ${maxConcurrent} job bundles; try again in a moment`));
      }
      inFlight++;
      let released = false;
      const done = () => {
        if (released) return;
        released = true;
        inFlight--;
      };
      releases.set(request, done);
      // A client that goes away mid-body gets no answer: the closed socket frees its place.
      reply.raw.once('close', done);
    },
    preValidation: async (request: FastifyRequest) => {
      const bundle = request.body as JobBundle | undefined;
      if (!bundle || typeof bundle !== 'object' || typeof bundle.files !== 'object' || bundle.files === null) return;
      const problem = bundleProblem(bundle);
      if (problem) throw new ApiError(413, problem.code, problem.message);
    },
    // The answer is ready: the next bundle may come in before this one's bytes are on the wire.
    onSend: async (request: FastifyRequest) => release(request),
  };
}
