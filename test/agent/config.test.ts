// The agent's configuration: precedence, conversions, and positioned errors.
import { envName, resolveAgentConfig } from '../../src/agent/config.js';
import { formatDiagnostic } from '../../src/model/diagnostic.js';

const none = { flags: {}, env: {}, file: null };

describe('agent configuration', () => {
  test('defaults', () => {
    const { config, diagnostics } = resolveAgentConfig(none);
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({ repo: null, branch: null, path: '.', intervalMs: 30_000, listen: { host: '127.0.0.1', port: 4646 }, dataDir: '.deckhand', prune: false, logLevel: 'info', portRange: { from: 20000, to: 32000 }, labels: {} });
  });

  test('flags win over the environment, which wins over the file', () => {
    const file = { path: 'deckhand.yaml', text: 'repo: https://example.test/a.git\nbranch: from-file\ninterval: 10s\nlisten: 127.0.0.1:5000\ninclude: jobs/**\n' };
    const { config, diagnostics } = resolveAgentConfig({
      flags: { branch: 'from-flag' },
      env: { DECKHAND_BRANCH: 'from-env', DECKHAND_INTERVAL: '1m30s', DECKHAND_PRUNE: 'true' },
      file,
    });
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({ repo: 'https://example.test/a.git', branch: 'from-flag', intervalMs: 90_000, listen: { host: '127.0.0.1', port: 5000 }, prune: true });
  });

  test('every setting has its DECKHAND_ variable', () => {
    expect(envName('data-dir')).toBe('DECKHAND_DATA_DIR');
    expect(resolveAgentConfig({ ...none, env: { DECKHAND_DATA_DIR: '/var/lib/deckhand', DECKHAND_LABELS: 'team=web,env=prod' } }).config).toMatchObject({
      dataDir: '/var/lib/deckhand',
      labels: { team: 'web', env: 'prod' },
    });
  });

  test('bad values and unknown keys name the file, line and setting', () => {
    const file = { path: 'agent.yaml', text: 'repo: x\nintervall: 5s\nlisten: nowhere\nport-range: 5-3\n' };
    const { diagnostics } = resolveAgentConfig({ ...none, file });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'agent.yaml:2:1: intervall: unknown setting "intervall" (did you mean "interval"?)',
      'agent.yaml:3:9: listen: expected host:port such as "127.0.0.1:4646", got "nowhere"',
      'agent.yaml:4:13: port-range: expected a port range such as "20000-32000", got "5-3"',
    ]);
  });

  test('bad flags and variables say where they came from', () => {
    const { diagnostics } = resolveAgentConfig({ flags: { interval: 'often' }, env: { DECKHAND_WATCH: 'maybe' }, file: null });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'environment: DECKHAND_WATCH: expected true or false, got "maybe"',
      'command line: --interval: expected a duration such as "30s" or "1m", got "often"',
    ]);
  });
});
