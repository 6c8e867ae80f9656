import fc from 'fast-check';
import { render } from './helpers.js';

// render must never throw, whatever the input: every problem is a diagnostic. The
// renderer's last-resort catch reports code `internal`; it must never be needed.
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
    fc.constantFrom('${A', '${A:?x}', '$$', '8000-8001:80', '10s', '-1', '1g', 'CMD', '"', "'"),
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
        expect(result.jobs).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the last-resort catch', () => {
  test('a failing readFile becomes an internal diagnostic at 1:1, not an exception', async () => {
    const { composeRenderer } = await import('../../../src/render/compose/index.js');
    const result = composeRenderer.render(
      { path: 'app/docker-compose.yml', text: 'services:\n  web:\n    image: nginx\n' },
      { env: {}, vars: {}, varFiles: [], rootName: 'repo', readFile: () => { throw new Error('disk on fire'); } },
    );
    expect(result).toEqual({
      jobs: [],
      diagnostics: [{ severity: 'error', code: 'internal', file: 'app/docker-compose.yml', line: 1, col: 1, field: '', message: 'could not render the compose file: disk on fire' }],
    });
  });
});
