// How `deployment status` and `events` print: pure formatting, no agent.
import { eventLine, formatDeploymentMatches, formatDeploymentStatus } from '../../src/cli/format/deployment.js';

const deployment = (id: string, overrides = {}) => ({
  id,
  jobId: 'web',
  jobVersion: 3,
  status: 'running' as const,
  description: 'Deployment is running pending automatic promotion',
  createdAt: 0,
  updatedAt: 0,
  groups: [{ name: 'api', desired: 4, placed: 1, healthy: 1, unhealthy: 0, canaries: 1, promoted: false }],
  ...overrides,
});

describe('deployment and event formatting', () => {
  it('shows canary columns only when a group has canaries', () => {
    expect(formatDeploymentStatus(deployment('abc'))).toBe(
      'ID          = abc\nJob ID      = web\nJob Version = 3\nStatus      = running\nDescription = Deployment is running pending automatic promotion\n\n' +
        'Deployed\nTask Group  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy\napi         false     4        1         1       1        0\n',
    );
    const plain = deployment('abc', { groups: [{ name: 'api', desired: 2, placed: 2, healthy: 2, unhealthy: 0, canaries: 0, promoted: false }] });
    expect(formatDeploymentStatus(plain)).toContain('Task Group  Desired  Placed  Healthy  Unhealthy\napi         2        2       2        0\n');
  });

  it('lists what an ambiguous prefix matched, with full ids', () => {
    const text = formatDeploymentMatches('ab', [deployment('ab12'), deployment('ab34', { jobId: 'db', status: 'failed', description: 'Failed due to progress deadline' })]);
    expect(text).toBe(
      'Prefix "ab" matched multiple deployments; give more of the id:\n\n' +
        'ID    Job ID  Job Version  Status   Description\n' +
        'ab12  web     3            running  Deployment is running pending automatic promotion\n' +
        'ab34  db      3            failed   Failed due to progress deadline\n',
    );
  });

  it('prints an event as time, job, kind and message; a job-less one with a dash', () => {
    const time = Date.UTC(2026, 11, 7, 19, 43, 29, 512);
    expect(eventLine({ type: 'deployment', jobId: 'web', message: 'deployment 1a2b3c4d successful', time, deploymentId: '1a2b' })).toBe('2026-12-07T19:43:29Z  web  deployment  deployment 1a2b3c4d successful\n');
    expect(eventLine({ type: 'runtime', jobId: null, message: 'docker is back', time, deploymentId: null })).toBe('2026-12-07T19:43:29Z  -  runtime  docker is back\n');
  });
});
