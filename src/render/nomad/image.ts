// The docker driver's `force_pull`: Nomad pulls the image on every placement, as
// deckhand's `always` policy does (which also rolls out a tag pushed anew).
// `false` is Nomad's default, the agent's policy then applies. And `auth {}`: the
// registry's credentials for this image, used instead of the Docker client's.
import type { PullPolicy, RegistryCredentials } from '../../model/index.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

export function pullPolicyOf(ctx: NomadContext, config: BlockReader | undefined, modelPath: string): { pull?: PullPolicy } {
  const forcePull = config?.bool('force_pull');
  if (!forcePull?.value) return {};
  ctx.origin(`${modelPath}.pull`, forcePull.span, forcePull.field);
  return { pull: 'always' };
}

export function registryAuthOf(ctx: NomadContext, config: BlockReader | undefined, modelPath: string): { registryAuth?: RegistryCredentials } {
  const blocks = config?.blocks('auth') ?? [];
  const block = blocks[0];
  if (!block) return {};
  if (blocks.length > 1) ctx.error(blocks[1]!.typeSpan, 'config.auth', 'a config has one auth block');
  const auth = BlockReader.ofBlock(ctx, block, 'auth', 'config.auth');
  const username = auth.string('username');
  const password = auth.string('password');
  if (!username) auth.missing('username', 'auth { username = "..." password = "..." }');
  if (!password) auth.missing('password', 'auth { username = "..." password = "..." }');
  if (!username || !password) return {};
  ctx.origin(`${modelPath}.registryAuth`, block.typeSpan, 'config.auth');
  return { registryAuth: { username: username.value, password: password.value, serverAddress: auth.string('server_address')?.value ?? null } };
}
