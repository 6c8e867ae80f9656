// Job size limits: a count, a number of groups or of tasks past them is a
// positioned error in the file's own terms, in every format; the limits come in
// as values (the agent's settings), the defaults otherwise.
import { defaultJobLimits } from '../../src/render/validate.js';
import { render } from '../helpers/render.js';

const nomad = (groups: string) => `job "big" {\n${groups}}\n`;
/** Nine lines, and six more per extra task. */
const nomadGroup = (name: string, count: number, tasks = 1) =>
  `  group "${name}" {\n    count = ${count}\n${Array.from({ length: tasks }, (_, i) => `    task "t${i}" {\n      driver = "docker"\n      config {\n        image = "x"\n      }\n    }\n`).join('')}  }\n`;

describe('job size limits', () => {
  it('are 1,000 allocations per group, 200 groups, 50 tasks per group by default', () => {
    expect(defaultJobLimits).toEqual({ maxCount: 1000, maxGroups: 200, maxTasks: 50 });
    expect(render(nomad(nomadGroup('web', 1000))).lines).toEqual([]);
  });

  it('refuse a count past the limit, at the count', () => {
    const result = render(nomad(nomadGroup('web', 1_000_000)), { path: 'jobs/big.nomad' });
    expect(result.lines).toEqual(["jobs/big.nomad:3:13: count: must be at most 1000, got 1000000 (the limit is the agent's max-count setting)"]);
    expect(result.jobs).toEqual([]);
  });

  it('refuse Compose replicas and Kubernetes replicas the same way', () => {
    const compose = render('services:\n  web:\n    image: x\n    deploy:\n      replicas: 5000\n', { format: 'compose', path: 'compose.yaml' });
    expect(compose.lines).toEqual(["compose.yaml:5:17: services.web.deploy.replicas: must be at most 1000, got 5000 (the limit is the agent's max-count setting)"]);
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2000\n  template:\n    spec:\n      containers:\n        - name: api\n          image: x\n';
    expect(render(deployment, { format: 'kubernetes', path: 'api.yaml' }).lines).toEqual([
      "api.yaml:6:13: spec.replicas: must be at most 1000, got 2000 (the limit is the agent's max-count setting)",
    ]);
  });

  it('refuse too many groups at the first group past the limit, and too many tasks at the first task past it', () => {
    const groups = Array.from({ length: 210 }, (_, i) => nomadGroup(`g${i}`, 1)).join('');
    const tooManyGroups = render(nomad(groups));
    expect(tooManyGroups.lines).toEqual([`job.nomad:${2 + 200 * 9}:9: group: a job may have at most 200 groups, this one has 210 (the limit is the agent's max-groups setting)`]);
    const tooManyTasks = render(nomad(nomadGroup('web', 1, 51)));
    expect(tooManyTasks.lines).toEqual([`job.nomad:${4 + 50 * 6}:10: task: group "web" may have at most 50 tasks, it has 51 (the limit is the agent's max-tasks setting)`]);
  });

  it('take the limits the caller gives', () => {
    const limits = { maxCount: 5, maxGroups: 1, maxTasks: 1 };
    expect(render(nomad(nomadGroup('web', 5)), { options: { limits } }).lines).toEqual([]);
    expect(render(nomad(nomadGroup('web', 6) + nomadGroup('api', 1, 2)), { options: { limits } }).lines).toEqual([
      "job.nomad:3:13: count: must be at most 5, got 6 (the limit is the agent's max-count setting)",
      "job.nomad:11:9: group: a job may have at most 1 groups, this one has 2 (the limit is the agent's max-groups setting)",
      'job.nomad:19:10: task: group "api" may have at most 1 tasks, it has 2 (the limit is the agent\'s max-tasks setting)',
    ]);
    expect(render(nomad(nomadGroup('web', 1_000_000)), { options: { limits: { ...defaultJobLimits, maxCount: 2_000_000 } } }).lines).toEqual([]);
  });
});
