// Phantom changes the property tests found once, each as its smallest input,
// kept so they never come back.
import type { Job } from '../../../src/model/job.js';
import { jobSpecHash } from '../../../src/model/spec/change-rules.js';
import { diffJobs } from '../../../src/plan/diff.js';
import { planJob } from '../../../src/plan/plan.js';
import { submitJob } from '../../../src/rollout/submit.js';
import { renderTree } from '../../../src/render/tree.js';
import { openMemoryStore } from '../../../src/store/sqlite-store.js';
import { renderJob, treeOf } from '../../helpers/render.js';
import { allocationsRunning, describeDiff } from './phantom.js';

const options = { env: {}, vars: {}, varFiles: [] };

/** Asserts that `b` is the same job as `a`: no diff, same hashes, a plan with nothing to do. */
function expectSameJob(a: Job, b: Job): void {
  expect(describeDiff(diffJobs(a, b))).toBe('');
  expect(jobSpecHash(b)).toBe(jobSpecHash(a));
  const plan = planJob({ job: b, current: { job: a, version: 1, modifyIndex: 7, stopped: false }, live: { allocations: allocationsRunning(a, 1) } });
  expect(plan.changes).toBe(false);
}

/** A Nomad job of one group whose body is `group`. */
const nomadJob = (group: string) => `job "shop" {\n  group "api" {\n${group}  }\n}\n`;
const task = (name: string, extra = '') =>
  `    task "${name}" {\n      driver = "docker"\n      config {\n        image = "${name}:1"\n      }\n${extra}    }\n`;

