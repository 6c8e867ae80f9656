// Nomad's evaluator: names whose values exist only once an allocation is placed
// (`${NOMAD_*}`, `${attr.*}`, `${node.*}`, `${meta.*}`, `${env.*}`) are deferred, so
// expressions using them are kept as written for the runtime to fill in.
import { Evaluator } from '../../hcl/index.js';
import type { RootValue } from '../../hcl/index.js';

export function isPlacementName(name: string): boolean {
  return name.startsWith('NOMAD_') || name === 'attr' || name === 'node' || name === 'meta' || name === 'env';
}

export function nomadEvaluator(src: string, roots: ReadonlyMap<string, RootValue>): Evaluator {
  return new Evaluator(src, roots, { isDeferred: isPlacementName });
}
