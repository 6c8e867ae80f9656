// `deckhand run FILE [--check-index N]`: submit a job.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../../model/diagnostic.js';
import { CheckIndexError, submitJob } from '../../rollout/submit.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';
import type { RenderFlags } from '../load-jobs.js';
import { loadJobs, renderOptionsFrom } from '../load-jobs.js';
import { openCliStore } from '../data-dir.js';

export interface RunFlags extends RenderFlags {
  checkIndex?: string;
  dataDir?: string;
  output: string;
}

export async function runCommand(file: string, flags: RunFlags, io: CliIO): Promise<number> {
  const checkIndex = flags.checkIndex === undefined ? undefined : Number(flags.checkIndex);
  if (checkIndex !== undefined && (!Number.isInteger(checkIndex) || checkIndex < 0)) {
    throw new CliExit(1, `--check-index "${flags.checkIndex}": expected a whole number`);
  }
  const loaded = await loadJobs(file, await renderOptionsFrom(flags, io), io);
  for (const d of loaded.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return 1;
  const sourceText = await readFile(resolve(io.cwd, file), 'utf8');
  const store = openCliStore(flags, io);
  try {
    const results = [];
    for (const { job } of loaded.jobs) {
      const source = { kind: 'cli' as const, commit: null, file: job.source.file, author: null, message: null, revertOf: null };
      results.push(submitJob(store, { job, source, sourceText, checkIndex, now: Date.now() }));
    }
    if (flags.output === 'json') {
      io.stdout(`${JSON.stringify(results.map((r) => ({ id: r.version.jobId, version: r.version.version, changed: r.changed, modifyIndex: store.getJob(r.version.jobId)?.modifyIndex })), null, 2)}\n`);
    } else {
      for (const r of results) {
        const index = store.getJob(r.version.jobId)?.modifyIndex;
        io.stdout(
          r.changed
            ? `==> Job "${r.version.jobId}" registered: version ${r.version.version} (modify index ${index})\n`
            : `==> Job "${r.version.jobId}" is unchanged: version ${r.version.version} (modify index ${index})\n`,
        );
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof CheckIndexError) throw new CliExit(1, `Error submitting job: ${error.message}`);
    throw error;
  } finally {
    store.close();
  }
}
