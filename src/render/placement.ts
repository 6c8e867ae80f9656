// What `validate --explain` says about placement, the same for the three formats:
// the job carries it in Swarm's terms, and the local runtime's one engine is the
// only node, so there it changes nothing.
import type { Placement } from '../model/index.js';

/** A placement setting the job carries for Swarm. */
export const placementCarried = 'one engine: it is carried into the job, and every constraint is judged by Swarm under --runtime swarm';

/** A placement setting with no Swarm equivalent: nothing to carry. */
export const placementWithoutSwarmEquivalent = 'one engine, and Swarm has no equivalent: it changes nothing here, and --runtime swarm will refuse it';

/** The group's placement when any part of it is set: a group without one keeps its shape (and spec hash). */
export function placementOf(parts: Partial<Placement>): { placement?: Placement } {
  const placement: Placement = { constraints: parts.constraints ?? [], spread: parts.spread ?? [], maxReplicasPerNode: parts.maxReplicasPerNode ?? null };
  const empty = placement.constraints.length === 0 && placement.spread.length === 0 && placement.maxReplicasPerNode === null;
  return empty ? {} : { placement };
}

/** Nomad and Kubernetes name architectures as Go does (amd64); Swarm's node.platform.arch as the kernel does (x86_64). */
export function swarmArchitecture(name: string): string | undefined {
  return ({ amd64: 'x86_64', arm64: 'aarch64', x86_64: 'x86_64', aarch64: 'aarch64' } as Record<string, string | undefined>)[name];
}
