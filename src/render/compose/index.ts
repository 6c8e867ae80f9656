// The Compose / Swarm stack file format: one compose file is one job, each service
// a group of one task. Render never throws: every problem is a Diagnostic.
import type { FormatRenderer } from '../types.js';
import { renderCompose } from './project.js';

export const composeRenderer: FormatRenderer = {
  format: 'compose',
  render(file, context) {
    try {
      return renderCompose(file, context);
    } catch (error) {
      // A bug here must not take the agent down, nor touch what runs: report it against the file.
      const reason = error instanceof RangeError ? 'the file is nested too deeply' : error instanceof Error ? error.message : String(error);
      return {
        jobs: [],
        diagnostics: [{ severity: 'error', code: 'internal', file: file.path, line: 1, col: 1, field: '', message: `could not render the compose file: ${reason}` }],
      };
    }
  },
};

export { interpolate } from './interpolate.js';
export type { Lookup } from './interpolate.js';
export { parseEnvFile } from './env-file.js';
export { normalizeProjectName } from './project-name.js';
