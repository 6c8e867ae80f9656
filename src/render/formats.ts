// The job formats deckhand reads, one line each, in the order they are asked:
// a format is a folder of src/render implementing FormatRenderer (types.ts), and
// its name in model/job.ts's JobFormat.
import { composeRenderer } from './compose/index.js';
import { kubernetesRenderer } from './kubernetes/index.js';
import { nomadRenderer } from './nomad/index.js';
import type { FormatRenderer } from './types.js';

export const formats: readonly FormatRenderer[] = [nomadRenderer, composeRenderer, kubernetesRenderer];

/** "expected *.nomad or *.nomad.hcl, ...": what a job file looks like, for messages. */
export function jobFileKinds(): string {
  return formats.map((f) => f.describe).join('; ');
}
