import { swarmRestartDefaults, swarmUpdateDefaults } from '../../../src/render/defaults.js';
import { diagnosticsOf, firstGroup, firstTask, render, renderJob, service } from './helpers.js';

/** A service with `deploy:` holding the given lines. */
const deploy = (...lines: string[]) => service('deploy:', ...lines.map((l) => `  ${l}`));
/** Lines under `deploy.update_config`, from line 6, indented by 8. */
const updateConfig = (...lines: string[]) => deploy('update_config:', ...lines.map((l) => `  ${l}`));

describe('count', () => {
  test('replicas default to 1', () => {
    expect(firstGroup(service()).count).toBe(1);
  });

  test.each([
    ['replicas: 4', 4],
    ['replicas: 0', 0],
    ['replicas: "3"', 3],
  ])('%s', (line, count) => {
    expect(firstGroup(deploy(line)).count).toBe(count);
  });

  test.each([
    ['replicas: abc', 'expected a whole number of at least 0, got "abc"'],
    ['replicas: -1', 'expected a whole number of at least 0, got -1'],
    ['replicas: 1.5', 'expected a whole number of at least 0, got 1.5'],
    ['replicas: [2]', 'expected a whole number of at least 0, got a list'],
  ])('%s is an error at the value, and the count stays 1', (line, message) => {
    const result = render(deploy(line));
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.field}: ${d.message}`)).toEqual([`5:17 services.web.deploy.replicas: ${message}`]);
    expect(result.jobs[0]!.job.groups[0]!.count).toBe(1);
  });

  test('mode global is one task, with a notice: deckhand runs on one node', () => {
    const result = render(deploy('mode: global'));
    expect(result.jobs[0]!.job.groups[0]!.count).toBe(1);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'notice', code: 'global-mode', line: 5, col: 13, field: 'services.web.deploy.mode' }),
    ]);
  });

  test('mode global with replicas is an error', () => {
    expect(diagnosticsOf(deploy('mode: global', 'replicas: 2'))).toEqual([
      'app/docker-compose.yml:5:13: notice: services.web.deploy.mode: mode "global" runs one task per node; deckhand runs on one node, so the count is 1',
      'app/docker-compose.yml:6:17: services.web.deploy.replicas: expected no replicas with mode "global", which runs one task per node, got 2',
    ]);
  });

  test('an unknown mode is an error', () => {
    expect(diagnosticsOf(deploy('mode: replicated-job'))).toEqual([
      'app/docker-compose.yml:5:13: services.web.deploy.mode: expected "replicated" or "global", got "replicated-job"',
    ]);
  });

  test('the older scale applies without deploy.replicas, and must agree with it', () => {
    expect(firstGroup(service('scale: 3')).count).toBe(3);
    expect(diagnosticsOf(service('scale: 3', 'deploy: {replicas: 2}'))).toEqual([
      'app/docker-compose.yml:4:12: services.web.scale: expected the same count as deploy.replicas (2), got 3',
    ]);
  });

  test('the count is located at replicas', () => {
    expect(renderJob(deploy('replicas: 2')).fields.get('groups.0.count')).toEqual({ field: 'services.web.deploy.replicas', pos: { line: 5, col: 17 } });
  });
});

describe('update_config', () => {
  test('absent: Swarm defaults, for the update and the rollback alike', () => {
    const group = firstGroup(service());
    expect(group.update).toEqual(swarmUpdateDefaults);
    expect(group.rollback).toEqual({ ...swarmUpdateDefaults, autoRevert: false });
    expect(group.update).toMatchObject({ maxParallel: 1, minHealthyTimeMs: 0, monitorMs: 5000, failureAction: 'pause', order: 'stop-first', canary: 0, autoPromote: false });
  });

  test('every field mapped as the SPEC table says', () => {
    const update = firstGroup(
      updateConfig('parallelism: 2', 'delay: 10s', 'failure_action: rollback', 'monitor: 1m', 'max_failure_ratio: 0.25', 'order: start-first'),
    ).update;
    expect(update).toEqual({
      ...swarmUpdateDefaults,
      maxParallel: 2,
      delayMs: 10_000,
      failureAction: 'rollback',
      autoRevert: true,
      monitorMs: 60_000,
      maxFailureRatio: 0.25,
      order: 'start-first',
    });
  });

  test.each([
    ['pause', false],
    ['continue', false],
    ['rollback', true],
  ])('failure_action %s gives autoRevert %s', (action, autoRevert) => {
    expect(firstGroup(updateConfig(`failure_action: ${action}`)).update).toMatchObject({ failureAction: action, autoRevert });
  });

  test('absent fields keep Swarm defaults; deadlines come from the defaults too', () => {
    const update = firstGroup(updateConfig('parallelism: 2')).update;
    expect(update).toEqual({ ...swarmUpdateDefaults, maxParallel: 2 });
    expect([update.healthyDeadlineMs, update.progressDeadlineMs, update.maxSurge, update.maxUnavailable]).toEqual([0, 600_000, null, null]);
  });

  test('numbers written as strings are accepted, as are durations of 0', () => {
    expect(firstGroup(updateConfig('parallelism: "3"', 'max_failure_ratio: "0.5"', 'delay: 0')).update).toMatchObject({ maxParallel: 3, maxFailureRatio: 0.5, delayMs: 0 });
  });

  test('an empty update_config is all defaults', () => {
    expect(firstGroup(deploy('update_config:')).update).toEqual(swarmUpdateDefaults);
  });

  test.each([
    ['parallelism: -1', 22, 'services.web.deploy.update_config.parallelism: expected a whole number of at least 0, got -1'],
    ['parallelism: two', 22, 'services.web.deploy.update_config.parallelism: expected a whole number of at least 0, got "two"'],
    ['delay: 10 seconds', 16, 'services.web.deploy.update_config.delay: expected a duration such as "10s" or "1m30s", got "10 seconds"'],
    ['delay: 10', 16, 'services.web.deploy.update_config.delay: expected a duration such as "10s" or "1m30s", got 10'],
    ['monitor: -5s', 18, 'services.web.deploy.update_config.monitor: expected a duration such as "10s" or "1m30s", got a negative duration "-5s"'],
    ['max_failure_ratio: 1.5', 28, 'services.web.deploy.update_config.max_failure_ratio: expected a number between 0 and 1, got 1.5'],
    ['order: parallel', 16, 'services.web.deploy.update_config.order: expected "stop-first" or "start-first", got "parallel"'],
    ['failure_action: stop', 25, 'services.web.deploy.update_config.failure_action: expected "pause", "continue" or "rollback", got "stop"'],
    ['failure_action: rolback', 25, 'services.web.deploy.update_config.failure_action: expected "pause", "continue" or "rollback", got "rolback" (did you mean "rollback"?)'],
  ])('%s is an error at the value', (line, col, message) => {
    expect(diagnosticsOf(updateConfig(line))).toEqual([`app/docker-compose.yml:6:${col}: ${message}`]);
  });

  test('a wrong value keeps the default, so shared validation does not report it again', () => {
    expect(firstGroupLoose(updateConfig('parallelism: -1')).update.maxParallel).toBe(1);
  });

  test('update_config that is not a map is an error', () => {
    expect(diagnosticsOf(deploy('update_config: [parallelism=2]'))).toEqual([
      'app/docker-compose.yml:5:22: services.web.deploy.update_config: expected a map, got a list',
    ]);
  });

  test('the strategy and each field are located in the file', () => {
    const { fields } = renderJob(updateConfig('parallelism: 2', 'failure_action: rollback'));
    expect(fields.get('groups.0.update')).toEqual({ field: 'services.web.deploy.update_config', pos: { line: 6, col: 9 } });
    expect(fields.get('groups.0.update.maxParallel')).toEqual({ field: 'services.web.deploy.update_config.parallelism', pos: { line: 6, col: 22 } });
    expect(fields.get('groups.0.update.autoRevert')).toEqual({ field: 'services.web.deploy.update_config.failure_action', pos: { line: 7, col: 25 } });
    expect(fields.get('groups.0.update.delayMs')).toBeUndefined();
  });
});

describe('rollback_config', () => {
  test("absent: Swarm's rollback defaults, not update_config's values", () => {
    const group = firstGroup(updateConfig('parallelism: 3', 'delay: 10s', 'failure_action: rollback', 'monitor: 30s', 'max_failure_ratio: 0.5', 'order: start-first'));
    expect(group.update).toMatchObject({ maxParallel: 3, failureAction: 'rollback', autoRevert: true });
    expect(group.rollback).toEqual(swarmUpdateDefaults);
    expect(group.rollback).toMatchObject({
      maxParallel: 1, failureAction: 'pause', minHealthyTimeMs: 0, monitorMs: 5_000, order: 'stop-first', delayMs: 0, maxFailureRatio: 0, autoRevert: false,
    });
  });

  test('absent: nothing is located under groups.N.rollback', () => {
    expect([...renderJob(service()).fields.keys()].filter((key) => key.includes('rollback'))).toEqual([]);
  });

  test('present: mapped like update_config, Swarm defaults for the rest', () => {
    const group = firstGroup(deploy('rollback_config:', '  parallelism: 0', '  order: start-first', '  failure_action: continue'));
    expect(group.rollback).toEqual({ ...swarmUpdateDefaults, maxParallel: 0, order: 'start-first', failureAction: 'continue', autoRevert: false });
    expect(group.update).toEqual(swarmUpdateDefaults);
  });

  test('present but empty: all Swarm defaults', () => {
    expect(firstGroup(deploy('rollback_config: {}')).rollback).toEqual(swarmUpdateDefaults);
  });

  test('failure_action rollback makes no sense for a rollback', () => {
    expect(diagnosticsOf(deploy('rollback_config:', '  failure_action: rollback'))).toEqual([
      'app/docker-compose.yml:6:25: services.web.deploy.rollback_config.failure_action: expected "pause" or "continue", got "rollback"',
    ]);
  });

  test('its fields are located under groups.N.rollback', () => {
    expect(renderJob(deploy('rollback_config:', '  monitor: 2s')).fields.get('groups.0.rollback.monitorMs')).toEqual({
      field: 'services.web.deploy.rollback_config.monitor',
      pos: { line: 6, col: 18 },
    });
  });
});

describe('resources', () => {
  const limits = (...lines: string[]) => firstTask(deploy('resources:', '  limits:', ...lines.map((l) => `    ${l}`))).resources;

  test('none: no limits, and never a cpu reservation', () => {
    expect(firstTask(service()).resources).toEqual({ cpu: null, cpuLimit: null, memoryMB: null });
  });

  test('cpus as a number or a string', () => {
    expect(limits('cpus: 0.5')).toEqual({ cpu: null, cpuLimit: 0.5, memoryMB: null });
    expect(limits('cpus: "1.25"').cpuLimit).toBe(1.25);
    expect(limits('cpus: 0').cpuLimit).toBeNull();
  });

  test.each([
    ['50M', 50],
    ['512m', 512],
    ['1g', 1024],
    ['1G', 1024],
    ['1.5GiB', 1536],
    ['256mb', 256],
    ['2048k', 2],
    ['1048576b', 1],
    ['1048576', 1],
    ['1t', 1024 * 1024],
    // Rounded up to whole MiB, as a Kubernetes quantity is: a limit is never tightened.
    ['100k', 1],
    ['1', 1],
    ['1.5m', 2],
    ['1025k', 2],
    ['1048577', 2],
  ])('memory %s is %d MB', (memory, mb) => {
    expect(limits(`memory: ${memory}`).memoryMB).toBe(mb);
  });

  test('memory as a plain number of bytes', () => {
    expect(limits('memory: 536870912').memoryMB).toBe(512);
  });

  test('reservations are accepted and not used', () => {
    const task = firstTask(deploy('resources:', '  reservations: {cpus: "0.25", memory: 20M}'));
    expect(task.resources).toEqual({ cpu: null, cpuLimit: null, memoryMB: null });
  });

  test('the service-level cpus and mem_limit apply when deploy sets no limit', () => {
    expect(firstTask(service('cpus: 2', 'mem_limit: 1g')).resources).toEqual({ cpu: null, cpuLimit: 2, memoryMB: 1024 });
    expect(firstTask(service('cpus: 2', 'mem_limit: 1g', 'deploy: {resources: {limits: {cpus: 1, memory: 64m}}}')).resources).toMatchObject({ cpuLimit: 1, memoryMB: 64 });
  });

  test.each([
    ['memory: lots', 19, 'services.web.deploy.resources.limits.memory: expected an amount of memory such as "512m", "1g" or a number of bytes, got "lots"'],
    ['memory: -5', 19, 'services.web.deploy.resources.limits.memory: expected an amount of memory such as "512m", "1g" or a number of bytes, got -5'],
    ['memory: 9000p', 19, 'services.web.deploy.resources.limits.memory: expected an amount of memory of less than 8p, got "9000p"'],
    ['cpus: -1', 17, 'services.web.deploy.resources.limits.cpus: expected a number of at least 0, got -1'],
    ['cpus: half', 17, 'services.web.deploy.resources.limits.cpus: expected a number of at least 0, got "half"'],
  ])('%s is an error at the value', (line, col, message) => {
    expect(diagnosticsOf(deploy('resources:', '  limits:', `    ${line}`))).toEqual([`app/docker-compose.yml:7:${col}: ${message}`]);
  });

  test('limits are located in the file', () => {
    const { fields } = renderJob(deploy('resources:', '  limits:', '    memory: 50M'));
    expect(fields.get('groups.0.tasks.0.resources.memoryMB')).toEqual({ field: 'services.web.deploy.resources.limits.memory', pos: { line: 7, col: 19 } });
  });
});

describe('restart', () => {
  test('absent: Swarm defaults', () => {
    expect(firstGroup(service()).restart).toEqual(swarmRestartDefaults);
  });

  test.each([
    ['no', { condition: 'none', maxAttempts: 0 }],
    ['"no"', { condition: 'none', maxAttempts: 0 }],
    ['always', { condition: 'any', maxAttempts: 0 }],
    ['unless-stopped', { condition: 'any', maxAttempts: 0 }],
    ['on-failure', { condition: 'on-failure', maxAttempts: 0 }],
    ['on-failure:3', { condition: 'on-failure', maxAttempts: 3 }],
  ])('restart: %s', (value, expected) => {
    expect(firstGroup(service(`restart: ${value}`)).restart).toEqual({ ...swarmRestartDefaults, ...expected });
  });

  test.each(['sometimes', 'always:3', 'on-failure:x', 'false'])('restart: %s is an error', (value) => {
    expect(diagnosticsOf(service(`restart: ${value}`))[0]).toMatch(
      /^app\/docker-compose.yml:4:14: services.web.restart: expected "no", "always", "on-failure", "on-failure:N" or "unless-stopped", got /,
    );
  });

  test('deploy.restart_policy maps every field', () => {
    expect(firstGroup(deploy('restart_policy:', '  condition: on-failure', '  delay: 10s', '  max_attempts: 5', '  window: 2m')).restart).toEqual({
      condition: 'on-failure',
      maxAttempts: 5,
      delayMs: 10_000,
      windowMs: 120_000,
    });
  });

  test('restart_policy fields left out take Swarm defaults', () => {
    expect(firstGroup(deploy('restart_policy: {condition: none}')).restart).toEqual({ ...swarmRestartDefaults, condition: 'none' });
  });

  test('restart_policy wins over restart, with a notice', () => {
    const result = render(service('restart: "no"', 'deploy:', '  restart_policy: {max_attempts: 2}'));
    expect(result.jobs[0]!.job.groups[0]!.restart).toEqual({ ...swarmRestartDefaults, maxAttempts: 2 });
    expect(result.diagnostics.map((d) => [d.severity, d.line, d.col, d.field])).toEqual([['notice', 4, 14, 'services.web.restart']]);
  });

  test.each([
    ['condition: always', 20, 'services.web.deploy.restart_policy.condition: expected "none", "on-failure" or "any", got "always"'],
    ['max_attempts: -1', 23, 'services.web.deploy.restart_policy.max_attempts: expected a whole number of at least 0, got -1'],
    ['window: forever', 17, 'services.web.deploy.restart_policy.window: expected a duration such as "10s" or "1m30s", got "forever"'],
  ])('%s is an error at the value', (line, col, message) => {
    expect(diagnosticsOf(deploy('restart_policy:', `  ${line}`))).toEqual([`app/docker-compose.yml:6:${col}: ${message}`]);
  });
});

/** The first group even when the file has errors. */
function firstGroupLoose(text: string) {
  return render(text).jobs[0]!.job.groups[0]!;
}
