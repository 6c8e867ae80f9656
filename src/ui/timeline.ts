// The current deployment as a picture: one row per allocation it placed, a bar
// from its placement to now (or to its end), coloured by health; allocations placed
// together form a batch, marked by a line. Below them, in grey, the older
// allocations the deployment replaces, each ending where it was stopped. Inline SVG, built from the API's
// deployment and allocation views. Pure: views and a clock in, markup out.
import type { AllocationView, DeploymentView } from '../api/index.js';
import { html } from './html.js';
import type { Html } from './html.js';

/** Allocations placed within this of each other belong to one batch. */
const batchGapMs = 300;
const width = 760;
const labelWidth = 170;
const rowHeight = 22;
const top = 28;

export interface Batch {
  start: number;
  allocations: AllocationView[];
}

/** The deployment's allocations in order of placement, cut into batches. */
export function batchesOf(allocations: AllocationView[]): Batch[] {
  const sorted = [...allocations].sort((a, b) => a.createdAt - b.createdAt || a.index - b.index);
  const batches: Batch[] = [];
  for (const allocation of sorted) {
    const last = batches.at(-1);
    const previous = last?.allocations.at(-1);
    if (last && previous && allocation.createdAt - previous.createdAt <= batchGapMs) last.allocations.push(allocation);
    else batches.push({ start: allocation.createdAt, allocations: [allocation] });
  }
  return batches;
}

export type Health = 'healthy' | 'unhealthy' | 'pending' | 'stopped';

/** An allocation that ended is shown as stopped, whatever its last health: it serves nothing now. */
export function healthOf(a: AllocationView): Health {
  if (a.status === 'failed' || (a.healthy === false && a.desired === 'run')) return 'unhealthy';
  if (a.desired === 'stop' || a.status === 'complete') return 'stopped';
  return a.healthy === true ? 'healthy' : a.healthy === false ? 'unhealthy' : 'pending';
}

const ended = (d: DeploymentView) => d.status !== 'running' && d.status !== 'paused';

export function timelineSvg(deployment: DeploymentView, allocations: AllocationView[], now: number): Html {
  const mine = allocations.filter((a) => a.deployment === deployment.id);
  const batches = batchesOf(mine);
  const rows = batches.flatMap((b) => b.allocations);
  const t0 = deployment.createdAt;
  const replaced = allocations
    .filter((a) => a.deployment !== deployment.id && a.version < deployment.jobVersion && (a.desired === 'run' || a.modifiedAt >= t0))
    .sort((a, b) => a.group.localeCompare(b.group) || a.index - b.index);
  const t1 = Math.max(ended(deployment) ? deployment.updatedAt : now, ...rows.map((a) => a.modifiedAt), t0 + 1000);
  const x = (t: number) => labelWidth + ((t - t0) / (t1 - t0)) * (width - labelWidth - 10);
  const height = top + (Math.max(rows.length, 1) + replaced.length) * rowHeight + 24;
  const endOf = (a: AllocationView) => (a.desired === 'stop' ? Math.max(a.modifiedAt, a.createdAt) : t1);
  const seconds = ((t1 - t0) / 1000).toFixed(1);
  return html`<svg class="timeline" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"
    data-deployment="${deployment.id}" data-status="${deployment.status}" data-batches="${batches.length}" data-healthy="${rows.filter((a) => a.healthy === true).length}"
    aria-label="deployment ${deployment.id.slice(0, 8)}: ${batches.length} batches, ${deployment.status}">
  <title>deployment ${deployment.id.slice(0, 8)} of version ${deployment.jobVersion}: ${deployment.status}</title>
  <text x="0" y="16" class="axis">placed</text>
  <text x="${labelWidth}" y="16" class="axis">0 s</text>
  <text x="${width - 10}" y="16" class="axis" text-anchor="end">${seconds} s</text>
  ${batches.map(
    (b, i) => html`<line class="batch" x1="${x(b.start).toFixed(1)}" x2="${x(b.start).toFixed(1)}" y1="${top - 6}" y2="${height - 20}"/>
  <text class="axis" x="${(x(b.start) + 3).toFixed(1)}" y="${height - 6}">batch ${i + 1}</text>`,
  )}
  ${rows.map((a, i) => {
    const y = top + i * rowHeight;
    const health = healthOf(a);
    const from = x(a.createdAt);
    const to = Math.max(x(endOf(a)), from + 4);
    return html`<g class="alloc ${health}" data-alloc="${a.id}" data-health="${health}">
    <text x="0" y="${y + 15}">${a.group}[${a.index}] v${a.version}${a.canary ? ' canary' : ''}</text>
    <rect x="${from.toFixed(1)}" y="${y + 3}" width="${(to - from).toFixed(1)}" height="${rowHeight - 6}" rx="3"><title>${a.id.slice(0, 8)}: ${a.status}, ${health}${a.description ? ` (${a.description})` : ''}</title></rect>
  </g>`;
  })}
  ${replaced.map((a, i) => {
    const y = top + (Math.max(rows.length, 1) + i) * rowHeight;
    const to = Math.max(x(a.desired === 'stop' ? Math.max(a.modifiedAt, t0) : t1), labelWidth + 4);
    return html`<g class="old" data-alloc="${a.id}">
    <text x="0" y="${y + 15}">${a.group}[${a.index}] v${a.version}${a.desired === 'stop' ? ' replaced' : ''}</text>
    <rect x="${labelWidth}" y="${y + 7}" width="${(to - labelWidth).toFixed(1)}" height="${rowHeight - 14}" rx="2"><title>${a.id.slice(0, 8)}: ${a.status}</title></rect>
  </g>`;
  })}
  ${rows.length === 0 ? html`<text x="${labelWidth}" y="${top + 15}" class="axis">no allocation placed yet</text>` : null}
</svg>`;
}
