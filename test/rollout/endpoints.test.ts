// Which allocations each endpoint sends connections to: healthy, running, not
// leaving, of the endpoint's group; canaries only once promoted or when the
// endpoint opts in; stopped jobs serve nothing; one port, one job.
import { drainGraceMs, endpointTable } from '../../src/rollout/endpoints.js';
import type { EndpointSource } from '../../src/rollout/endpoints.js';
import type { AllocationRecord, Deployment, Job, JobRecord } from '../../src/model/index.js';

function job(id: string, endpoints: Job['endpoints']): Job {
  const task = { name: 'web', driver: 'docker' as const, image: 'x', command: null, args: null, entrypoint: null, env: {}, ports: [{ label: 'http', static: null, to: 80 }], resources: { cpu: null, cpuLimit: null, memoryMB: null }, checks: [], imageHealthcheck: 'use' as const, shutdownDelayMs: 2000, killTimeoutMs: 5000, meta: {} };
  return { id, type: 'service', source: { format: 'compose', file: 'x' }, meta: {}, historyLimit: null, networks: [], endpoints, groups: [{ name: 'web', count: 3, update: {} as never, rollback: null, restart: {} as never, network: { mode: 'bridge', attachments: [] }, meta: {}, tasks: [task] }] };
}

let n = 0;
function alloc(jobId: string, overrides: Partial<AllocationRecord> = {}): AllocationRecord {
  n += 1;
  return { id: `a${n}`, jobId, group: 'web', index: 0, jobVersion: 0, specHash: 'h', deploymentId: null, desired: 'run', status: 'running', healthy: true, healthyAt: 1, canary: false, containers: {}, ports: { http: 20000 + n }, description: '', createdAt: 0, modifiedAt: 0, ...overrides };
}

function source(jobs: Array<{ job: Job; stopped?: boolean; allocations: AllocationRecord[] }>, deployments: Deployment[] = []): EndpointSource {
  return {
    listJobs: () => jobs.map(({ job: j, stopped }) => ({ id: j.id, version: 0, specHash: '', modifyIndex: 0, stopped: stopped ?? false, createdAt: 0, updatedAt: 0 }) satisfies JobRecord),
    getVersion: (jobId) => {
      const found = jobs.find((j) => j.job.id === jobId);
      return found ? { jobId, version: 0, job: found.job, specHash: '', modifyIndex: 0, source: {} as never, sourceText: null, stable: true, submittedAt: 0 } : undefined;
    },
    listAllocations: (jobId) => jobs.find((j) => j.job.id === jobId)?.allocations ?? [],
    getDeployment: (id) => deployments.find((d) => d.id === id),
  };
}

const options = { address: '127.0.0.1', backendHost: '127.0.0.1', leaving: new Set<string>() };
const endpoint = { port: 18080, group: 'web', task: 'web', portLabel: 'http', canaries: false };

describe('endpoint table', () => {
  it('sends traffic only to running, healthy allocations that are not leaving or being stopped', () => {
    const good = alloc('shop');
    const unhealthy = alloc('shop', { healthy: false });
    const unknown = alloc('shop', { healthy: null });
    const stopping = alloc('shop', { desired: 'stop' });
    const failed = alloc('shop', { status: 'failed' });
    const leaving = alloc('shop');
    const table = endpointTable(source([{ job: job('shop', [endpoint]), allocations: [good, unhealthy, unknown, stopping, failed, leaving] }]), { ...options, leaving: new Set([leaving.id]) });
    expect(table).toEqual({ endpoints: [{ port: 18080, address: '127.0.0.1', backends: [{ id: good.id, host: '127.0.0.1', port: good.ports.http }] }] });
  });

  it('keeps canaries out until their deployment promotes them, unless the endpoint opts in', () => {
    const old = alloc('shop');
    const canary = alloc('shop', { canary: true, deploymentId: 'd1', jobVersion: 1 });
    const deployment = (promoted: boolean, status: Deployment['status'] = 'running'): Deployment => ({ id: 'd1', jobId: 'shop', jobVersion: 1, status, description: '', groups: [{ name: 'web', promoted } as never], createdAt: 0, updatedAt: 0 });
    const ids = (t: ReturnType<typeof endpointTable>) => t.endpoints[0]!.backends.map((b) => b.id);
    expect(ids(endpointTable(source([{ job: job('shop', [endpoint]), allocations: [old, canary] }], [deployment(false)]), options))).toEqual([old.id]);
    expect(ids(endpointTable(source([{ job: job('shop', [endpoint]), allocations: [old, canary] }], [deployment(true)]), options))).toEqual([old.id, canary.id].sort());
    expect(ids(endpointTable(source([{ job: job('shop', [endpoint]), allocations: [old, canary] }], [deployment(false, 'successful')]), options))).toEqual([old.id, canary.id].sort());
    expect(ids(endpointTable(source([{ job: job('shop', [{ ...endpoint, canaries: true }]), allocations: [old, canary] }], [deployment(false)]), options))).toEqual([old.id, canary.id].sort());
  });

  it('serves nothing for a stopped job, and gives a port to one job only', () => {
    expect(endpointTable(source([{ job: job('shop', [endpoint]), stopped: true, allocations: [alloc('shop')] }]), options)).toEqual({ endpoints: [] });
    const a = alloc('a');
    const table = endpointTable(source([{ job: job('b', [endpoint]), allocations: [alloc('b')] }, { job: job('a', [endpoint]), allocations: [a] }]), options);
    expect(table.endpoints).toHaveLength(1);
    expect(table.endpoints[0]!.backends.map((b) => b.id)).toEqual([a.id]);
  });

  it("drains for the group's shutdown delay at least and its kill timeout at most", () => {
    expect(drainGraceMs(job('shop', [endpoint]), 'web', 3000)).toEqual({ minMs: 2000, maxMs: 5000 });
    expect(drainGraceMs(undefined, 'web', 3000)).toEqual({ minMs: 0, maxMs: 0 });
  });
});
