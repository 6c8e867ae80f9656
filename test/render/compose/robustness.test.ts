import fc from 'fast-check';
import { renderFile } from '../../../src/render/tree.js';
import { lines, renderInTree as render } from './helpers.js';

// Rendering must never throw, whatever the input: every problem is a diagnostic.
// Files go through the tree's renderFile, whose last-resort catch reports an
// exception as code `internal`: it must never be needed.
const noInternalError = (result: ReturnType<typeof render>) => expect(result.diagnostics.filter((d) => d.code === 'internal')).toEqual([]);

describe('render never throws', () => {
  const keys = ['services', 'web', 'image', 'deploy', 'replicas', 'update_config', 'parallelism', 'ports', 'healthcheck', 'test',
    'environment', 'env_file', 'command', 'labels', 'resources', 'limits', 'memory', 'restart', 'x-a', '<<', '__proto__'];
  const scalar = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('${A', '${A:?x}', '$$', '8000-8001:80', '10s', '-1', '1g', '9'.repeat(400), 'CMD', '"', "'"),
  );
  const value = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...keys), tie('node'), { maxKeys: 5 })),
  })).node;

  test('on random structures', () => {
    fc.assert(
      fc.property(value, (tree) => {
        const text = JSON.stringify({ services: { web: tree } });
        const result = render(text, { files: { 'app/.env': 'A=1' } });
        noInternalError(result);
      }),
      { numRuns: 300 },
    );
  });

  test('on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        noInternalError(render(text));
      }),
      { numRuns: 300 },
    );
  });

  test('on random env files', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (envText) => {
        const result = render('services:\n  web:\n    image: nginx\n    env_file: [a.env]\n', { files: { 'app/a.env': envText, 'app/.env': envText } });
        noInternalError(result);
        // An env file with an error is reported, and the file is then not trusted at all.
        const hasError = result.diagnostics.some((d) => d.severity === 'error');
        expect(result.jobs).toHaveLength(hasError ? 0 : 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('anchors', () => {
  test('120 services sharing one anchor render: ordinary reuse is not an attack', () => {
    const services = Array.from({ length: 120 }, (_, i) => `  s${i}:\n    image: nginx\n    environment: *env\n`).join('');
    const result = render(`x-env: &env\n  LOG_LEVEL: info\n  REGION: eu\nservices:\n${services}`);
    expect(lines(result.diagnostics)).toEqual([]);
    expect(result.jobs[0]!.job.groups).toHaveLength(120);
    expect(result.jobs[0]!.job.groups[119]!.tasks[0]!.env).toEqual({ LOG_LEVEL: 'info', REGION: 'eu' });
  });

  test('a billion-laughs file (nine levels of nine aliases) is still refused', () => {
    const levels = ['x0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`x${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(',')}]`);
    const result = render(`${levels.join('\n')}\nservices:\n  web:\n    image: nginx\n    command: *l8\n`);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'syntax', line: 1, col: 1, message: expect.stringMatching(/aliases expand the document to more than 1000000 values.*billion laughs/) }),
    ]);
  });

  test('one wide anchor used thousands of times is refused before it is expanded', () => {
    const env = Array.from({ length: 500 }, (_, i) => `  K${i}: v`).join('\n');
    const uses = Array(2_500).fill('*env').join(', ');
    const started = Date.now();
    const result = render(`x-env: &env\n${env}\nx-all: [${uses}]\nservices:\n  web:\n    image: nginx\n`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'syntax', message: expect.stringMatching(/more than 1000000 values/) })]);
  });

  test('more than 10,000 uses of anchors are refused, however small', () => {
    const result = render(`x-one: &one 1\nx-all: [${Array(10_001).fill('*one').join(', ')}]\nservices:\n  web:\n    image: nginx\n`);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'syntax', message: expect.stringMatching(/too many alias expansions \(more than 10000\)/) })]);
  });
});

describe("the tree's last-resort catch", () => {
  test('an exception while rendering becomes an internal diagnostic at 1:1, not an exception', () => {
    const files = new Map<string, Uint8Array>();
    files.get = () => {
      throw new Error('disk on fire');
    };
    const result = renderFile({ path: 'app/docker-compose.yml', text: 'services:\n  web:\n    image: nginx\n' }, 'compose', { rootName: 'repo', files }, { env: {}, vars: {}, varFiles: [] });
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'internal', file: 'app/docker-compose.yml', line: 1, col: 1, message: expect.stringContaining('disk on fire') }),
    ]);
  });
});
