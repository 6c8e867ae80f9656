// The sync state of Git-owned jobs: synced, out of sync (and why), progressing, degraded.
import type { Diagnostic } from '../../src/model/diagnostic.js';
import type { VersionSource } from '../../src/model/state.js';
import { countSyncStates, isGitOwned, jobSyncState } from '../../src/status/job-sync.js';
import type { JobSyncInput, RepositorySync } from '../../src/status/job-sync.js';

const c1 = 'a'.repeat(40);
const c2 = 'b'.repeat(40);

function source(kind: VersionSource['kind'], commit: string | null, revertOf: number | null = null): VersionSource {
  return { kind, commit, file: 'jobs/web.nomad', author: null, message: null, revertOf };
}

const repository: RepositorySync = { sha: c2, diagnostics: [], refused: [], removed: [], jobIds: ['web'], selfHeal: true };

/** A job at version 1 from c2 over version 0 from c1, its deployment successful, both allocations running. */
function input(change: Partial<JobSyncInput> = {}): JobSyncInput {
  return {
    jobId: 'web',
    stopped: false,
    versions: [
      { version: 1, source: source('git', c2) },
      { version: 0, source: source('git', c1) },
    ],
    deployment: { id: 'd1d1d1d1-0000', jobVersion: 1, status: 'successful', description: 'Deployment completed successfully' },
    allocations: [0, 1].map(() => ({ group: 'web', desired: 'run' as const, status: 'running' as const, jobVersion: 1 })),
    groups: [{ name: 'web', count: 2 }],
    repository,
    ...change,
  };
}

const renderError: Diagnostic = { severity: 'error', code: 'syntax', file: 'jobs/web.nomad', line: 3, col: 7, field: '', message: 'expected "}"' };

