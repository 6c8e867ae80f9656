// Rules every job obeys whatever its format. Each format records where its fields
// came from (FieldMap), so an error here still names the file's own field and line.
import { runsOnce } from '../model/index.js';
import type { Diagnostic, Group, Job, Task } from '../model/index.js';
import { formatDuration } from '../util/index.js';
import type { FieldMap, FieldOrigin, JobLimits } from './types.js';

/** Docker container names are built from job and group names (docs/spec.md). */
const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Generous for one Docker host; the agent's max-count, max-groups and max-tasks settings change them. */
export const defaultJobLimits: JobLimits = { maxCount: 1000, maxGroups: 200, maxTasks: 50 };

export function validateJob(job: Job, fields: FieldMap, limits: JobLimits = defaultJobLimits): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fail = (path: string, message: string, hint?: string) => {
    const origin = locate(fields, path);
    out.push({
      severity: 'error',
      code: 'invalid-value',
      file: origin.file ?? job.source.file,
      line: origin.pos.line,
      col: origin.pos.col,
      field: origin.field,
      message,
      ...(hint ? { hint } : {}),
    });
  };

  if (!namePattern.test(job.id)) {
    fail('id', `job id "${job.id}" must start with a letter or digit and hold only letters, digits, "_", "." and "-"`, 'it names the job\'s containers');
  }
  if (job.groups.length === 0) fail('id', 'a job needs at least one group');
  if (job.groups.length > limits.maxGroups) {
    fail(`groups.${limits.maxGroups}.name`, `a job may have at most ${limits.maxGroups} groups, this one has ${job.groups.length}`, 'the limit is the agent\'s max-groups setting');
  }

  const groupNames = new Set<string>();
  job.groups.forEach((group, gi) => {
    const at = `groups.${gi}`;
    if (groupNames.has(group.name)) fail(`${at}.name`, `group "${group.name}" is defined more than once`);
    groupNames.add(group.name);
    if (!namePattern.test(group.name)) {
      fail(`${at}.name`, `group name "${group.name}" must start with a letter or digit and hold only letters, digits, "_", "." and "-"`);
    }
    validateGroup(group, at, fail, limits);
  });
  validateNetworking(job, fields, fail);
  validateStartOrder(job, fail);
  return out;
}

/** Groups depend on groups of the job, never in a circle (it would wait forever). */
function validateStartOrder(job: Job, fail: Fail): void {
  const groups = new Map(job.groups.map((g, i) => [g.name, { group: g, index: i }]));
  job.groups.forEach((group, gi) => {
    for (const name of Object.keys(group.dependsOn ?? {})) {
      if (!groups.has(name)) fail(`groups.${gi}.dependsOn.${name}`, `group "${group.name}" depends on "${name}", which is not in the job`);
    }
  });
  const reported = new Set<string>();
  const explored = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (explored.has(name)) return;
    if (trail.includes(name)) {
      const circle = [...trail.slice(trail.indexOf(name)), name];
      const key = [...new Set(circle)].sort().join();
      if (reported.has(key)) return;
      reported.add(key);
      const from = groups.get(trail[trail.length - 1]!)!;
      fail(`groups.${from.index}.dependsOn.${name}`, `the groups depend on each other in a circle: ${circle.join(' → ')}`, 'remove one of the dependencies');
      return;
    }
    for (const next of Object.keys(groups.get(name)?.group.dependsOn ?? {})) if (groups.has(next)) visit(next, [...trail, name]);
    explored.add(name);
  };
  for (const group of job.groups) visit(group.name, []);
}

/**
 * Networks joined are the job's; endpoints lead to a port of a bridge-networked
 * task; and no host port is published twice by one job (endpoints and fixed ports alike).
 */
