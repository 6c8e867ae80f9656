// The order an allocation's tasks start in (Nomad's task lifecycle, Kubernetes'
// init containers): prestart tasks, then the main ones, then poststart ones.
import type Docker from 'dockerode';
import { formatDuration } from '../../util/index.js';
import { PlacementError } from '../driver.js';
import type { PlacementRequest } from '../driver.js';

/**
 * Prestart tasks first, in the file's order: one that runs once must exit 0
 * before the next starts (its last log lines say why when it does not), a
 * sidecar is started and left running. Then the main tasks, then poststart ones.
 */
export async function startInOrder(request: PlacementRequest, created: Docker.Container[]): Promise<void> {
  const tasks = request.group.tasks.map((task, i) => ({ task, container: created[i]! }));
  const phase = (hook: 'prestart' | 'main' | 'poststart') => tasks.filter(({ task }) => (task.lifecycle?.hook ?? 'main') === hook);
  for (const { task, container } of phase('prestart')) {
    await container.start();
    if (task.lifecycle?.sidecar) continue;
    const code = await exitCodeWithin(container, prestartDeadlineMs(request));
    if (code === null) throw new PlacementError(`prestart task "${task.name}" did not exit within ${formatDuration(prestartDeadlineMs(request))}${await lastLines(container)}`);
    if (code !== 0) throw new PlacementError(`prestart task "${task.name}" exited with code ${code}${await lastLines(container)}`);
  }
  for (const { container } of phase('main')) await container.start();
  for (const { container } of phase('poststart')) await container.start();
}

/** A prestart task has the group's healthy deadline (else its progress deadline, else 10 minutes) to end. */
function prestartDeadlineMs(request: PlacementRequest): number {
  return request.group.update.healthyDeadlineMs || request.group.update.progressDeadlineMs || 600_000;
}

/** The container's exit code once it stops, or null when it still runs after `ms`. */
async function exitCodeWithin(container: Docker.Container, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([(container.wait() as Promise<{ StatusCode: number }>).then((r) => r.StatusCode), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A container's last lines of output, for an error message (`: …`), or nothing. */
async function lastLines(container: Docker.Container): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: 5, follow: false })) as unknown as Buffer;
    const text = demultiplex(raw).trim();
    return text ? `: ${text.split('\n').slice(-5).join(' | ')}` : '';
  } catch {
    return '';
  }
}

/** Docker's multiplexed log stream (8-byte frame headers) as text. */
function demultiplex(raw: Buffer): string {
  const parts: string[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size).toString('utf8'));
    at += 8 + size;
  }
  return parts.join('');
}