describe('jobSyncState', () => {
  test('a job whose Git version runs after a successful deployment is synced at the last synced commit', () => {
    expect(jobSyncState(input())).toEqual({ state: 'synced', reason: null, commit: c2 });
  });

  test('a job that never came from Git has no sync state', () => {
    expect(jobSyncState(input({ versions: [{ version: 0, source: source('cli', null) }] }))).toBeNull();
  });

  test('a render error of its file makes it out of sync with file:line:col, whatever runs', () => {
    const other: Diagnostic = { ...renderError, file: 'jobs/api.nomad' };
    const warning: Diagnostic = { ...renderError, severity: 'warning', line: 9 };
    const state = jobSyncState(input({ repository: { ...repository, diagnostics: [other, warning, renderError, { ...renderError, line: 4 }] } }));
    expect(state).toEqual({ state: 'out of sync', reason: 'render error: jobs/web.nomad:3:7: expected "}" (and 1 more); the job keeps running as it was', commit: c2 });
  });

  test('another file\'s render error leaves it synced', () => {
    expect(jobSyncState(input({ repository: { ...repository, diagnostics: [{ ...renderError, file: 'jobs/api.nomad' }] } }))?.state).toBe('synced');
  });

  test('an auto-revert is degraded, naming the commit rolled back, until a commit changes the job', () => {
    const versions = [
      { version: 2, source: source('auto-revert', c1, 0) },
      { version: 1, source: source('git', c2) },
      { version: 0, source: source('git', c1) },
    ];
    const rollingBack = jobSyncState(input({ versions, deployment: { id: 'd2d2d2d2', jobVersion: 2, status: 'running', description: 'Deployment is running' } }));
    expect(rollingBack).toEqual({ state: 'degraded', reason: 'commit bbbbbbb failed to deploy and was rolled back to version 0; rolling back now; a new commit changing the job clears this', commit: c2 });
    // A later commit that leaves the job alone gives the failed spec again: refused, still degraded.
    const after = jobSyncState(input({ versions, deployment: { id: 'd2d2d2d2', jobVersion: 2, status: 'successful', description: '' }, repository: { ...repository, sha: 'c'.repeat(40), refused: [{ jobId: 'web', message: 'this spec failed before' }] } }));
    expect(after).toEqual({ state: 'degraded', reason: 'commit bbbbbbb failed to deploy and was rolled back to version 0; a new commit changing the job clears this', commit: c2 });
    // The next commit that changes the job is a new Git version: the state follows it.
    expect(jobSyncState(input({ versions: [{ version: 3, source: source('git', 'c'.repeat(40)) }, ...versions], deployment: { id: 'd3', jobVersion: 3, status: 'successful', description: '' }, allocations: input().allocations.map((a) => ({ ...a, jobVersion: 3 })) }))?.state).toBe('synced');
  });

  test('a version refused is out of sync with the refusal', () => {
    const state = jobSyncState(input({ repository: { ...repository, refused: [{ jobId: 'web', message: 'job "web": group "web": count cannot go to 5000' }] } }));
    expect(state).toEqual({ state: 'out of sync', reason: 'version refused: job "web": group "web": count cannot go to 5000', commit: c2 });
  });

  test('a manual run or revert is out of sync, saying self-heal puts Git back when it is on', () => {
    const run = [{ version: 2, source: source('cli', null) }, ...input().versions];
    expect(jobSyncState(input({ versions: run }))?.reason).toBe("manual run (version 2); self-heal puts Git's version back at the next sync");
    expect(jobSyncState(input({ versions: run, repository: { ...repository, selfHeal: false } }))?.reason).toBe('manual run (version 2)');
    const revert = [{ version: 2, source: source('revert', c1, 0) }, ...input().versions];
    expect(jobSyncState(input({ versions: revert }))).toEqual({ state: 'out of sync', reason: "manual revert to version 0 (version 2); self-heal puts Git's version back at the next sync", commit: c2 });
  });

  test('a stopped job Git still defines is out of sync; one whose file Git removed (prune) is synced', () => {
    expect(jobSyncState(input({ stopped: true }))?.reason).toBe("stopped by hand; self-heal puts Git's version back at the next sync");
    expect(jobSyncState(input({ stopped: true, repository: { ...repository, jobIds: [] } }))).toEqual({ state: 'synced', reason: 'removed from Git and stopped', commit: c2 });
  });

  test('a job whose file is gone but which keeps running is out of sync', () => {
    const state = jobSyncState(input({ repository: { ...repository, jobIds: [], removed: [{ jobId: 'web', file: 'jobs/web.nomad' }] } }));
    expect(state?.reason).toBe('its file jobs/web.nomad is no longer in the repository; it keeps running (--prune stops such jobs)');
  });

  test('a running or paused deployment is progressing', () => {
    for (const status of ['running', 'paused'] as const) {
      const state = jobSyncState(input({ deployment: { id: 'd1d1d1d1-0000', jobVersion: 1, status, description: 'Deployment is running' } }));
      expect(state).toEqual({ state: 'progressing', reason: 'deployment d1d1d1d1 of version 1: Deployment is running', commit: c2 });
    }
  });

  test('a failed deployment without auto-revert is degraded', () => {
    const state = jobSyncState(input({ deployment: { id: 'd1d1d1d1-0000', jobVersion: 1, status: 'failed', description: 'Failed due to unhealthy allocations' } }));
    expect(state).toEqual({ state: 'degraded', reason: 'deployment d1d1d1d1 of version 1 failed: Failed due to unhealthy allocations', commit: c2 });
  });

  test('a container gone behind deckhand\'s back is out of sync until it is put back', () => {
    const [one] = input().allocations;
    const gone = jobSyncState(input({ allocations: [one!, { ...one!, status: 'failed' }] }));
    expect(gone).toEqual({ state: 'out of sync', reason: 'changed outside deckhand: group web has 1 of 2 allocations running; being put back', commit: c2 });
  });

  test('without a synced commit yet, the commit is that of its newest Git version', () => {
    expect(jobSyncState(input({ repository: { ...repository, sha: null } }))?.commit).toBe(c2);
  });
});

describe('isGitOwned', () => {
  test('Git owns a job some version of which came from a commit, while the last commit defines it', () => {
    const versions = input().versions;
    expect(isGitOwned('web', versions, { jobIds: ['web'] })).toBe(true);
    expect(isGitOwned('web', versions, { jobIds: null })).toBe(true);
    expect(isGitOwned('web', versions, { jobIds: ['api'] })).toBe(false);
    expect(isGitOwned('web', [{ source: source('cli', null) }], { jobIds: ['web'] })).toBe(false);
  });
});

describe('countSyncStates', () => {
  test('every state is counted, 0 when none, jobs without a state left out', () => {
    expect(countSyncStates([jobSyncState(input()), null, jobSyncState(input({ stopped: true }))])).toEqual({ synced: 1, 'out of sync': 1, progressing: 0, degraded: 0 });
  });
});
