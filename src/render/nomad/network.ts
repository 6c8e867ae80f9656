// Ports from `network` blocks: the group's, and the older form inside a task's
// `resources` (seed 000 writes `resources { network { port "http" {} } }`). Nomad's
// docker tasks get their ports mapped whatever the group's `mode` ("host", the
// default, or "bridge"), so both are deckhand's bridge networking; only the docker
// config's `network_mode = "host"` puts a task on the host's network (task.ts).
import type { Block, Span } from '../../hcl/index.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

/** A port as the file writes it, before the group's networking decides what it becomes (job.ts). */
export interface PositionedPort {
  label: string;
  /** `static`: a fixed host port; null when absent. */
  static: { value: number; span: Span } | null;
  /** `to`: the port inside the container; null when absent or -1 (the same as the host port). */
  to: { value: number; span: Span } | null;
  span: Span;
  field: string;
}

/** Group network modes whose ports deckhand maps; `cni/*` and `none` are refused. */
const mappedModes = ['host', 'bridge'];

/** `onNetwork` reads more of each block (a group's `dns` and `hostname`) without reading it twice. */
export function mapNetworks(ctx: NomadContext, networks: Block[], fieldPrefix: string, onNetwork?: (reader: BlockReader) => void): PositionedPort[] {
  const ports: PositionedPort[] = [];
  for (const network of networks) {
    const reader = BlockReader.ofBlock(ctx, network, 'network', fieldPrefix);
    onNetwork?.(reader);
    const mode = reader.string('mode');
    if (mode && !mappedModes.includes(mode.value)) {
      const cni = mode.value.startsWith('cni/');
      ctx.report('error', 'unsupported', mode.span, mode.field, `network mode "${mode.value}" is not supported: ${cni ? 'deckhand runs no CNI plugins' : 'deckhand maps each task\'s ports on the job\'s network'}`, 'use mode = "bridge" (or "host", the same here), or network_mode = "host" in the docker config');
    }
    for (const block of reader.blocks('port')) {
      if (block.labels.length !== 1) {
        ctx.error(block.typeSpan, reader.field('port'), 'a port block needs exactly one label: port "http" { ... }');
        continue;
      }
      const label = block.labels[0]!;
      const portReader = BlockReader.ofBlock(ctx, block, 'port', reader.field('port'));
      const staticPort = portReader.number('static', { integer: true });
      const to = portReader.number('to', { integer: true });
      ports.push({
        label,
        static: staticPort && staticPort.value > 0 ? { value: staticPort.value, span: staticPort.span } : null,
        // Nomad's `to = -1` means "the same as the host port": nothing fixed.
        to: to && to.value > 0 ? { value: to.value, span: to.span } : null,
        span: block.labelSpans[0]!,
        field: `${reader.field('port')}.${label}`,
      });
    }
  }
  return ports;
}
