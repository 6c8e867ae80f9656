// The agent's runtime may run less than the model holds (`--runtime swarm`): each
// setting it cannot carry is an error at its field, at plan and submit time, so
// nothing that runs is touched because of it (model/runtime-support.ts).
import type { Diagnostic, Job, RuntimeSupport } from '../model/index.js';
import type { FieldMap } from './types.js';
import { locate } from './validate.js';

export function checkRuntimeSupport(job: Job, fields: FieldMap, support: RuntimeSupport | undefined): Diagnostic[] {
  if (!support) return [];
  return support.refusals(job).map((refusal) => {
    const origin = locate(fields, refusal.path);
    return {
      severity: 'error' as const,
      code: 'not-supported-by-runtime',
      file: origin.file ?? job.source.file,
      line: origin.pos.line,
      col: origin.pos.col,
      field: origin.field,
      message: `not supported by ${support.name}: ${refusal.message}`,
    };
  });
}
