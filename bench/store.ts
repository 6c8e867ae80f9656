// Store benchmark: what the agent asks of SQLite at 100 jobs / 500 allocations
// (the agent benchmark's size), on disk in WAL mode as the agent opens it. Each
// row is the median of several rounds in one process, after a warm-up round.
import { performance } from 'node:perf_hooks';
import type { Store } from '../src/store/store.js';
import { openStore } from '../src/store/sqlite-store.js';
import { sampleAllocation, sampleDeployment, sampleEvent, tempDir, versionInput } from '../test/store/fixtures.js';
import type { BenchRow } from './table.js';

const jobCount = 100;
const versionsPerJob = 10;
const allocationsPerJob = 5;
// A rollout step as the engine writes it: the allocations it moves, the deployment, an event.
const stepsPerJob = 4;
const rounds = 5;

const jobId = (i: number): string => `bench-${String(i).padStart(3, '0')}`;
const allocationId = (job: number, index: number): string => `${String(job).padStart(4, '0')}${String(index).padStart(4, '0')}`;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs `body` once to warm up, then `rounds` times; the median time of one round, in ms. */
function measure(body: (round: number) => void): number {
  body(-1);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    body(round);
    times.push(performance.now() - start);
  }
  return median(times);
}

function submitAll(store: Store, round: number): void {
  for (let v = 0; v < versionsPerJob; v++) {
    for (let j = 0; j < jobCount; j++) {
      store.submitVersion(versionInput(jobId(j), { submittedAt: 1000 + round * 100 + v, specHash: `hash-${round}-${v}` }));
    }
  }
}

function rolloutSteps(store: Store, round: number): void {
  for (let step = 0; step < stepsPerJob; step++) {
    for (let j = 0; j < jobCount; j++) {
      const id = jobId(j);
      const at = 10_000 + round * 100 + step;
      store.transaction(() => {
        for (let index = 0; index < allocationsPerJob; index++) {
          const healthy = step === stepsPerJob - 1;
          store.putAllocation(
            sampleAllocation(allocationId(j, index), id, { index, status: step === 0 ? 'pending' : 'running', healthy, healthyAt: healthy ? at : null, modifiedAt: at }),
          );
        }
        store.putDeployment(sampleDeployment(`dep-${id}`, id, { updatedAt: at }));
        store.appendEvent(sampleEvent(id, { time: at, type: 'allocation-updated', message: `step ${step}` }));
      });
    }
  }
}

export async function storeBenchmark(): Promise<BenchRow[]> {
  const { dir, remove } = tempDir();
  try {
    let store = openStore(dir);
    const submitMs = measure((round) => submitAll(store, round));
    const stepMs = measure((round) => rolloutSteps(store, round));
    const allAllocationsMs = measure(() => {
      for (let i = 0; i < 20; i++) if (store.listAllocations().length !== jobCount * allocationsPerJob) throw new Error('store benchmark: allocations missing');
    }) / 20;
    const jobReadsMs = measure(() => {
      for (let j = 0; j < jobCount; j++) {
        const id = jobId(j);
        store.getJob(id);
        store.listAllocations(id);
        store.listDeployments(id);
      }
    });
    const versionsMs = measure(() => {
      for (let j = 0; j < jobCount; j++) store.listVersions(jobId(j));
    });
    const reopenMs = measure(() => {
      store.close();
      store = openStore(dir);
    });
    store.close();

    const submits = jobCount * versionsPerJob;
    const steps = jobCount * stepsPerJob;
    const versionsStored = submits * (rounds + 1);
    const perOp = (ms: number, ops: number): string => `${ms.toFixed(1)} ms (${((ms / ops) * 1000).toFixed(0)} µs each)`;
    const memory = `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;
    const row = (benchmark: string, result: string): BenchRow => ({ benchmark: `store: ${benchmark}`, result, memory, goal: '-', met: null });
    return [
      row(`submit ${submits} versions of ${jobCount} jobs, one transaction each`, perOp(submitMs, submits)),
      row(`${steps} rollout steps (${allocationsPerJob} allocations + deployment + event per transaction)`, perOp(stepMs, steps)),
      row(`listAllocations() of all ${jobCount * allocationsPerJob}`, `${allAllocationsMs.toFixed(2)} ms`),
      row(`getJob + listAllocations + listDeployments of each of ${jobCount} jobs`, perOp(jobReadsMs, jobCount)),
      row(`listVersions of each of ${jobCount} jobs (${versionsStored / jobCount} versions each)`, perOp(versionsMs, jobCount)),
      row(`reopen with ${versionsStored} versions (quick_check, migrations)`, `${reopenMs.toFixed(1)} ms`),
    ];
  } finally {
    remove();
  }
}
