// One entry point for the three reformatters, with every rewrite on. The phantom
// changes they once found are fixed (known-phantoms.test.ts keeps them fixed).
import type { JobFormat } from '../../../src/model/job.js';
import type { ChoiceSpec, Choices } from './choices.js';
import { choicesFrom } from './choices.js';
import { allComposeRewrites, reformatCompose } from './compose-reformat.js';
import { allKubernetesRewrites, reformatKubernetes } from './kubernetes-reformat.js';
import { allNomadRewrites, nomadFreeOrder, reformatNomad } from './nomad-reformat.js';

export function reformat(format: JobFormat, text: string, choices: Choices): string {
  switch (format) {
    case 'nomad':
      return reformatNomad(text, choices, { ...allNomadRewrites, freeOrder: nomadFreeOrder, interpolationSpaces: true });
    case 'compose':
      return reformatCompose(text, choices, allComposeRewrites);
    case 'kubernetes':
      // Discovery finds Deployments however their kind line is written, so no rewrite is held back.
      return reformatKubernetes(text, choices, { ...allKubernetesRewrites, discoverable: false });
  }
}

const memo = new Map<string, string>();

/** `reformat`, remembered: the properties run the same cases (same seed) once per check. */
export function reformatOnce(format: JobFormat, path: string, text: string, spec: ChoiceSpec): string {
  const key = `${path}|${spec.seed}|${spec.length}|${spec.density}`;
  let out = memo.get(key);
  if (out === undefined) {
    out = reformat(format, text, choicesFrom(spec));
    if (memo.size > 5000) memo.clear();
    memo.set(key, out);
  }
  return out;
}
