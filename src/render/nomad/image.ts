// The docker driver's `force_pull`: Nomad pulls the image on every placement, as
// deckhand's `always` policy does (which also rolls out a tag pushed anew).
// `false` is Nomad's default, the agent's policy then applies.
import type { PullPolicy } from '../../model/index.js';
import type { NomadContext } from './context.js';
import type { BlockReader } from './reader.js';

export function pullPolicyOf(ctx: NomadContext, config: BlockReader | undefined, modelPath: string): { pull?: PullPolicy } {
  const forcePull = config?.bool('force_pull');
  if (!forcePull?.value) return {};
  ctx.origin(`${modelPath}.pull`, forcePull.span, forcePull.field);
  return { pull: 'always' };
}
