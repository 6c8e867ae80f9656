// The readable form of `deckhand render`: what deckhand understood from a job file.
import type { Check, Group, Job, Placement, RestartPolicy, Task, UpdateStrategy } from '../model/index.js';
import { formatDuration } from '../util/index.js';
import { containerLines } from './container-text.js';

export function jobText(job: Job): string {
  const lines = [`Job "${job.id}" (${job.type}, ${job.source.format}: ${job.source.file})`];
  lines.push(...keyValues('', [['Meta', mapLines(job.meta)]]));
  for (const group of job.groups) lines.push('', ...groupText(group));
  return `${lines.join('\n')}\n`;
}

function groupText(group: Group): string[] {
  const lines = [`Group "${group.name}" (count ${group.count})`];
  lines.push(
    ...keyValues('  ', [
      ['Update', [updateText(group.update)]],
      ['Rollback', group.rollback ? [updateText(group.rollback)] : []],
      ['Restart', [restartText(group.restart)]],
      ['Starts', Object.entries(group.dependsOn ?? {}).map(([name, condition]) => `after group "${name}" is ${condition}`)],
      ['Placement', group.placement ? placementLines(group.placement) : []],
      ['Meta', mapLines(group.meta)],
    ]),
  );
  for (const task of group.tasks) lines.push(...taskText(task));
  return lines;
}

function taskText(task: Task): string[] {
  const command = task.command !== null ? [task.command, ...(task.args ?? [])] : task.args;
  const resources = [
    task.resources.cpu !== null ? `cpu ${task.resources.cpu} MHz` : '',
    task.resources.cpuLimit !== null ? `cpu limit ${task.resources.cpuLimit} cores` : '',
    task.resources.memoryMB !== null ? `memory ${task.resources.memoryMB} MB` : '',
  ].filter(Boolean);
  const lifecycle = task.lifecycle ? `, ${task.lifecycle.hook}${task.lifecycle.sidecar ? ' sidecar' : ' (runs once)'}` : '';
  return [
    `  Task "${task.name}" (${task.driver}${lifecycle})`,
    ...keyValues('    ', [
      ['Image', [task.image]],
      ['Entrypoint', task.entrypoint ? [JSON.stringify(task.entrypoint)] : []],
      ['Command', command ? [JSON.stringify(command)] : []],
      ['Env', mapLines(task.env)],
      // Where each file lands, never its content (a secret's or a long config's).
      ['Files', (task.files ?? []).map((f) => `${f.target} (${f.mode.toString(8).padStart(4, '0')}, ${f.sensitive ? 'secret' : 'config'}, ${Buffer.byteLength(f.content, f.encoding === 'base64' ? 'base64' : 'utf8')} bytes)`)],
      ['Ports', task.ports.map((p) => `${p.label}: ${p.static ?? 'dynamic'}${p.to !== null ? ` -> ${p.to}` : ''}`)],
      ['Resources', resources.length ? [resources.join(', ')] : []],
      ['Checks', task.checks.map(checkText)],
      ['Healthcheck', task.imageHealthcheck === 'disable' ? ["the image's HEALTHCHECK is disabled"] : []],
      ['Container', containerLines(task.container)],
      ['Meta', mapLines(task.meta)],
    ]),
  ];
}

/** Swarm's terms, as the job holds them; the local runtime's one engine is the only node. */
function placementLines(p: Placement): string[] {
  return [
    ...p.constraints.map((c) => `constraint ${c}`),
    ...p.spread.map((descriptor) => `spread over ${descriptor}`),
    ...(p.maxReplicasPerNode !== null ? [`at most ${p.maxReplicasPerNode} per node`] : []),
  ];
}

function updateText(u: UpdateStrategy): string {
  const parts = [
    `max_parallel ${u.maxParallel}`,
    `canary ${u.canary}`,
    `auto_promote ${u.autoPromote}`,
    `auto_revert ${u.autoRevert}`,
    `health_check ${u.healthCheck}`,
    `min_healthy_time ${formatDuration(u.minHealthyTimeMs)}`,
    ...(u.monitorMs ? [`monitor ${formatDuration(u.monitorMs)}`] : []),
    `healthy_deadline ${u.healthyDeadlineMs ? formatDuration(u.healthyDeadlineMs) : 'none'}`,
    `progress_deadline ${u.progressDeadlineMs ? formatDuration(u.progressDeadlineMs) : 'none'}`,
    `order ${u.order}`,
    `delay ${formatDuration(u.delayMs)}`,
    `failure_action ${u.failureAction}`,
    `max_failure_ratio ${u.maxFailureRatio}`,
  ];
  if (u.maxSurge !== null) parts.push(`max_surge ${u.maxSurge}`);
  if (u.maxUnavailable !== null) parts.push(`max_unavailable ${u.maxUnavailable}`);
  return parts.join(', ');
}

function restartText(r: RestartPolicy): string {
  if (r.condition === 'none') return 'never';
  const when = r.condition === 'any' ? 'on any exit' : 'on failure';
  const limit = r.maxAttempts === 0 ? 'without limit' : `at most ${r.maxAttempts} times${r.windowMs ? ` in ${formatDuration(r.windowMs)}` : ''}`;
  return `${when}, ${limit}, ${formatDuration(r.delayMs)} apart`;
}

function checkText(c: Check): string {
  const timing = `every ${formatDuration(c.intervalMs)}, timeout ${formatDuration(c.timeoutMs)}, ${c.retries} ${c.retries === 1 ? 'failure' : 'failures'} to fail`;
  const name = c.name ? `${c.name}: ` : '';
  if (c.type === 'http') return `${name}http ${c.method} ${c.path} on port ${c.port}, ${timing}`;
  if (c.type === 'tcp') return `${name}tcp on port ${c.port}, ${timing}`;
  if (c.type === 'grpc') return `${name}grpc health${c.service ? ` of ${JSON.stringify(c.service)}` : ''} on port ${c.port}, ${timing}`;
  return `${name}exec ${JSON.stringify(c.command)}, ${timing}`;
}

function mapLines(map: Record<string, string>): string[] {
  const keys = Object.keys(map).sort();
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)} = ${map[k]}`);
}

function keyValues(indent: string, rows: Array<[string, string[]]>): string[] {
  const shown = rows.filter(([, values]) => values.length > 0);
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  return shown.flatMap(([key, values]) => values.map((v, i) => `${indent}${(i === 0 ? key : '').padEnd(width)}  ${v}`));
}
