// The agent's configuration: precedence, conversions, and positioned errors.
import { readFileSync } from 'node:fs';
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

  test('self-heal is on unless a flag, variable or file turns it off; anything but true or false is refused where it was set', () => {
    expect(resolveAgentConfig({ flags: {}, env: {}, file: null }).config.selfHeal).toBe(true);
    expect(resolveAgentConfig({ flags: { 'self-heal': 'false' }, env: {}, file: null }).config.selfHeal).toBe(false);
    expect(resolveAgentConfig({ flags: {}, env: { DECKHAND_SELF_HEAL: 'false' }, file: null }).config.selfHeal).toBe(false);
    expect(resolveAgentConfig({ flags: {}, env: {}, file: { path: 'agent.yaml', text: 'self-heal: false\n' } }).config.selfHeal).toBe(false);
    const { diagnostics } = resolveAgentConfig({ flags: { 'self-heal': 'sometimes' }, env: {}, file: null });
    expect(diagnostics.map(formatDiagnostic)).toEqual(['command line: --self-heal: expected true or false, got "sometimes"']);
  });

  test('the poll interval has a floor and a ceiling, named where the value came from', () => {
    const { diagnostics } = resolveAgentConfig({
      flags: { interval: '720h' },
      env: { DECKHAND_INTERVAL: '1ms' },
      file: { path: 'agent.yaml', text: 'interval: 25h\n' },
    });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'agent.yaml:1:11: interval: expected a duration between 1s and 24h, got "25h"',
      'environment: DECKHAND_INTERVAL: expected a duration between 1s and 24h, got "1ms"',
      'command line: --interval: expected a duration between 1s and 24h, got "720h"',
    ]);
    expect(resolveAgentConfig({ ...none, flags: { interval: '1s' } }).config.intervalMs).toBe(1000);
    expect(resolveAgentConfig({ ...none, flags: { interval: '24h' } }).config.intervalMs).toBe(86_400_000);
  });

  test('label keys starting with deckhand. are refused: they are the ones the agent finds its containers by', () => {
    const { diagnostics } = resolveAgentConfig({
      flags: { labels: 'team=web,deckhand.job=evil' },
      env: {},
      file: { path: 'agent.yaml', text: 'labels:\n  Deckhand.alloc: x\n' },
    });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'agent.yaml:2:3: labels: label key "Deckhand.alloc" is reserved: keys starting with "deckhand." are the ones deckhand writes to find its containers; choose another, such as "team"',
      'command line: --labels: label key "deckhand.job" is reserved: keys starting with "deckhand." are the ones deckhand writes to find its containers; choose another, such as "team"',
    ]);
    expect(resolveAgentConfig({ ...none, flags: { labels: 'deckhand-test.run=1' } }).config.labels).toEqual({ 'deckhand-test.run': '1' });
  });

  test('allow-host-path: none by default; repeated flags, a YAML list or commas; relative paths and / refused where they came from', () => {
    expect(resolveAgentConfig(none).config.allowHostPaths).toEqual([]);
    expect(resolveAgentConfig({ ...none, flags: { 'allow-host-path': ['/srv/data/', '/srv/logs'] } }).config.allowHostPaths).toEqual(['/srv/data', '/srv/logs']);
    expect(resolveAgentConfig({ ...none, env: { DECKHAND_ALLOW_HOST_PATH: '/srv/a,/srv/b/../c' } }).config.allowHostPaths).toEqual(['/srv/a', '/srv/c']);
    const file = { path: 'deckhand.yaml', text: 'allow-host-path:\n  - /srv/data\n' };
    expect(resolveAgentConfig({ ...none, file }).config.allowHostPaths).toEqual(['/srv/data']);
    const bad = (flags: Record<string, unknown>, text?: string) =>
      resolveAgentConfig({ ...none, flags, file: text ? { path: 'deckhand.yaml', text } : null }).diagnostics.map(formatDiagnostic);
    expect(bad({ 'allow-host-path': ['/srv', 'data'] })).toEqual([expect.stringContaining('command line: --allow-host-path: expected an absolute path, got "data"')]);
    expect(bad({}, 'repo: .\nallow-host-path: [/srv, /]\n')).toEqual([expect.stringMatching(/^deckhand\.yaml:2:18: allow-host-path: allowing "\/" would let any job file mount every file of the host/)]);
  });

  test('job size limits: defaults, settings, and positive whole numbers only', () => {
    expect(resolveAgentConfig(none).config).toMatchObject({ maxCount: 1000, maxGroups: 200, maxTasks: 50 });
    const { config, diagnostics } = resolveAgentConfig({ flags: { 'max-count': '5000' }, env: { DECKHAND_MAX_GROUPS: '10' }, file: { path: 'agent.yaml', text: 'max-tasks: 3\n' } });
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({ maxCount: 5000, maxGroups: 10, maxTasks: 3 });
    const bad = resolveAgentConfig({ flags: { 'max-count': '0' }, env: { DECKHAND_MAX_GROUPS: 'lots' }, file: null });
    expect(bad.diagnostics.map(formatDiagnostic)).toEqual([
      'environment: DECKHAND_MAX_GROUPS: expected a whole number of at least 1, got "lots"',
      'command line: --max-count: expected a whole number of at least 1, got "0"',
    ]);
  });

  test('a token is never sent over plain http:// beyond this machine unless allowed, and a password in the URL is warned about', () => {
    const tokenOverHttp = resolveAgentConfig({ flags: { repo: 'http://git.example.com/jobs.git', 'git-token-file': '/etc/deckhand/git-token' }, env: {}, file: null });
    expect(tokenOverHttp.diagnostics.map(formatDiagnostic)).toEqual([
      'command line: --repo: the Git token would be sent in cleartext over http:// to git.example.com, readable by anyone on the network path (use https://, or set allow-insecure-http to accept the risk)',
    ]);
    const passwordOverHttp = resolveAgentConfig({ flags: {}, env: { DECKHAND_REPO: 'http://ci:hunter2@git.example.com/jobs.git', DECKHAND_ALLOW_INSECURE_HTTP: 'true' }, file: null });
    expect(passwordOverHttp.diagnostics.map(formatDiagnostic)).toEqual([
      'environment: warning: DECKHAND_REPO: the repository URL holds a password, readable wherever the URL is written (the process list, the environment, the settings file); deckhand never logs or shows it (put the token in a file named by --git-token-file instead)',
      'environment: warning: DECKHAND_REPO: the credentials in the URL would be sent in cleartext over http:// to git.example.com, readable by anyone on the network path (allowed by allow-insecure-http)',
    ]);
    const github = resolveAgentConfig({ flags: { 'github-token-file': '/t', 'github-repo': 'o/r', 'github-api-url': 'http://ghe.example.com/api/v3' }, env: {}, file: null });
    expect(github.diagnostics.map(formatDiagnostic)).toEqual([
      'command line: --github-api-url: the GitHub token would be sent in cleartext over http:// to ghe.example.com, readable by anyone on the network path (use https://, or set allow-insecure-http to accept the risk)',
    ]);
    // Loopback never leaves the machine; https is what it should be.
    for (const repo of ['http://127.0.0.1:8080/jobs.git', 'http://localhost/jobs.git', 'http://[::1]:3000/jobs.git', 'https://git.example.com/jobs.git']) {
      expect(resolveAgentConfig({ flags: { repo, 'git-token-file': '/t' }, env: {}, file: null }).diagnostics).toEqual([]);
    }
  });

  test('repository addresses deckhand cannot fetch are refused without echoing credentials', () => {
    const { diagnostics } = resolveAgentConfig({ flags: { repo: 'ssh://git:secret@git.example.com/jobs.git' }, env: {}, file: null });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      "command line: --repo: ssh:// repositories are not supported, got ssh://git.example.com/jobs.git (use an https:// URL with --git-token-file, or a local repository's path)",
      'command line: warning: --repo: the repository URL holds a password, readable wherever the URL is written (the process list, the environment, the settings file); deckhand never logs or shows it (put the token in a file named by --git-token-file instead)',
    ]);
    expect(resolveAgentConfig({ ...none, flags: { repo: 'git@github.com:example/jobs.git' } }).diagnostics.map(formatDiagnostic)).toEqual([
      'command line: --repo: SSH addresses such as "git@github.com:..." are not supported (use an https:// URL with --git-token-file, or a local repository\'s path)',
    ]);
  });

  test('the example settings file is valid', () => {
    const path = 'deploy/deckhand.example.yaml';
    const { diagnostics } = resolveAgentConfig({ ...none, file: { path, text: readFileSync(path, 'utf8') } });
    expect(diagnostics).toEqual([]);
  });
});
