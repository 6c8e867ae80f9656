// `deckhand status JOB` shows where a job's endpoints listen and how many
// allocations each one sends connections to now.
import { formatJobList, formatJobStatus } from '../../src/cli/format/status.js';
import type { JobStatusView, JobSummaryView } from '../../src/api/index.js';

const job = (endpoints: JobStatusView['endpoints']): JobStatusView => ({
  id: 'vote', version: 2, status: 'running', stopped: false, modifyIndex: 3, format: 'compose', file: 'vote/compose.yaml',
  groups: [{ name: 'vote', count: 3, running: 3, healthy: 2 }], endpoints, latestDeployment: null, allocations: [],
});

describe('status: endpoints', () => {
  it('lists each endpoint with the healthy allocations it serves', () => {
    const text = formatJobStatus(job([{ address: '127.0.0.1', port: 8000, group: 'vote', portLabel: '8000', allocations: ['aaaaaaaa11', 'bbbbbbbb22'], error: null }]), 0);
    expect(text).toContain('Endpoints\nAddress         Task Group  Port  Serving\n127.0.0.1:8000  vote        8000  2 healthy allocations');
  });

  it('says when no allocation is healthy, and leaves the section out for a job without endpoints', () => {
    expect(formatJobStatus(job([{ address: '0.0.0.0', port: 80, group: 'vote', portLabel: 'http', allocations: [], error: null }]), 0)).toContain('0.0.0.0:80  vote        http  no healthy allocation');
    expect(formatJobStatus(job([{ address: '0.0.0.0', port: 80, group: 'vote', portLabel: 'http', allocations: ['a'], error: 'EADDRINUSE' }]), 0)).toContain('http  cannot listen: EADDRINUSE');
    expect(formatJobStatus(job([]), 0)).not.toContain('Endpoints');
  });
});

describe('status: the job file at the last synced commit', () => {
  it('shows its errors and warnings as validate prints them, above the summary; nothing when it has none', () => {
    const diagnostics = [{ severity: 'warning' as const, code: 'deprecated', file: 'vote/compose.yaml', line: 1, col: 1, field: 'version', message: 'version is deprecated: the attribute is obsolete and ignored, as Compose says of it' }];
    const text = formatJobStatus({ ...job([]), fileDiagnostics: { commit: '0123456789abcdef', diagnostics } }, 0);
    expect(text).toContain('Job File Diagnostics (commit 0123456)\nvote/compose.yaml:1:1: warning: version: version is deprecated: the attribute is obsolete and ignored, as Compose says of it\n\nSummary\n');
    expect(formatJobStatus(job([]), 0)).not.toContain('Job File Diagnostics');
  });
});

describe('status: sync state of jobs from Git', () => {
  const summary = (sync: JobSummaryView['sync']): JobSummaryView => ({ id: 'vote', version: 2, status: 'running', modifyIndex: 3, format: 'compose', latestDeployment: null, sync });

  it('adds a Sync column when some job came from Git, a dash for the others; none otherwise', () => {
    const text = formatJobList([summary({ state: 'out of sync', reason: 'manual run (version 2)', commit: 'a'.repeat(40) }), { ...summary(null), id: 'api' }]);
    expect(text).toBe('ID    Format   Version  Status   Sync         Latest Deployment\nvote  compose  2        running  out of sync  -\napi   compose  2        running  -            -\n');
    expect(formatJobList([summary(null)])).not.toContain('Sync');
  });

  it('shows the state, its commit and its reason on the job; the commit once when the reason names it', () => {
    const commit = '0123456789abcdef0123456789abcdef01234567';
    expect(formatJobStatus({ ...job([]), sync: { state: 'synced', reason: null, commit } }, 0)).toMatch(/^Sync +?= synced at 0123456$/m);
    expect(formatJobStatus({ ...job([]), sync: { state: 'degraded', reason: 'commit 0123456 failed to deploy and was rolled back to version 1', commit } }, 0)).toMatch(/^Sync += degraded: commit 0123456 failed to deploy and was rolled back to version 1$/m);
    expect(formatJobStatus(job([]), 0)).not.toMatch(/^Sync/m);
  });
});
