// Nomad HCL job files (`*.nomad`, `*.nomad.hcl`) → one Job each.
import type { Diagnostic } from '../../model/index.js';
import { LineIndex } from '../line-index.js';
import type { FormatRenderer, FormatResult, RenderContext, SourceFile } from '../types.js';
import { HclSyntaxError, parseHcl } from '../../hcl/index.js';
import type { Body } from '../../hcl/index.js';
import { nomadEvaluator } from './evaluator.js';
import { NomadContext } from './context.js';
import { mapJob } from './job.js';
import { BlockReader } from './reader.js';
import { bindVariables } from './variables.js';

export const nomadRenderer: FormatRenderer = {
  format: 'nomad',
  describe: '*.nomad or *.nomad.hcl',
  claimsName: (path) => path.endsWith('.nomad') || path.endsWith('.nomad.hcl'),
  render: renderNomad,
};

function renderNomad(file: SourceFile, context: RenderContext): FormatResult {
  let body: Body;
  try {
    body = parseHcl(file.text);
  } catch (error) {
    if (!(error instanceof HclSyntaxError)) throw error;
    const { line, col } = new LineIndex(file.text).position(error.offset);
    const diagnostic: Diagnostic = { severity: 'error', code: 'syntax', file: file.path, line, col, field: '', message: error.message };
    return { jobs: [], diagnostics: [diagnostic] };
  }

  const ctx = new NomadContext(file.path, file.text, nomadEvaluator(file.text, new Map()));
  const top = new BlockReader(ctx, body, 'file', '', { start: 0, end: 0 });
  bindVariables(ctx, body, context);

  const jobBlocks = top.blocks('job');
  if (jobBlocks.length === 0) {
    ctx.error({ start: 0, end: 0 }, 'job', 'no job block in this file', 'a Nomad job file holds job "name" { ... }');
  }
  for (const extra of jobBlocks.slice(1)) {
    ctx.error(extra.typeSpan, 'job', 'a file holds one job; this is a second one', 'put each job in its own file');
  }
  const job = jobBlocks[0] ? mapJob(ctx, jobBlocks[0]) : undefined;
  const jobs = job && !ctx.hasErrors() ? [{ job, fields: ctx.fields }] : [];
  return { jobs, diagnostics: ctx.diagnostics, settings: ctx.settings };
}