function validateNetworking(job: Job, fields: FieldMap, fail: Fail): void {
  const networks = new Set(job.networks.map((n) => n.name));
  job.groups.forEach((group, gi) => {
    group.network.attachments.forEach((attachment, ai) => {
      if (!networks.has(attachment.network)) fail(`groups.${gi}.network.attachments.${ai}`, `network "${attachment.network}" is not one of the job's networks`);
    });
  });
  const published = new Map<number, string>();
  const publish = (port: number, path: string) => {
    const first = published.get(port);
    if (first === undefined) {
      published.set(port, path);
      return;
    }
    const origin = locate(fields, first);
    fail(path, `host port ${port} is already published by ${origin.field || 'the job'} at line ${origin.pos.line}`, 'each host port can be published once');
  };
  job.endpoints.forEach((endpoint, ei) => {
    const at = `endpoints.${ei}`;
    if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) fail(`${at}.port`, `port must be between 1 and 65535, got ${endpoint.port}`);
    else publish(endpoint.port, `${at}.port`);
    const group = job.groups.find((g) => g.name === endpoint.group);
    const task = group?.tasks.find((t) => t.name === endpoint.task);
    if (!group || !task) fail(at, `the endpoint leads to task "${endpoint.task}" of group "${endpoint.group}", which is not in the job`);
    else if (group.network.mode === 'host') fail(at, `the endpoint leads to group "${group.name}", which runs on the host's network`, 'an endpoint spreads connections over mapped ports: use bridge networking');
    else if (runsOnce(task)) fail(at, `the endpoint leads to task "${task.name}", which runs once and ends`, 'lead it to a main task');
    else if (!task.ports.some((p) => p.label === endpoint.portLabel)) fail(at, `the endpoint leads to port "${endpoint.portLabel}", which task "${task.name}" does not define`);
  });
  job.groups.forEach((group, gi) => {
    // A Nomad group's port is given to each of its tasks: one port, published once.
    const seen = new Set<string>();
    group.tasks.forEach((task, ti) =>
      task.ports.forEach((port, pi) => {
        if (port.static === null || seen.has(`${port.label}:${port.static}`)) return;
        seen.add(`${port.label}:${port.static}`);
        publish(port.static, `groups.${gi}.tasks.${ti}.ports.${pi}.static`);
        // One engine: a second allocation could only fail to bind the same host port.
        if (group.count > 1) {
          fail(`groups.${gi}.tasks.${ti}.ports.${pi}.static`, `host port ${port.static} can be bound by one allocation at a time, and group "${group.name}" runs ${group.count}`, 'drop the fixed host port (an endpoint gives the allocations one stable address), or run one allocation');
        }
      }),
    );
  });
}

type Fail = (path: string, message: string, hint?: string) => void;

function validateGroup(group: Group, at: string, fail: Fail, limits: JobLimits): void {
  const countValid = Number.isInteger(group.count) && group.count >= 0;
  if (!countValid) fail(`${at}.count`, `must be a whole number of at least 0, got ${group.count}`);
  if (countValid && group.count > limits.maxCount) fail(`${at}.count`, `must be at most ${limits.maxCount}, got ${group.count}`, 'the limit is the agent\'s max-count setting');
  const strategies = [['update', group.update], ['rollback', group.rollback]] as const;
  for (const [name, update] of strategies) {
    if (!update) continue;
    const u = `${at}.${name}`;
    if (!Number.isInteger(update.maxParallel) || update.maxParallel < 0) {
      fail(`${u}.maxParallel`, `must be a whole number of at least 0, got ${update.maxParallel}`);
    }
    if (countValid && (!Number.isInteger(update.canary) || update.canary < 0 || update.canary > group.count)) {
      fail(`${u}.canary`, `must be between 0 and count (${group.count}), got ${update.canary}`);
    }
    if (update.maxFailureRatio < 0 || update.maxFailureRatio > 1) {
      fail(`${u}.maxFailureRatio`, `must be between 0 and 1, got ${update.maxFailureRatio}`);
    }
    for (const key of ['minHealthyTimeMs', 'monitorMs', 'healthyDeadlineMs', 'progressDeadlineMs', 'delayMs'] as const) {
      if (update[key] < 0) fail(`${u}.${key}`, 'must not be negative');
    }
    if (update.progressDeadlineMs !== 0 && update.healthyDeadlineMs >= update.progressDeadlineMs && name === 'update') {
      fail(`${u}.healthyDeadlineMs`, `must be less than the progress deadline (${formatDuration(update.progressDeadlineMs)}), got ${formatDuration(update.healthyDeadlineMs)}`);
    }
    if (update.minHealthyTimeMs >= update.healthyDeadlineMs && update.healthyDeadlineMs > 0) {
      fail(`${u}.minHealthyTimeMs`, `must be less than the healthy deadline (${formatDuration(update.healthyDeadlineMs)}), got ${formatDuration(update.minHealthyTimeMs)}`);
    }
  }
  if (group.tasks.length === 0) fail(`${at}.name`, `group "${group.name}" needs at least one task`);
  if (group.tasks.length > limits.maxTasks) {
    fail(`${at}.tasks.${limits.maxTasks}.name`, `group "${group.name}" may have at most ${limits.maxTasks} tasks, it has ${group.tasks.length}`, 'the limit is the agent\'s max-tasks setting');
  }
  if (group.tasks.length > 0 && group.tasks.every((task) => task.lifecycle !== undefined)) {
    fail(`${at}.tasks.0.lifecycle`, `group "${group.name}" needs a main task: every task has a lifecycle hook`, 'remove the lifecycle block of the task the group is for');
  }
  const taskNames = new Set<string>();
  group.tasks.forEach((task, ti) => {
    const t = `${at}.tasks.${ti}`;
    if (taskNames.has(task.name)) fail(`${t}.name`, `task "${task.name}" is defined more than once in group "${group.name}"`);
    taskNames.add(task.name);
    validateTask(task, t, fail);
    validateContainer(task, group, t, fail);
    if (runsOnce(task) && task.checks.length > 0) fail(`${t}.lifecycle`, `task "${task.name}" runs once (a ${task.lifecycle!.hook} task that is not a sidecar), so it cannot have checks`, 'make it a sidecar, or move the checks to a main task');
  });
}

