import { renderTree } from '../../src/render/tree.js';
import { formatDiagnostic } from '../../src/model/diagnostic.js';
import { treeOf } from '../helpers/render.js';

const nomadJob = (id: string) => `job "${id}" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config {\n        image = "x"\n      }\n    }\n  }\n}\n`;
const compose = 'services:\n  web:\n    image: demo:v1\n';
const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: demo:v1\n';

describe('job discovery', () => {
  it('finds jobs by name, and YAML jobs by content', () => {
    const result = renderTree(
      treeOf({
        'a.nomad': nomadJob('a'),
        'b.nomad.hcl': nomadJob('b'),
        'stack/compose.yml': compose,
        'stack2/docker-compose.prod.yaml': compose.replace('web', 'api'),
        'x.stack.yml': 'name: xstack\nservices:\n  s:\n    image: x\n',
        'other/app.yaml': 'name: other\n' + compose,
        'k8s/api.yaml': deployment,
        'k8s/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n',
        'config/settings.yaml': 'debug: true\n',
        'notes.txt': 'job "no" {}',
        'main.tf': 'resource "x" "y" {}',
      }),
    );
    expect(result.files).toEqual([
      { path: 'a.nomad', format: 'nomad' },
      { path: 'b.nomad.hcl', format: 'nomad' },
      { path: 'k8s/api.yaml', format: 'kubernetes' },
      // A file of Services is read for the Deployments they select.
      { path: 'k8s/service.yaml', format: 'kubernetes' },
      { path: 'other/app.yaml', format: 'compose' },
      { path: 'stack/compose.yml', format: 'compose' },
      { path: 'stack2/docker-compose.prod.yaml', format: 'compose' },
      { path: 'x.stack.yml', format: 'compose' },
    ]);
    expect(result.jobs.map((j) => j.job.id).sort()).toEqual(['a', 'api', 'b', 'other', 'stack', 'stack2', 'xstack']);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('narrows the files with include and exclude globs from deckhand.yaml', () => {
    const files = {
      'deckhand.yaml': 'include: ["jobs/**"]\nexclude:\n  - "jobs/old/**"\n',
      'jobs/a.nomad': nomadJob('a'),
      'jobs/old/b.nomad': nomadJob('b'),
      'elsewhere/c.nomad': nomadJob('c'),
    };
    expect(renderTree(treeOf(files)).jobs.map((j) => j.job.id)).toEqual(['a']);
  });

  it('renders nothing when deckhand.yaml is broken: it cannot tell which files are jobs', () => {
    const result = renderTree(treeOf({ 'deckhand.yaml': 'include: 3\n', 'a.nomad': nomadJob('a') }));
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['deckhand.yaml:1:10: include: expected a glob or a list of globs, such as "jobs/**"']);
    expect(result.jobs).toEqual([]);
    const latin1 = renderTree({ rootName: 'r', files: new Map([['deckhand.yaml', new Uint8Array([0x69, 0xe9])], ['a.nomad', new TextEncoder().encode(nomadJob('a'))]]) });
    expect(latin1.jobs).toEqual([]);
    expect(latin1.failedFiles).toEqual(['deckhand.yaml']);
  });

  it('does not take a GitLab CI file (services: a list) for a Compose file', () => {
    const result = renderTree(treeOf({ '.gitlab-ci.yml': 'services:\n  - docker:dind\ntest:\n  script: make\n', 'flow.yml': 'services: {web: {image: x}}\n' }));
    expect(result.files).toEqual([{ path: 'flow.yml', format: 'compose' }]);
  });

  it('never looks inside .git or node_modules', () => {
    const result = renderTree(treeOf({ '.git/x.nomad': 'broken {', 'node_modules/y/compose.yml': 'broken: [', 'a.nomad': nomadJob('a') }));
    expect(result.files.map((f) => f.path)).toEqual(['a.nomad']);
  });
});

describe('a tree with bad files', () => {
  it('renders the good files and reports the bad ones', () => {
    const result = renderTree(treeOf({ 'good.nomad': nomadJob('good'), 'bad.nomad': 'job "bad" {\n', 'bad/compose.yml': 'services: [\n' }));
    expect(result.jobs.map((j) => j.job.id)).toEqual(['good']);
    expect(result.failedFiles).toEqual(['bad.nomad', 'bad/compose.yml']);
  });

  it('names both files of a duplicate job id, and renders neither', () => {
    const result = renderTree(treeOf({ 'one.nomad': nomadJob('web'), 'two/web.nomad': `\n${nomadJob('web')}`, 'other.nomad': nomadJob('other') }));
    expect(result.jobs.map((j) => j.job.id)).toEqual(['other']);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'one.nomad:1:5: job: job id "web" is also defined in two/web.nomad:2:5 (job ids must be unique across the repository)',
      'two/web.nomad:2:5: job: job id "web" is also defined in one.nomad:1:5 (job ids must be unique across the repository)',
    ]);
  });

  it('suggests a top-level name: when Compose files of one folder all take its name as job id', () => {
    const result = renderTree(treeOf({ 'stack/web.yml': 'services:\n  web:\n    image: nginx\n', 'stack/db.compose.yaml': 'services:\n  db:\n    image: postgres\n', 'named/compose.yml': 'name: stack\nservices:\n  x:\n    image: nginx\n' }));
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'named/compose.yml:1:7: name: job id "stack" is also defined in stack/db.compose.yaml:1:1, stack/web.yml:1:1 (job ids must be unique across the repository)',
      'stack/db.compose.yaml:1:1: services: job id "stack" is also defined in named/compose.yml:1:7, stack/web.yml:1:1 (a Compose file without a top-level "name:" takes its folder\'s name as job id: give this file its own, e.g. name: stack-db)',
      'stack/web.yml:1:1: services: job id "stack" is also defined in named/compose.yml:1:7, stack/db.compose.yaml:1:1 (a Compose file without a top-level "name:" takes its folder\'s name as job id: give this file its own, e.g. name: stack-web)',
    ]);
  });

  it('refuses binary, non-UTF-8 and oversized job files', () => {
    const files = new Map<string, Uint8Array>([
      ['binary.nomad', new Uint8Array([0x6a, 0x6f, 0x00, 0x62])],
      ['latin1.nomad', new Uint8Array([0x6a, 0xe9, 0x6f])],
      ['huge.nomad', new Uint8Array(1024 * 1024 + 1).fill(0x20)],
    ]);
    const result = renderTree({ rootName: 'repo', files });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'binary.nomad:1:1: the file is binary (it holds NUL bytes), not a job file',
      'huge.nomad:1:1: the file is 1.0 MiB; job files may be at most 1 MiB',
      'latin1.nomad:1:1: the file is not valid UTF-8 text',
    ]);
  });

  it('ignores an unreadable YAML file that may not be a job at all', () => {
    const files = new Map<string, Uint8Array>([['data.yaml', new Uint8Array([0xff, 0xfe, 0x00])]]);
    expect(renderTree({ rootName: 'repo', files }).diagnostics).toEqual([]);
  });

  it('survives a YAML alias bomb', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    bomb.push('services:\n  web:\n    image: *i');
    const result = renderTree(treeOf({ 'compose.yml': `${bomb.join('\n')}\n` }));
    expect(result.jobs).toEqual([]);
    expect(result.failedFiles).toEqual(['compose.yml']);
  });
});
