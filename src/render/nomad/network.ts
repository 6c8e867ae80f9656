// Ports from `network` blocks: the group's, and the older form inside a task's
// `resources` (seed 000 writes `resources { network { port "http" {} } }`).
import type { Port } from '../../model/index.js';
import type { Block, Span } from '../../hcl/index.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

export interface PositionedPort {
  port: Port;
  span: Span;
  field: string;
}

export function mapNetworks(ctx: NomadContext, networks: Block[], fieldPrefix: string): PositionedPort[] {
  const ports: PositionedPort[] = [];
  for (const network of networks) {
    const reader = BlockReader.ofBlock(ctx, network, 'network', fieldPrefix);
    const mode = reader.string('mode');
    if (mode && mode.value !== 'host') {
      ctx.report('notice', 'unsupported', mode.span, mode.field, `network mode "${mode.value}" is not used: deckhand runs allocations on the host network`);
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
        port: {
          label,
          static: staticPort && staticPort.value > 0 ? staticPort.value : null,
          // Nomad's `to = -1` means "the same as the host port": nothing fixed.
          to: to && to.value > 0 ? to.value : null,
        },
        span: block.labelSpans[0]!,
        field: `${reader.field('port')}.${label}`,
      });
    }
  }
  return ports;
}
