// Which allocations each endpoint sends connections to (pure). Like a Kubernetes
// Service's ready endpoints: allocations of the endpoint's group that run, are
// healthy and are not being stopped; canaries only once promoted, unless the
// endpoint opts in. Allocations of older versions serve until they are stopped.
import type { AllocationRecord, Deployment, Job, JobRecord, JobVersion } from '../model/index.js';

export interface EndpointBackend {
  /** The allocation id. */
  id: string;
  host: string;
  port: number;
}

export interface EndpointEntry {
  port: number;
  address: string;
  backends: EndpointBackend[];
}

export interface EndpointTable {
  endpoints: EndpointEntry[];
}

export interface EndpointSource {
  listJobs(): JobRecord[];
  getVersion(jobId: string, version: number): JobVersion | undefined;
  listAllocations(jobId?: string): AllocationRecord[];
  getDeployment(id: string): Deployment | undefined;
}

export interface TableOptions {
  /** Where the endpoints listen (the agent's publish address). */
  address: string;
  /**
   * Where backends are reached when no container address is known (host networking):
   * allocations' host ports are published there. null: only at the addresses the
   * runtime observed (under Swarm a task's ports are on whichever node runs it).
   */
  backendHost: string | null;
  /**
   * The allocation's address on its job network for a port label (the container's
   * address and the port inside): the edge connects there, sparing Docker's port
   * proxy a hop (measured in docs/benchmarks.md).
   */
  addressOf?: (allocId: string, portLabel: string) => { host: string; port: number } | undefined;
  /** Allocations leaving now: they get no new connections. */
  leaving: ReadonlySet<string>;
}

/** A job's endpoint as status shows it: where it listens, what it serves, and which allocations get its connections. */
export interface JobEndpoint extends EndpointEntry {
  jobId: string;
  group: string;
  portLabel: string;
}

/** Every job's endpoints; two jobs cannot both listen on one port: the first (by id) keeps it (render refuses such a tree). */
export function jobEndpoints(source: EndpointSource, options: TableOptions): JobEndpoint[] {
  const endpoints: JobEndpoint[] = [];
  const taken = new Set<number>();
  for (const record of [...source.listJobs()].sort((a, b) => a.id.localeCompare(b.id))) {
    if (record.stopped) continue;
    const job = source.getVersion(record.id, record.version)?.job;
    if (!job || job.endpoints.length === 0) continue;
    const allocations = source.listAllocations(record.id);
    for (const endpoint of job.endpoints) {
      if (taken.has(endpoint.port)) continue;
      taken.add(endpoint.port);
      const backends = allocations
        .filter((a) => a.group === endpoint.group && servesTraffic(a, endpoint.canaries, source, options.leaving))
        .flatMap((a) => {
          const direct = options.addressOf?.(a.id, endpoint.portLabel);
          if (direct) return [{ id: a.id, host: direct.host, port: direct.port }];
          const port = a.ports[endpoint.portLabel];
          return port === undefined || options.backendHost === null ? [] : [{ id: a.id, host: options.backendHost, port }];
        })
        .sort((a, b) => a.id.localeCompare(b.id));
      endpoints.push({ jobId: record.id, group: endpoint.group, portLabel: endpoint.portLabel, port: endpoint.port, address: options.address, backends });
    }
  }
  return endpoints;
}

/** The edge's table: every endpoint, where it listens and its backends. */
export function endpointTable(source: EndpointSource, options: TableOptions): EndpointTable {
  return tableOf(jobEndpoints(source, options));
}

/** Job endpoints as the edge's table (it knows nothing of jobs and groups). */
export function tableOf(endpoints: JobEndpoint[]): EndpointTable {
  return { endpoints: endpoints.map(({ port, address, backends }) => ({ port, address, backends })) };
}

function servesTraffic(allocation: AllocationRecord, canaries: boolean, source: EndpointSource, leaving: ReadonlySet<string>): boolean {
  if (allocation.desired !== 'run' || allocation.status !== 'running' || allocation.healthy !== true || leaving.has(allocation.id)) return false;
  if (!allocation.canary || canaries) return true;
  const deployment = allocation.deploymentId ? source.getDeployment(allocation.deploymentId) : undefined;
  // A canary serves once its deployment promoted it, or once that deployment is over (it became a regular allocation).
  if (!deployment || deployment.status === 'successful') return true;
  return deployment.groups.some((g) => g.name === allocation.group && g.promoted);
}

/** Whether stopping this allocation takes it out of some endpoint (then it drains first). */
export function isBackendOf(job: Job | undefined, allocation: AllocationRecord): boolean {
  return job?.endpoints.some((e) => e.group === allocation.group) ?? false;
}

/** How long an allocation leaving may take to drain: its group's longest shutdown delay or kill timeout. */
export function drainGraceMs(job: Job | undefined, group: string, defaultKillTimeoutMs: number): { minMs: number; maxMs: number } {
  const tasks = job?.groups.find((g) => g.name === group)?.tasks ?? [];
  const delay = Math.max(0, ...tasks.map((t) => t.shutdownDelayMs ?? 0));
  const kill = Math.max(0, ...tasks.map((t) => t.killTimeoutMs ?? defaultKillTimeoutMs));
  return { minMs: delay, maxMs: Math.max(delay, kill) };
}
