// What a revision asks for: submissions, revert commits, render errors, removed files, empty revisions.
import type { Diagnostic } from '../../src/model/diagnostic.js';
import type { Job } from '../../src/model/job.js';
import { decideRevision } from '../../src/agent/revision-plan.js';
import type { KnownJob } from '../../src/agent/revision-plan.js';
import { jobSpecHash } from '../../src/model/spec/change-rules.js';
import { group, update, webTask } from '../runtime/support.js';

function job(id: string, image: string, file = `${id}.nomad`): Job {
  return { id, type: 'service', source: { format: 'nomad', file }, meta: {}, historyLimit: null, networks: [{ name: 'default', dockerName: null, external: false }], endpoints: [], groups: [group([webTask(image)], { update })] };
}

function known(j: Job, history: string[], stopped = false): KnownJob {
  // history: images of versions oldest first; the newest is last.
  const versions = history.map((image, version) => ({ version, specHash: jobSpecHash(job(j.id, image, j.source.file)), stable: true })).reverse();
  return { id: j.id, file: j.source.file, format: j.source.format, stopped, versions };
}

const error = (file: string): Diagnostic => ({ severity: 'error', code: 'x', file, line: 3, col: 5, field: 'count', message: 'bad' });
const options = { prune: false, allowEmpty: false };

describe('decideRevision', () => {
  test('new and changed jobs are submitted, plain', () => {
    const web = job('web', 'deckhand-demo:v2');
    const decision = decideRevision({ jobs: [{ job: web, file: 'web.nomad' }], diagnostics: [], files: ['web.nomad'] }, [known(web, ['deckhand-demo:v1'])], options);
    expect(decision).toEqual({ submit: [{ job: web, file: 'web.nomad', revertOf: null }], renderErrors: [], renderWarnings: [], removed: [], refusedEmpty: false });
  });

  test('a job that goes back to an earlier spec is a revert to the newest such version', () => {
    const web = job('web', 'deckhand-demo:v1');
    const decision = decideRevision({ jobs: [{ job: web, file: 'web.nomad' }], diagnostics: [], files: ['web.nomad'] }, [known(web, ['deckhand-demo:v1', 'deckhand-demo:v2', 'deckhand-demo:v1', 'deckhand-demo:v3'])], options);
    expect(decision.submit[0]!.revertOf).toBe(2);
  });

  test('the same spec as the newest version is no revert', () => {
    const web = job('web', 'deckhand-demo:v1');
    expect(decideRevision({ jobs: [{ job: web, file: 'web.nomad' }], diagnostics: [], files: ['web.nomad'] }, [known(web, ['deckhand-demo:v1'])], options).submit[0]!.revertOf).toBeNull();
  });

  test('a file that does not render names its jobs, and they are neither submitted nor removed', () => {
    const web = job('web', 'deckhand-demo:v1');
    const decision = decideRevision({ jobs: [], diagnostics: [error('web.nomad')], files: ['web.nomad'] }, [known(web, ['deckhand-demo:v1'])], options);
    expect(decision).toEqual({ submit: [], renderErrors: [{ file: 'web.nomad', jobIds: ['web'], diagnostics: [error('web.nomad')] }], renderWarnings: [], removed: [], refusedEmpty: false });
  });

  test('warnings travel with the jobs of their file, now and before, while the jobs are submitted', () => {
    const web = job('web', 'deckhand-demo:v2');
    const warning: Diagnostic = { severity: 'warning', code: 'deprecated', file: 'web.nomad', line: 6, col: 7, field: 'update.stagger', message: 'stagger is deprecated' };
    const notice: Diagnostic = { ...warning, severity: 'notice', file: 'old.nomad', code: 'x' };
    const decision = decideRevision({ jobs: [{ job: web, file: 'web.nomad' }], diagnostics: [warning, notice], files: ['web.nomad', 'old.nomad'] }, [known(web, ['deckhand-demo:v1']), known(job('old', 'deckhand-demo:v1', 'old.nomad'), ['deckhand-demo:v1'])], options);
    expect(decision.submit.map((s) => s.job.id)).toEqual(['web']);
    expect(decision.renderErrors).toEqual([]);
    expect(decision.renderWarnings).toEqual([
      { file: 'web.nomad', jobIds: ['web'], diagnostics: [warning] },
      { file: 'old.nomad', jobIds: ['old'], diagnostics: [notice] },
    ]);
  });

  test('a removed file stops its job only with prune', () => {
    const web = job('web', 'deckhand-demo:v1');
    const api = job('api', 'deckhand-demo:v1');
    const input = { jobs: [{ job: api, file: 'api.nomad' }], diagnostics: [], files: ['api.nomad'] };
    const knownJobs = [known(web, ['deckhand-demo:v1']), known(api, ['deckhand-demo:v1'])];
    expect(decideRevision(input, knownJobs, options).removed).toEqual([{ jobId: 'web', file: 'web.nomad', stop: false }]);
    expect(decideRevision(input, knownJobs, { ...options, prune: true }).removed).toEqual([{ jobId: 'web', file: 'web.nomad', stop: true }]);
    // A job already stopped is not stopped again.
    expect(decideRevision(input, [known(web, ['deckhand-demo:v1'], true), knownJobs[1]!], { ...options, prune: true }).removed).toEqual([]);
  });

  test('a revision without job files while jobs run is refused, unless allowed', () => {
    const web = job('web', 'deckhand-demo:v1');
    const empty = { jobs: [], diagnostics: [], files: ['README.md'] };
    expect(decideRevision(empty, [known(web, ['deckhand-demo:v1'])], { prune: true, allowEmpty: false })).toEqual({ submit: [], renderErrors: [], renderWarnings: [], removed: [], refusedEmpty: true });
    expect(decideRevision(empty, [known(web, ['deckhand-demo:v1'])], { prune: true, allowEmpty: true }).removed).toEqual([{ jobId: 'web', file: 'web.nomad', stop: true }]);
    // Nothing runs yet: an empty repository is simply empty.
    expect(decideRevision(empty, [], options).refusedEmpty).toBe(false);
  });
});
