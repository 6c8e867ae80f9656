// Notification targets in the agent's settings: the file's list, the flag and
// the variable, errors that name the file, line and key, and secrets read from a
// file or a variable at start, never from the settings themselves.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAgentConfig } from '../../../src/agent/config.js';
import { formatDiagnostic } from '../../../src/model/diagnostic.js';
import { notificationEvents, notifiers, resolveTargets } from '../../../src/status/notify/index.js';

const none = { flags: {}, env: {}, file: null };

describe('notification targets in the settings', () => {
  test('none by default', () => {
    expect(resolveAgentConfig(none).config.notify).toEqual([]);
  });

  test('the settings file: a list of targets, events default to all', () => {
    const text = [
      'notify:',
      '  - kind: slack',
      '    url-file: /etc/deckhand/slack-url',
      '    events: [deployment-failed, deployment-rolled-back]',
      '  - kind: webhook',
      '    name: ops',
      '    url: https://ops.example.test/deckhand',
      '    secret-env: NOTIFY_SECRET',
      '',
    ].join('\n');
    const { config, diagnostics } = resolveAgentConfig({ ...none, file: { path: 'agent.yaml', text } });
    expect(diagnostics).toEqual([]);
    expect(config.notify).toEqual([
      { name: 'slack-1', kind: 'slack', url: null, urlFile: '/etc/deckhand/slack-url', urlEnv: null, secretFile: null, secretEnv: null, events: ['deployment-failed', 'deployment-rolled-back'] },
      { name: 'ops', kind: 'webhook', url: 'https://ops.example.test/deckhand', urlFile: null, urlEnv: null, secretFile: null, secretEnv: 'NOTIFY_SECRET', events: [...notificationEvents] },
    ]);
  });

  test('the flag (repeatable) and DECKHAND_NOTIFY (targets separated by ";"); the flag wins', () => {
    const fromEnv = resolveAgentConfig({ ...none, env: { DECKHAND_NOTIFY: 'discord url-env=DISCORD_URL events=render-error,sync-failing; webhook url=http://127.0.0.1:9/hook secret-file=/s' } });
    expect(fromEnv.diagnostics).toEqual([]);
    expect(fromEnv.config.notify.map((t) => [t.kind, t.urlEnv ?? t.url, t.events])).toEqual([
      ['discord', 'DISCORD_URL', ['render-error', 'sync-failing']],
      ['webhook', 'http://127.0.0.1:9/hook', [...notificationEvents]],
    ]);
    const fromFlag = resolveAgentConfig({ ...none, env: { DECKHAND_NOTIFY: 'discord url-env=X' }, flags: { notify: ['slack url-env=SLACK_URL', 'webhook url=https://a.test/ secret-env=S'] } });
    expect(fromFlag.config.notify.map((t) => t.kind)).toEqual(['slack', 'webhook']);
  });

  test('mistakes name the file, line and key of the target', () => {
    const text = [
      'notify:',
      '  - kind: teams',
      '    url: https://x.test/',
      '  - kind: webhook',
      '    url: https://x.test/',
      '    secret-file: /s',
      '    events: [deployment-failed, deployed]',
      '  - kind: slack',
      '    url-file: /a',
      '    url-env: B',
      '  - kind: discord',
      '    url-env: D',
      '    secret: hunter2',
      '',
    ].join('\n');
    const { config, diagnostics } = resolveAgentConfig({ ...none, file: { path: 'agent.yaml', text } });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'agent.yaml:2:11: notify[0].kind: unknown notification kind "teams" (one of webhook, slack, discord)',
      'agent.yaml:7:13: notify[1].events: unknown event "deployed" (events are deployment-succeeded, deployment-failed, deployment-rolled-back, render-error, drift-healed, sync-failing, or all)',
      'agent.yaml:8:5: notify[2].url: give only one of url, url-file and url-env',
      expect.stringMatching(/^agent\.yaml:13:13: notify\[3\]\.secret: unknown key "secret"/),
      'agent.yaml:13:13: notify[3].secret: the secret is not written in the settings (name a file holding it with secret-file, or an environment variable with secret-env)',
    ]);
    // Nothing half-read is kept.
    expect(config.notify).toEqual([]);
  });

  test('warnings: a Slack URL written in the settings, a webhook without a secret', () => {
    const { config, diagnostics } = resolveAgentConfig({ ...none, flags: { notify: ['slack url=https://hooks.slack.test/services/T/B/X', 'webhook url=https://a.test/'] } });
    expect(diagnostics.map((d) => [d.severity, d.field])).toEqual([
      ['warning', '--notify[0].url'],
      ['warning', '--notify[1].secret-file'],
    ]);
    expect(diagnostics.map(formatDiagnostic).join('\n')).not.toContain('services/T/B/X');
    expect(config.notify).toHaveLength(2);
  });

  test('a secret for a format that is not signed is refused, not ignored', () => {
    const { diagnostics } = resolveAgentConfig({ ...none, flags: { notify: ['slack url-env=U secret-env=S'] } });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'command line: --notify[0].secret-env: a Slack incoming webhook is not signed: a secret would not be used (remove it; the URL is the credential)',
    ]);
  });
});

