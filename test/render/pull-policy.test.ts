// Pull policies in the three formats: each maps to the task's `pull`, absent when the
// file says nothing (so jobs keep their spec hashes); a policy change is in place.
import { effectOf, groupSpecHash, jobSpecHash } from '../../src/model/spec/change-rules.js';
import { flattenTask } from '../../src/model/spec/flatten.js';
import { render, renderJob } from '../helpers/render.js';

const compose = (policy: string | null) => `services:\n  web:\n    image: deckhand-demo:v1\n${policy === null ? '' : `    pull_policy: ${policy}\n`}`;
const nomad = (forcePull: string | null) => `job "web" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config {\n        image = "deckhand-demo:v1"\n${forcePull === null ? '' : `        force_pull = ${forcePull}\n`}      }\n    }\n  }\n}\n`;
const deployment = (image: string, policy: string | null) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n${policy === null ? '' : `          imagePullPolicy: ${policy}\n`}`;

const pullOf = (job: ReturnType<typeof renderJob>) => job.groups[0]!.tasks[0]!.pull;

describe('Compose pull_policy', () => {
  it.each([
    ['always', 'always'],
    ['missing', 'missing'],
    ['if_not_present', 'missing'],
    ['never', 'never'],
  ])('%s is %s', (policy, pull) => {
    expect(pullOf(renderJob(compose(policy), { format: 'compose', path: 'compose.yaml' }))).toBe(pull);
  });

  it('is absent when the file says nothing', () => {
    expect('pull' in renderJob(compose(null), { format: 'compose', path: 'compose.yaml' }).groups[0]!.tasks[0]!).toBe(false);
  });

  it('refuses build and periodic policies at their line', () => {
    const { lines, jobs } = render(compose('build'), { format: 'compose', path: 'compose.yaml' });
    expect(jobs).toHaveLength(0);
    expect(lines).toEqual(['compose.yaml:4:18: services.web.pull_policy: pull_policy "build" is not supported: deckhand runs images and builds none (use "always", "missing" or "never"; with "always" a tag pushed anew rolls out on the next sync)']);
  });
});

describe('Nomad force_pull', () => {
  it('true is always; false and absent leave the agent its policy', () => {
    expect(pullOf(renderJob(nomad('true')))).toBe('always');
    expect(pullOf(renderJob(nomad('false')))).toBeUndefined();
    expect(jobSpecHash(renderJob(nomad('false')))).toBe(jobSpecHash(renderJob(nomad(null))));
  });

  it('a value that is not a bool is an error at its line', () => {
    expect(render(nomad('"yes"')).lines.join('\n')).toMatch(/^job\.nomad:7:\d+: .*force_pull/m);
  });
});

describe('Kubernetes imagePullPolicy', () => {
  const k8s = (image: string, policy: string | null) => renderJob(deployment(image, policy), { format: 'kubernetes', path: 'web.yaml' });

  it('Always and Never are kept; IfNotPresent on a latest or untagged image is kept too', () => {
    expect(pullOf(k8s('deckhand-demo:v1', 'Always'))).toBe('always');
    expect(pullOf(k8s('deckhand-demo:v1', 'Never'))).toBe('never');
    expect(pullOf(k8s('deckhand-demo:latest', 'IfNotPresent'))).toBe('missing');
    expect(pullOf(k8s('deckhand-demo', 'IfNotPresent'))).toBe('missing');
  });

  it('IfNotPresent on a tagged image is the API server\'s default: the same job as without it', () => {
    expect(jobSpecHash(k8s('deckhand-demo:v1', 'IfNotPresent'))).toBe(jobSpecHash(k8s('deckhand-demo:v1', null)));
  });

  it('absent is absent, even for :latest (the agent\'s --pull applies, not Kubernetes\' Always)', () => {
    expect(pullOf(k8s('deckhand-demo:latest', null))).toBeUndefined();
  });

  it('a misspelt policy is an error with a did-you-mean', () => {
    expect(render(deployment('deckhand-demo:v1', 'Allways'), { format: 'kubernetes', path: 'web.yaml' }).lines).toEqual([
      'web.yaml:15:28: spec.template.spec.containers[0].imagePullPolicy: expected "Always", "IfNotPresent" or "Never", got "Allways" (did you mean "Always"?)',
    ]);
  });
});

describe('in the spec', () => {
  const job = renderJob(compose('always'), { format: 'compose', path: 'compose.yaml' });
  const task = job.groups[0]!.tasks[0]!;

  it('a policy is an in-place change: the containers are kept', () => {
    expect(flattenTask(task).fields.PullPolicy).toBe('always');
    expect(effectOf('task', 'PullPolicy')).toBe('in-place');
    const without = renderJob(compose(null), { format: 'compose', path: 'compose.yaml' });
    expect(groupSpecHash(job.groups[0]!)).toBe(groupSpecHash(without.groups[0]!));
    expect(jobSpecHash(job)).not.toBe(jobSpecHash(without));
  });

  it('a resolved digest is part of the image: a new one replaces the containers', () => {
    const pinned = (digest: string) => ({ ...job.groups[0]!, tasks: [{ ...task, imageDigest: digest }] });
    expect(flattenTask({ ...task, imageDigest: 'sha256:aa' }).objects.find((o) => o.kind === 'Config')!.fields.image_digest).toBe('sha256:aa');
    expect(groupSpecHash(pinned('sha256:aa'))).not.toBe(groupSpecHash(pinned('sha256:bb')));
  });
});
