// Nomad's evaluator: names whose values exist only once an allocation is placed
// (`${NOMAD_*}`, `${attr.*}`, `${node.*}`, `${meta.*}`, `${env.*}`) are deferred, so
// expressions using them are kept as written for the runtime to fill in. Any other
// name that is not a root (`var`, `local`) is deferred too, as jobspec2's
// UnknownVariable does: `${RTSERVER}` stays `${RTSERVER}` for the task's
// environment to fill in at runtime, or to reach the task as written.
import { Evaluator } from '../../hcl/index.js';
import type { RootValue } from '../../hcl/index.js';

export function isPlacementName(name: string): boolean {
  return name.startsWith('NOMAD_') || name === 'attr' || name === 'node' || name === 'meta' || name === 'env';
}

/** `var` and `local` are always Nomad's roots: without their values (a variable's default) they stay errors, never deferred. */
const nomadRoots = new Set(['var', 'local']);

/** The job's evaluator: any name that is not a root is kept for runtime. */
export function nomadEvaluator(src: string, roots: ReadonlyMap<string, RootValue>): Evaluator {
  return new Evaluator(src, roots, { isDeferred: (name) => !nomadRoots.has(name) && !roots.has(name) });
}

/**
 * For values that must be literal (a variable's default, a --var-file, a --var): as
 * Nomad, which evaluates them without variables, an unknown name is an error there;
 * placement names stay as written.
 */
export function literalEvaluator(src: string): Evaluator {
  return new Evaluator(src, new Map(), { isDeferred: isPlacementName });
}
