// Records for store tests, built by hand so these tests depend on nothing but the model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../src/model/job.js';
import type { AllocationRecord, Deployment, JobEvent } from '../../src/model/state.js';
import type { SubmitVersionInput } from '../../src/store/store.js';

export function sampleJob(id: string, image = 'geo-api-server:0.1'): Job {
  return {
    id,
    type: 'service',
    source: { format: 'nomad', file: `jobs/${id}.nomad` },
    meta: { team: 'geo', 'quote"s': 'line\nbreak ünïcode ✓' },
    historyLimit: null,
    networks: [{ name: 'default', dockerName: null, external: false }],
    endpoints: [],
    groups: [
      {
        name: 'api-server',
        count: 6,
        update: {
          maxParallel: 2,
          canary: 1,
          autoPromote: false,
          autoRevert: true,
          minHealthyTimeMs: 30000,
          monitorMs: 0,
          healthyDeadlineMs: 600000,
          progressDeadlineMs: 600000,
          healthCheck: 'checks',
          order: 'stop-first',
          delayMs: 0,
          failureAction: 'rollback',
          maxFailureRatio: 0.25,
          onUnhealthy: 'replace',
          maxSurge: null,
          maxUnavailable: null,
        },
        rollback: null,
        restart: { condition: 'on-failure', maxAttempts: 2, delayMs: 15000, windowMs: 0 },
        network: { mode: 'bridge', attachments: [{ network: 'default', aliases: [] }] },
        meta: {},
        tasks: [
          {
            name: 'server',
            driver: 'docker',
            image,
            command: null,
            args: ['--port', '${NOMAD_PORT_http}'],
            entrypoint: null,
            env: { PORT: '${NOMAD_PORT_http}', EMPTY: '' },
            ports: [
              { label: 'http', static: null, to: null },
              { label: 'admin', static: 9090, to: 9090 },
            ],
            resources: { cpu: 100, cpuLimit: 0.5, memoryMB: 32 },
            checks: [
              { type: 'http', name: null, role: 'readiness', port: 'http', path: '/', method: 'GET', intervalMs: 10000, timeoutMs: 2000, retries: 0, startPeriodMs: 0 },
              { type: 'exec', name: 'alive', role: 'readiness', command: ['CMD-SHELL', 'test -f /tmp/ok'], intervalMs: 5000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 },
            ],
            imageHealthcheck: 'use',
            shutdownDelayMs: 0,
            killTimeoutMs: null,
            meta: {},
          },
        ],
      },
    ],
  };
}

export function versionInput(id: string, overrides: Partial<SubmitVersionInput> = {}): SubmitVersionInput {
  return {
    job: sampleJob(id),
    specHash: `hash-${id}-${overrides.submittedAt ?? 1000}`,
    source: { kind: 'git', commit: 'a'.repeat(40), file: `jobs/${id}.nomad`, author: 'Ada <ada@example.com>', message: 'bump', revertOf: null },
    sourceText: `job "${id}" {}\n`,
    submittedAt: 1000,
    ...overrides,
  };
}

export function sampleDeployment(id: string, jobId: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id,
    jobId,
    jobVersion: 0,
    status: 'running',
    description: 'Deployment is running',
    groups: [
      {
        name: 'api-server',
        desiredTotal: 6,
        desiredCanaries: 1,
        canaries: ['0a1b2c3d'],
        promoted: false,
        autoRevert: true,
        strategy: 'update',
        placed: 1,
        healthy: 0,
        unhealthy: 0,
        requireProgressBy: 1_700_000_600_000,
      },
    ],
    createdAt: 2000,
    updatedAt: 2000,
    ...overrides,
  };
}

export function sampleAllocation(id: string, jobId: string, overrides: Partial<AllocationRecord> = {}): AllocationRecord {
  return {
    id,
    jobId,
    group: 'api-server',
    index: 0,
    jobVersion: 0,
    specHash: 'group-hash',
    deploymentId: 'dep00001',
    desired: 'run',
    status: 'running',
    healthy: null,
    healthyAt: null,
    canary: false,
    containers: { server: 'f'.repeat(64) },
    ports: { http: 23049, admin: 9090 },
    description: '',
    createdAt: 3000,
    modifiedAt: 3000,
    ...overrides,
  };
}

export function sampleEvent(jobId: string, overrides: Partial<Omit<JobEvent, 'seq'>> = {}): Omit<JobEvent, 'seq'> {
  return {
    time: 4000,
    jobId,
    deploymentId: null,
    type: 'version-submitted',
    message: `job ${jobId} changed`,
    details: null,
    ...overrides,
  };
}

/** A fresh folder under the system temp dir, and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
