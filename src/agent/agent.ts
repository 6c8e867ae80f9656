// The agent: the store, the Docker driver, the rollout engine and the HTTP API
// wired together, started and stopped as one. Containers outlive the agent: a
// stop leaves them running, and the next start adopts them from their labels.
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from '../api/index.js';
import { registerDashboard } from '../ui/index.js';
import type { WebhookHandler } from '../api/index.js';
import { isRolloutEvent } from '../model/index.js';
import type { DeckhandEvent } from '../model/index.js';
import { RolloutEngine } from '../rollout/index.js';
import { defaultStopTimeoutSeconds, DockerDriver, newDockerClient } from '../runtime/docker/index.js';
import { probeHostOf } from '../runtime/index.js';
import type { Driver } from '../runtime/index.js';
import { SwarmDriver, swarmSupport } from '../runtime/swarm/index.js';
import { countSyncStates, forgeReports, journal, Metrics, noReporter, storedJobSync } from '../status/index.js';
import { forges } from '../status/forges/index.js';
import { notifiers, resolveTargets, startNotifications } from '../status/notify/index.js';
import type { StatusReporter } from '../status/index.js';
import { isStorageError, openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { splitCredentials } from '../sync/index.js';
import type { StoppableTrigger } from '../sync/triggers/index.js';
import { EventBus, isLoopbackHost, makeDirectory, packageVersion } from '../util/index.js';
import type { AgentConfig } from './config.js';
import type { HostPathPolicy } from '../model/index.js';
import { connectEdge } from './edge.js';
import { startEngineWithRetry } from './engine-start.js';
import { GitOps } from './gitops.js';
import { hostPathPolicy } from './host-paths.js';
import { PullRequestPlanner } from './pull-requests.js';
import { webhookHandler } from './webhook.js';

export interface AgentOptions {
  logger: Logger;
  docker?: Docker;
  /** Seconds between SIGTERM and SIGKILL when a container is stopped. */
  stopTimeoutSeconds?: number;
}

export interface RunningAgent {
  /** Where the API listens, e.g. `http://127.0.0.1:4646`. */
  url: string;
  engine: RolloutEngine;
  store: Store;
  metrics: Metrics;
  api: FastifyInstance;
  /** The GitOps loop; null when the agent follows no repository (API only). */
  gitops: GitOps | null;
  /** Stops accepting work, lets running steps finish writing state, leaves containers running. */
  close(): Promise<void>;
}

export async function startAgent(config: AgentConfig, options: AgentOptions): Promise<RunningAgent> {
  const { logger } = options;
  const dataDir = resolve(config.dataDir);
  // Secrets first: a missing file stops the start before anything is opened.
  const apiToken = config.apiTokenFile ? readSecret(config.apiTokenFile, 'api-token-file') : null;
  // Whoever reaches the API can run any container: on a network, only with a token.
  if (!apiToken && !isLoopbackHost(config.listen.host)) {
    throw new Error(
      `refusing to listen on ${config.listen.host}:${config.listen.port} without an API token: anyone who reaches that address could run containers on this machine. Set --api-token-file, or listen on 127.0.0.1`,
    );
  }
  const hostPaths = hostPathPolicy(config.allowHostPaths);
  const narrowed = privateFolder(dataDir);
  const gitToken = config.gitTokenFile ? readSecret(config.gitTokenFile, 'git-token-file') : null;
  const webhookSecret = config.webhookSecretFile ? readSecret(config.webhookSecretFile, 'webhook-secret-file') : null;
  const notifyTargets = resolveTargets(config.notify, notifiers, process.env);
  // The forge the settings ask for, if any: its token is read now, its client loaded only then.
  const wantedForge = forges.find((f) => f.wanted(config.forgeSettings)) ?? null;
  const forgeToken = wantedForge ? readSecret(String(config.forgeSettings[wantedForge.tokenFileSetting]), wantedForge.tokenFileSetting) : null;
  // The Git client is loaded only when configured: an agent without it stays smaller.
  const repository = config.repo ? await import('./repository.js') : null;
  repository?.checkWatchable(config);
  const forge =
    wantedForge && forgeToken
      ? await wantedForge.connect({ settings: config.forgeSettings, token: forgeToken, publicUrl: config.publicUrl, log: logger.child({ component: wantedForge.name }) })
      : null;
  const reporter: StatusReporter = forge?.reporter ?? noReporter;
  const store = openStore(dataDir);
  const metrics = new Metrics(
    () => store.listAllocations(),
    () => engine.storageProblem === null,
  );
  const onError = (error: unknown, context: string) => {
    metrics.countError(isStorageError(error) ? 'store' : 'engine');
    logger.error({ err: error }, `error while ${context}`);
  };
  const driver = createDriver(config, options, { hostPaths, dataDir, onError: (error, context) => onError(error, context) });
  // One bus for every event; the journal first, so whoever hears an event finds it in the job's events.
  const events = new EventBus<DeckhandEvent>((error) => onError(error, 'reporting an event'));
  events.subscribe(journal(store));
  events.subscribe((event) => metrics.observe(event));
  events.subscribe(forgeReports(store, reporter));
  // Last of the reporters: it only queues, and a receiver that is down never holds up the bus.
  const notifications = startNotifications(notifyTargets, { log: logger.child({ component: 'notify' }), versionOf: (jobId, version) => store.getVersion(jobId, version) ?? null, agentUrl: config.publicUrl });
  events.subscribe((event) => notifications.notify(event));
  // What the GitOps loop does, it logs itself, with the commit.
  events.subscribe((event) => {
    if (isRolloutEvent(event)) logger.info({ job: event.jobId, event: event.type }, event.message);
  });
  const traffic = {
    address: config.publishAddress,
    // Under Swarm a task's node ports are on whichever node runs it: only observed addresses serve.
    backendHost: config.runtime === 'swarm' ? null : probeHostOf(config.publishAddress),
    defaultKillTimeoutMs: (options.stopTimeoutSeconds ?? defaultStopTimeoutSeconds) * 1000,
    edge: connectEdge(dataDir, logger.child({ component: 'edge' })),
  };
  const engine = new RolloutEngine({ store, driver, events, onError, traffic, onReconciled: (_jobId, durationMs) => metrics.observeReconcile(durationMs / 1000) });

  const jobLimits = { maxCount: config.maxCount, maxGroups: config.maxGroups, maxTasks: config.maxTasks, hostPaths, ...(config.runtime === 'swarm' ? { runtimeSupport: swarmSupport } : {}) };
  const gitops = repository
    ? new GitOps({
        source: repository.revisionSource({ ...config, dataDir }, gitToken),
        engine,
        store,
        logger: logger.child({ component: 'sync' }),
        metrics,
        events,
        dataDir,
        prune: config.prune,
        allowEmpty: config.allowEmpty,
        allowRewrite: config.allowForcePush,
        selfHeal: config.selfHeal,
        limits: jobLimits,
      })
    : null;
  if (gitops) {
    metrics.followSyncStates(() => {
      const repository = { ...gitops.syncState, selfHeal: gitops.selfHeal };
      return countSyncStates(store.listJobs().map((record) => storedJobSync(store, record.id, repository)));
    });
  }
  // Pull-request plans need a forge to post them to.
  const planner =
    gitops && repository && forge
      ? new PullRequestPlanner({
          store,
          events,
          pullRequests: forge.pullRequests,
          sourceFor: (branch) => repository.revisionSource({ ...config, branch, dataDir }, gitToken),
          logger: logger.child({ component: 'pull-requests' }),
          limits: jobLimits,
        })
      : null;
  // A route per forge, `/v1/webhooks/<name>`: a push can come by webhook without the forge reporting anything.
  const webhooks = gitops
    ? Object.fromEntries(
        forges.map((f): [string, WebhookHandler] => [
          f.name,
          webhookSecret
            ? webhookHandler({
                reader: f.webhooks(webhookSecret),
                repository: { url: splitCredentials(config.repo!).url, branch: config.branch ?? 'main' },
                onPush: (sha) => gitops.pushed(sha),
                ...(planner && f === wantedForge ? { onPullRequest: (pullRequest) => planner.request(pullRequest) } : {}),
                logger,
              })
            : () => ({ status: 403, body: { error: { code: 'no-webhook-secret', message: 'this agent takes no webhooks: start it with --webhook-secret-file' } } }),
        ]),
      )
    : {};

  const api = await buildApi({ engine, store, metrics, logger, apiToken, jobLimits, webhooks, ...(gitops ? { gitops } : {}), ...(planner ? { pullRequests: planner } : {}) });
  await registerDashboard(api, { apiToken });
  const closing = new AbortController();
  const engineStarted = startEngineWithRetry(engine, logger, closing.signal);
  try {
    await api.listen({ host: config.listen.host, port: config.listen.port });
  } catch (error) {
    closing.abort();
    await engineStarted.catch(() => undefined);
    await engine.close();
    store.close();
    throw new Error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}`, { cause: error });
  }
  const address = api.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  if (narrowed) logger.warn({ dataDir }, `the data directory was readable by others; it is now readable by its owner only (0700)`);
  if (!apiToken) {
    logger.warn(
      'the API has no token (--api-token-file): any process on this machine can call it and run containers, including containers on the host network; set a token unless every local user and workload is trusted',
    );
  }
  logger.info({ dataDir, listen: `${host}:${port}`, version: packageVersion(), node: process.version }, `deckhand agent listening on http://${host}:${port}`);
  let triggers: StoppableTrigger[] = [];
  if (gitops && repository) {
    // The first sync waits for the engine: it must know what runs before it changes anything.
    void engineStarted.then(() => {
      if (closing.signal.aborted) return;
      triggers = repository.startTriggers(
        config,
        (reason) => {
          gitops.trigger(reason);
          // Polling open pull requests is the fallback for pull_request webhooks that never came.
          if (reason !== 'watch') void planner?.poll();
        },
        logger,
      );
      gitops.trigger('start');
      void planner?.poll();
    });
    // Credentials in the URL stay out of every log line.
    logger.info(`following ${splitCredentials(config.repo!).url}${config.branch ? ` (${config.branch})` : ''}${config.path !== '.' ? `, jobs in ${config.path}` : ''}`);
  }

  return {
    url: `http://${host}:${port}`,
    engine,
    store,
    metrics,
    api,
    gitops,
    async close() {
      closing.abort();
      await Promise.all(triggers.map((t) => t.stop()));
      await gitops?.loop.stop();
      await planner?.idle();
      await api.close();
      await engineStarted.catch(() => undefined);
      await engine.close();
      store.close();
      // Reports and notifications still queued get a moment; a forge or receiver that is down must not hold the shutdown.
      await Promise.race([Promise.all([reporter.idle(), notifications.idle()]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await reporter.close();
      await notifications.close();
      logger.info('deckhand agent stopped; containers keep running');
    },
  };
}

/** Creates the data directory readable by its owner only, or narrows one that others can read; true when it narrowed it. */
function privateFolder(dir: string): boolean {
  // Not mkdirSync's recursive mode: it spins forever where a parent refuses new folders (/proc/x).
  try {
    makeDirectory(dir, 0o700);
  } catch (error) {
    throw new Error(`--data-dir: ${(error as Error).message}`, { cause: error });
  }
  if ((statSync(dir).mode & 0o077) === 0) return false;
  chmodSync(dir, 0o700);
  return true;
}

function readSecret(path: string, setting: string): string {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!text) throw new Error('the file is empty');
    return text;
  } catch (error) {
    throw new Error(`--${setting} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
  }
}

/** Requests to a Swarm manager end after this: one behind a dead link would otherwise hold a poll, a placement or a stop forever. */
const swarmRequestTimeoutMs = 30_000;

/** The runtime the settings ask for: this machine's Docker engine, or a swarm through one of its managers. */
function createDriver(config: AgentConfig, options: AgentOptions, parts: { hostPaths: HostPathPolicy; dataDir: string; onError: (error: unknown, context: string) => void }): Driver {
  const stopTimeout = options.stopTimeoutSeconds === undefined ? {} : { stopTimeoutSeconds: options.stopTimeoutSeconds };
  if (config.runtime === 'swarm') {
    return new SwarmDriver({
      docker: options.docker ?? newDockerClient({ timeout: swarmRequestTimeoutMs }),
      address: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      labels: config.labels,
      portRange: { min: config.portRange.from, max: config.portRange.to },
      onError: parts.onError,
      ...stopTimeout,
    });
  }
  return new DockerDriver(options.docker ?? newDockerClient(), {
    portRange: { min: config.portRange.from, max: config.portRange.to },
    publishAddress: config.publishAddress,
    labels: config.labels,
    pullPolicy: config.pullPolicy,
    hostPaths: parts.hostPaths,
    filesDir: join(parts.dataDir, 'files'),
    ...stopTimeout,
  });
}