/** Settings Docker would refuse at creation, and labels that would pass for deckhand's own. */
function validateContainer(task: Task, group: Group, at: string, fail: Fail): void {
  const c = task.container;
  if (!c) return;
  for (const name of Object.keys(c.labels ?? {})) {
    if (name.startsWith('deckhand.')) fail(`${at}.container.labels.${name}`, `label "${name}" is reserved: deckhand's own labels start with "deckhand."`, 'choose another prefix');
  }
  if (c.hostname !== undefined && group.network.mode === 'host') {
    fail(`${at}.container.hostname`, 'a hostname cannot be set on the host\'s network: the container has the host\'s name', 'use bridge networking, or drop the hostname');
  }
  c.ulimits?.forEach((u, i) => {
    if (!Number.isInteger(u.soft) || !Number.isInteger(u.hard) || u.soft < -1 || u.hard < -1) fail(`${at}.container.ulimits.${i}`, `ulimit "${u.name}" needs whole numbers, got ${u.soft}:${u.hard}`);
    else if (u.hard !== -1 && (u.soft === -1 || u.soft > u.hard)) fail(`${at}.container.ulimits.${i}`, `ulimit "${u.name}": the soft limit ${u.soft} is above the hard limit ${u.hard}`);
  });
  if (c.shmSizeBytes !== undefined && (!Number.isInteger(c.shmSizeBytes) || c.shmSizeBytes <= 0)) fail(`${at}.container.shmSizeBytes`, `shared memory size must be a positive number of bytes, got ${c.shmSizeBytes}`);
}

function validateTask(task: Task, at: string, fail: Fail): void {
  if (!task.image.trim()) fail(`${at}.image`, `task "${task.name}" has no image`, 'set the image to run');
  const labels = new Set<string>();
  task.ports.forEach((port, pi) => {
    if (labels.has(port.label)) fail(`${at}.ports.${pi}`, `port "${port.label}" is defined more than once`);
    labels.add(port.label);
    for (const key of ['static', 'to'] as const) {
      const value = port[key];
      if (value !== null && (!Number.isInteger(value) || value < 1 || value > 65535)) {
        fail(`${at}.ports.${pi}.${key}`, `port must be between 1 and 65535, got ${value}`);
      }
    }
  });
  task.checks.forEach((check, ci) => {
    if (check.type === 'exec') return;
    if (typeof check.port === 'string' && !labels.has(check.port)) {
      const known = [...labels].map((l) => `"${l}"`).join(', ') || 'none';
      fail(`${at}.checks.${ci}.port`, `check uses port "${check.port}", which is not defined`, `ports defined: ${known}`);
    }
    if (check.intervalMs <= 0) fail(`${at}.checks.${ci}.intervalMs`, 'interval must be greater than 0');
    if (check.timeoutMs <= 0) fail(`${at}.checks.${ci}.timeoutMs`, 'timeout must be greater than 0');
  });
}

/** The origin of a model path, or of its nearest recorded parent. */
export function locate(fields: FieldMap, path: string): FieldOrigin {
  let key = path;
  for (;;) {
    const found = fields.get(key);
    if (found) return found;
    const cut = key.lastIndexOf('.');
    if (cut < 0) break;
    key = key.slice(0, cut);
  }
  return fields.get('id') ?? { field: '', pos: { line: 1, col: 1 } };
}
