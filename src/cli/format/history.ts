// `deckhand history` as `nomad job history [-p]`, and `deckhand deployments` as `nomad job deployments`.
import type { Job } from '../../model/index.js';
import type { JobDiff } from '../../plan/index.js';
import { formatDiffText } from '../../plan/index.js';
import type { DeploymentView, VersionView } from '../../api/index.js';
import { keyValues, table, timestamp } from './table.js';

/** A version as `GET /v1/job/:id/versions` sends it; `diff` (against the version before) with `?diffs=true`. */
export type VersionWithJob = VersionView & { job: Job; diff?: JobDiff | null };

/** Versions newest first, as the agent sends them; with `diffs`, each against the version before it (the agent computes them: only it sees secret values). */
export function formatHistory(versions: VersionWithJob[], diffs: boolean): string {
  const blocks = versions.map((v) => {
    const pairs: Array<[string, string]> = [
      ['Version', String(v.version)],
      ['Stable', String(v.stable)],
      ['Submit Date', timestamp(v.submittedAt)],
      ['Source', sourceText(v)],
    ];
    const diff = v.diff;
    if (diffs && diff) {
      const text = diff.type === 'None' ? '(no changes)' : formatDiffText(diff, null, { color: false }).trimEnd();
      pairs.push(['Diff', `\n${text}`]);
    }
    return keyValues(pairs);
  });
  return `${blocks.join('\n\n')}\n`;
}

function sourceText(v: VersionView): string {
  const s = v.source;
  const commit = s.commit ? `commit ${s.commit.slice(0, 7)}` : null;
  const by = s.author ? ` by ${s.author}` : '';
  switch (s.kind) {
    case 'git':
      // A revert commit: its message already says "Rolling back to job version N (commit abc1234)".
      if (s.revertOf !== null && s.message) return `${firstLine(s.message)}${by}`;
      return `${commit ?? 'git'}${by}${s.message ? `: ${firstLine(s.message)}` : ''}`;
    case 'revert':
      return `revert to version ${s.revertOf}${commit ? ` (${commit})` : ''}`;
    case 'auto-revert':
      return `automatic revert to version ${s.revertOf}`;
    case 'adopted':
      return 'adopted from running containers (the data directory had no record of the job)';
    default:
      return `cli${s.file ? ` (${s.file})` : ''}`;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

export function formatDeployments(deployments: DeploymentView[]): string {
  if (deployments.length === 0) return 'No deployments found\n';
  const rows = deployments.map((d) => [d.id.slice(0, 8), String(d.jobVersion), d.status, d.description]);
  return `${table(['ID', 'Job Version', 'Status', 'Description'], rows)}\n`;
}