describe('reading the targets\' secrets at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-notify-'));

  test('from a file and from a variable', () => {
    writeFileSync(join(dir, 'slack-url'), 'https://hooks.slack.test/services/T/B/X\n');
    writeFileSync(join(dir, 'secret'), 's3cret\n');
    const { config } = resolveAgentConfig({ ...none, flags: { notify: [`slack url-file=${join(dir, 'slack-url')}`, `webhook url-env=HOOK_URL secret-file=${join(dir, 'secret')}`] } });
    const targets = resolveTargets(config.notify, notifiers, { HOOK_URL: 'http://127.0.0.1:9/hook' });
    expect(targets.map((t) => [t.name, t.notifier.kind, t.url, t.secret])).toEqual([
      ['slack-1', 'slack', 'https://hooks.slack.test/services/T/B/X', null],
      ['webhook-2', 'webhook', 'http://127.0.0.1:9/hook', 's3cret'],
    ]);
  });

  test('a missing file or variable stops the start, naming the setting and never the value', () => {
    const { config } = resolveAgentConfig({ ...none, flags: { notify: [`webhook url=https://a.test/ secret-file=${join(dir, 'nope')}`] } });
    expect(() => resolveTargets(config.notify, notifiers, {})).toThrow(`notify[0] (webhook-1).secret-file ${join(dir, 'nope')}: no such file`);
    const second = resolveAgentConfig({ ...none, flags: { notify: ['slack url-env=SLACK_URL'] } });
    expect(() => resolveTargets(second.config.notify, notifiers, {})).toThrow('notify[0] (slack-1).url-env: the environment variable SLACK_URL is not set or empty');
  });

  test('a file that holds no URL is refused without showing what it holds', () => {
    writeFileSync(join(dir, 'not-a-url'), 'xoxb-secret-token');
    chmodSync(join(dir, 'not-a-url'), 0o600);
    const { config } = resolveAgentConfig({ ...none, flags: { notify: [`discord url-file=${join(dir, 'not-a-url')}`] } });
    let message = '';
    try {
      resolveTargets(config.notify, notifiers, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`notify[0] (discord-1): the URL read from ${join(dir, 'not-a-url')}: expected an http:// or https:// URL`);
    expect(() => resolveTargets(config.notify, notifiers, {})).not.toThrow(/xoxb/);
  });

  test('a URL with a user and password is refused, in the settings and when read, without quoting it', () => {
    const inline = resolveAgentConfig({ ...none, flags: { notify: ['webhook url=https://me:pw@hooks.example.test/x secret-env=S'] } });
    expect(inline.diagnostics.map(formatDiagnostic)).toEqual(['command line: --notify[0].url: a user name or password in the URL is not supported: requests are not sent with them']);
    const { config } = resolveAgentConfig({ ...none, flags: { notify: ['webhook url-env=HOOK secret-env=S'] } });
    expect(() => resolveTargets(config.notify, notifiers, { HOOK: 'https://me:pw@hooks.example.test/x', S: 's' })).toThrow(
      'notify[0] (webhook-1): the URL read from $HOOK: a user name or password in the URL is not supported: requests are not sent with them',
    );
  });
});