describe('phantom changes found before, now fixed', () => {
  // renderTree / discover.ts formatByContent: a YAML file not named like a Compose file is a job only
  // when line-based regexes match `kind: Deployment` and `apiVersion: apps/v1` exactly.
  const deployment = (kindLine: string) =>
    `apiVersion: apps/v1\n${kindLine}\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1\n`;
  const found = (text: string, path = 'deployment.yaml') => renderTree(treeOf({ [path]: text }), options).jobs.map((j) => j.job.id);

  it('(control) a Deployment with a plain kind line is found', () => {
    expect(found(deployment('kind: Deployment'))).toEqual(['web']);
  });

  it('a Deployment whose kind line ends in a comment is still found by renderTree', () => {
    expect(found(deployment('kind: Deployment # the web app'))).toEqual(['web']);
  });

  it('a Deployment with a quoted "kind" key is still found by renderTree', () => {
    expect(found(deployment('"kind": Deployment'))).toEqual(['web']);
  });

  it('a Deployment written as one flow map is still found by renderTree', () => {
    expect(found('{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {spec: {containers: [{name: web, image: "nginx:1"}]}}}}\n')).toEqual(['web']);
  });

  it('(control) a Compose file not named like one is found by its services map', () => {
    expect(found('services:\n  web:\n    image: nginx:1\n', 'app.yml')).toEqual(['repo']);
  });

  it('a Compose file (not named like one) whose services map carries an anchor is still found by renderTree', () => {
    expect(found('services: &all\n  web:\n    image: nginx:1\n', 'app.yml')).toEqual(['repo']);
  });

  // src/hcl/eval.ts templatePart: an interpolation known only at placement comes back as its
  // source text, spaces and comments included, so `${ NOMAD_PORT_http }` is another env value than
  // `${NOMAD_PORT_http}`; env and config changes force every allocation to be replaced.
  it('spaces inside a placement-time interpolation are no change', () => {
    const withPort = (reference: string) =>
      nomadJob(`    network {\n      port "http" {}\n    }\n${task('server', `      env {\n        PORT = "${reference}"\n      }\n`)}`);
    const a = renderJob(withPort('${NOMAD_PORT_http}'));
    const b = renderJob(withPort('${ NOMAD_PORT_http }'));
    expectSameJob(a, b);
  });

  it('(control) the same reference escaped as $${NOMAD_PORT_http} is no change', () => {
    const withPort = (reference: string) =>
      nomadJob(`    network {\n      port "http" {}\n    }\n${task('server', `      env {\n        PORT = "${reference}"\n      }\n`)}`);
    expectSameJob(renderJob(withPort('${NOMAD_PORT_http}')), renderJob(withPort('$${NOMAD_PORT_http}')));
  });

  // src/render/nomad/job.ts mapGroup: a group-level service without `task` gives its checks to `tasks[0]`,
  // the first task in the file.
  it('swapping two tasks leaves a group-level service\'s checks where they were', () => {
    const service = '    network {\n      port "http" {}\n    }\n    service {\n      port = "http"\n      check {\n        type = "tcp"\n      }\n    }\n';
    const a = renderJob(nomadJob(service + task('server') + task('proxy')));
    const b = renderJob(nomadJob(service + task('proxy') + task('server')));
    expectSameJob(a, b);
  });

  // src/render/nomad/job.ts mapGroup/mapRestart: the group's one restart policy is the tasks'
  // restart blocks applied in file order, the last task's winning.
  it('swapping two tasks with restart blocks leaves the restart policy as it was', () => {
    const a = renderJob(nomadJob(task('server', '      restart {\n        attempts = 3\n      }\n') + task('proxy', '      restart {\n        attempts = 1\n      }\n')));
    const b = renderJob(nomadJob(task('proxy', '      restart {\n        attempts = 1\n      }\n') + task('server', '      restart {\n        attempts = 3\n      }\n')));
    expectSameJob(a, b);
  });

  // src/plan/flatten.ts checkName/uniqueNames: two unnamed checks probing the same port get the names
  // `tcp http` and `tcp http #2` in file order, so swapping them swaps their settings in the diff.
  const withChecks = (checks: string[]) =>
    nomadJob(`    network {\n      port "http" {}\n    }\n${task('server', `      service {\n        port = "http"\n${checks.join('')}      }\n`)}`);
  const tcp = (interval: string) => `        check {\n          type     = "tcp"\n          interval = "${interval}"\n        }\n`;
  const named = (name: string, type: string) => `        check {\n          name = "${name}"\n          type = "${type}"\n          path = "/"\n        }\n`;

  it('swapping two unnamed checks of one port is no change', () => {
    const a = renderJob(withChecks([tcp('20s'), tcp('1m')]));
    const b = renderJob(withChecks([tcp('1m'), tcp('20s')]));
    expectSameJob(a, b);
  });

  // src/plan/change-rules.ts jobSpecHash sorts groups, tasks and ports by name but not checks.
  it('swapping two named checks keeps jobSpecHash (the diff already says None)', () => {
    const a = renderJob(withChecks([named('alive', 'tcp'), named('ready', 'http')]));
    const b = renderJob(withChecks([named('ready', 'http'), named('alive', 'tcp')]));
    expect(diffJobs(a, b).type).toBe('None');
    expect(jobSpecHash(b)).toBe(jobSpecHash(a));
  });

  // The consequence in src/rollout/submit.ts: `deckhand plan` says "no changes", `deckhand run`
  // registers a new version anyway, and the next plan updates every allocation in place.
  it('submitting a job with two checks swapped registers no new version', () => {
    const a = renderJob(withChecks([named('alive', 'tcp'), named('ready', 'http')]));
    const b = renderJob(withChecks([named('ready', 'http'), named('alive', 'tcp')]));
    const store = openMemoryStore();
    try {
      const source = { kind: 'cli' as const, commit: null, file: 'job.nomad', author: null, message: null, revertOf: null };
      submitJob(store, { job: a, source, sourceText: null, now: 1 });
      const second = submitJob(store, { job: b, source, sourceText: null, now: 2 });
      expect(second.changed).toBe(false);
      expect(second.version.version).toBe(0);
    } finally {
      store.close();
    }
  });
});
