// One entry point for the three reformatters, with the rewrites that show the
// phantom changes deckhand has today (known-phantoms.test.ts) left out, so the
// properties guard everything else. Set PHANTOM_ALL=1 to put them back in and
// watch the properties find those phantoms.
import type { JobFormat } from '../../../src/model/job.js';
import type { ChoiceSpec, Choices } from './choices.js';
import { choicesFrom } from './choices.js';
import { allComposeRewrites, reformatCompose } from './compose-reformat.js';
import { allKubernetesRewrites, reformatKubernetes } from './kubernetes-reformat.js';
import { allNomadRewrites, nomadFreeOrder, reformatNomad } from './nomad-reformat.js';

export type KnownPhantom =
  /** Nomad: reordering the tasks of a group moves its group-level checks and changes its restart policy. */
  | 'nomad-task-order'
  /** Nomad: reordering checks (or services) changes jobSpecHash, and swaps checks that share a name. */
  | 'nomad-check-order'
  /** Nomad: spaces or a comment inside `${NOMAD_PORT_http}` change the rendered value. */
  | 'nomad-interpolation-space'
  /** Kubernetes: a Deployment whose `kind`/`apiVersion` line is not plain YAML is not found by renderTree. */
  | 'kubernetes-kind-line';

export const knownPhantoms: ReadonlySet<KnownPhantom> = new Set<KnownPhantom>(
  [],
);

const nomadOrder = nomadFreeOrder.filter(
  (type) => !(knownPhantoms.has('nomad-task-order') && type === 'task') && !(knownPhantoms.has('nomad-check-order') && (type === 'check' || type === 'service')),
);

/**
 * Every rewrite except the known phantoms. `forDiscovery`: the text is also to be
 * found by file discovery, which today needs plain `kind`/`apiVersion` lines.
 */
export function reformat(format: JobFormat, text: string, choices: Choices, forDiscovery = false): string {
  switch (format) {
    case 'nomad':
      return reformatNomad(text, choices, { ...allNomadRewrites, freeOrder: nomadOrder, interpolationSpaces: !knownPhantoms.has('nomad-interpolation-space') });
    case 'compose':
      return reformatCompose(text, choices, allComposeRewrites);
    case 'kubernetes':
      return reformatKubernetes(text, choices, { ...allKubernetesRewrites, discoverable: forDiscovery && knownPhantoms.has('kubernetes-kind-line') });
  }
}

const memo = new Map<string, string>();

/** `reformat`, remembered: the properties run the same cases (same seed) once per check. */
export function reformatOnce(format: JobFormat, path: string, text: string, spec: ChoiceSpec, forDiscovery = false): string {
  const key = `${forDiscovery}|${path}|${spec.seed}|${spec.length}|${spec.density}`;
  let out = memo.get(key);
  if (out === undefined) {
    out = reformat(format, text, choicesFrom(spec), forDiscovery);
    if (memo.size > 5000) memo.clear();
    memo.set(key, out);
  }
  return out;
}
