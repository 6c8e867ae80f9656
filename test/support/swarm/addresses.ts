// The addresses a test swarm uses, all from 198.18.0.0/15 (RFC 2544, for tests).
// The host sees one /24 of 198.18.128.0/17 per cluster: its bridge and the nodes'
// ends of their veth pairs, picked so no route of the host's (another cluster's)
// overlaps. Everything else lives inside the nodes' namespaces or their containers
// and never reaches the host's routing table, so every cluster reuses it: Swarm's
// overlay networks, each node's own docker0 and docker_gwbridge. Those three
// ranges are kept apart, as a task's container joins an overlay and the gwbridge
// at once, and all three keep clear of 198.19.77.0/24 (test/support/private-dockerd.ts).
import { execFileSync } from 'node:child_process';

/** Swarm's pool for overlay networks (`docker swarm init --default-addr-pool`), a /24 each. */
export const overlayPool = { base: '198.19.128.0/18', maskLength: 24 };
/** Each node engine's pool for its local networks (docker_gwbridge among them). */
export const localPool = 'base=198.19.192.0/20,size=24';
/** Each node engine's docker0. */
export const nodeBridgeAddress = '198.19.208.1/24';

const hostBlock = { prefix: '198.18.', first: 128, count: 128 };

export interface ClusterSubnet {
  /** `198.18.S.`: the bridge is `.1`, node N is `.(10 + N)`. */
  prefix: string;
  bridgeAddress: string;
  nodeAddress(index: number): string;
}

/** A /24 of the host block that no route of the host's overlaps, from a random start. */
export function freeClusterSubnet(): ClusterSubnet {
  const routes = (JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show'], { encoding: 'utf8' })) as { dst: string }[]).flatMap(({ dst }) => {
    const [address, bits = '32'] = dst.split('/');
    return address === 'default' ? [] : [{ first: toNumber(address!), size: 2 ** (32 - Number(bits)) }];
  });
  const start = Math.floor(Math.random() * hostBlock.count);
  for (let i = 0; i < hostBlock.count; i++) {
    const third = hostBlock.first + ((start + i) % hostBlock.count);
    const first = toNumber(`${hostBlock.prefix}${third}.0`);
    if (routes.some((r) => first < r.first + r.size && r.first < first + 256)) continue;
    const prefix = `${hostBlock.prefix}${third}.`;
    return { prefix, bridgeAddress: `${prefix}1`, nodeAddress: (index) => `${prefix}${10 + index}` };
  }
  throw new Error(`no free /24 left in ${hostBlock.prefix}${hostBlock.first}.0/17 for a test swarm (leftovers? see \`ip -br link | grep dhsw\`)`);
}

function toNumber(address: string): number {
  return address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}
