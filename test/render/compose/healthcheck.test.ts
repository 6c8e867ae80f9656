import { checkDefaults } from '../../../src/render/defaults.js';
import { diagnosticsOf, firstTask, render, renderJob, service } from './helpers.js';

const healthOf = (...lines: string[]) => {
  const task = firstTask(service('healthcheck:', ...lines.map((l) => `  ${l}`)));
  return { checks: task.checks, imageHealthcheck: task.imageHealthcheck };
};

describe('healthcheck', () => {
  test('none: no checks, and the image HEALTHCHECK applies', () => {
    const task = firstTask(service());
    expect([task.checks, task.imageHealthcheck]).toEqual([[], 'use']);
  });

  test('a string test runs in the container shell, with Docker defaults for the timing', () => {
    expect(healthOf('test: wget -q --spider http://localhost:8000/ || exit 1')).toEqual({
      checks: [{ type: 'exec', name: null, role: 'readiness', command: ['CMD-SHELL', 'wget -q --spider http://localhost:8000/ || exit 1'], ...checkDefaults.docker }],
      imageHealthcheck: 'use',
    });
  });

  test.each([
    [['CMD', 'curl', '-f', 'http://localhost/']],
    [['CMD-SHELL', 'curl -f http://localhost/ || exit 1']],
  ])('a list test %j is kept as is', (test) => {
    expect(healthOf(`test: ${JSON.stringify(test)}`).checks[0]).toMatchObject({ type: 'exec', command: test });
  });

  test('interval, timeout, retries and start_period', () => {
    expect(healthOf('test: ["CMD", "true"]', 'interval: 5s', 'timeout: 3s', 'retries: 5', 'start_period: 1m30s').checks).toEqual([
      { type: 'exec', name: null, role: 'readiness', command: ['CMD', 'true'], intervalMs: 5000, timeoutMs: 3000, retries: 5, startPeriodMs: 90000 },
    ]);
  });

  test('start_interval is refused: the HEALTHCHECK deckhand sets probes every interval during start_period too', () => {
    expect(diagnosticsOf(service('healthcheck:', '  test: ["CMD", "true"]', '  start_interval: 1s'))).toEqual([
      'app/docker-compose.yml:6:7: services.web.healthcheck.start_interval: start_interval is not supported: during start_period the HEALTHCHECK deckhand sets probes every interval (remove start_interval, or shorten interval)',
    ]);
  });

  test('zero timing means Docker default, as in Docker', () => {
    expect(healthOf('test: ["CMD", "true"]', 'interval: 0s', 'timeout: 0', 'retries: 0').checks[0]).toMatchObject({
      intervalMs: checkDefaults.docker.intervalMs,
      timeoutMs: checkDefaults.docker.timeoutMs,
      retries: checkDefaults.docker.retries,
    });
  });

  test('disable: true, or test NONE, turns off the image HEALTHCHECK', () => {
    expect(healthOf('disable: true')).toEqual({ checks: [], imageHealthcheck: 'disable' });
    expect(healthOf('test: ["NONE"]')).toEqual({ checks: [], imageHealthcheck: 'disable' });
  });

  test('disable with a test is an error at disable', () => {
    expect(diagnosticsOf(service('healthcheck:', '  test: ["CMD", "true"]', '  disable: true'))).toEqual([
      'app/docker-compose.yml:6:16: services.web.healthcheck.disable: expected either "disable: true" or a "test", got both',
    ]);
  });

  test('timing without a test keeps the image HEALTHCHECK, with a warning', () => {
    const result = render(service('healthcheck:', '  interval: 5s', '  retries: 2'));
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.checks).toEqual([]);
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.line, d.col, d.field])).toEqual([
      ['warning', 'ignored-field', 5, 17, 'services.web.healthcheck.interval'],
    ]);
  });

  test.each([
    ['test: ["CURL", "x"]', 'app/docker-compose.yml:5:14: services.web.healthcheck.test[0]: expected a command string or a list starting with "CMD", "CMD-SHELL" or "NONE", got "CURL" first (e.g. ["CMD", "curl", "-f", "http://localhost/"])'],
    ['test: ["CMD"]', 'app/docker-compose.yml:5:14: services.web.healthcheck.test[0]: expected a command string or a list starting with "CMD", "CMD-SHELL" or "NONE", got "CMD" without a command after it'],
    ['test: ["CMD-SHELL", "a", "b"]', 'app/docker-compose.yml:5:14: services.web.healthcheck.test[0]: expected a command string or a list starting with "CMD", "CMD-SHELL" or "NONE", got "CMD-SHELL" with 2 scripts instead of one'],
    ['test: []', 'app/docker-compose.yml:5:13: services.web.healthcheck.test: expected a command string or a list starting with "CMD", "CMD-SHELL" or "NONE", got an empty list'],
    ['test: ["CMD", 1]', 'app/docker-compose.yml:5:21: services.web.healthcheck.test[1]: expected a string, got 1'],
    ['test: ""', 'app/docker-compose.yml:5:13: services.web.healthcheck.test: expected a command string or a list starting with "CMD", "CMD-SHELL" or "NONE", got an empty string'],
    ['disable: yes', 'app/docker-compose.yml:5:16: services.web.healthcheck.disable: expected true or false, got "yes"'],
  ])('%s is an error', (line, expected) => {
    expect(diagnosticsOf(service('healthcheck:', `  ${line}`))).toEqual([expected]);
  });

  test.each([
    ['interval: 10 seconds', 17, 'services.web.healthcheck.interval: expected a duration such as "10s" or "1m30s", got "10 seconds"'],
    ['timeout: 30', 16, 'services.web.healthcheck.timeout: expected a duration such as "10s" or "1m30s", got 30'],
    ['start_period: -5s', 21, 'services.web.healthcheck.start_period: expected a duration such as "10s" or "1m30s", got a negative duration "-5s"'],
    ['retries: three', 16, 'services.web.healthcheck.retries: expected a whole number of at least 0, got "three"'],
  ])('%s is an error at the value', (line, col, message) => {
    expect(diagnosticsOf(service('healthcheck:', '  test: ["CMD", "true"]', `  ${line}`))).toEqual([`app/docker-compose.yml:6:${col}: ${message}`]);
  });

  test('the check and its timing are located in the file', () => {
    const { fields } = renderJob(service('healthcheck:', '  test: ["CMD", "true"]', '  interval: 5s'));
    expect(fields.get('groups.0.tasks.0.checks.0')).toEqual({ field: 'services.web.healthcheck', pos: { line: 4, col: 5 } });
    expect(fields.get('groups.0.tasks.0.checks.0.intervalMs')).toEqual({ field: 'services.web.healthcheck.interval', pos: { line: 6, col: 17 } });
  });
});
