// `service` blocks and their `check`s. deckhand runs the checks itself (there is
// no Consul): http, tcp and grpc are supported, the other kinds are refused clearly.
import type { Check } from '../../model/index.js';
import { checkDefaults } from '../defaults.js';
import type { Block, Span } from '../../hcl/index.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

export interface PositionedCheck {
  /** The task a group-level service names (`task = "web"`); null: the task it sits in, or the group's first. */
  task: string | null;
  check: Check;
  span: Span;
  field: string;
  port: { span: Span; field: string } | null;
}

const supportedTypes = ['http', 'tcp', 'grpc'];

export function mapServices(ctx: NomadContext, services: Block[], fieldPrefix: string): PositionedCheck[] {
  const out: PositionedCheck[] = [];
  for (const service of services) {
    const reader = BlockReader.ofBlock(ctx, service, 'service', fieldPrefix);
    const servicePort = portOf(reader);
    const task = reader.string('task')?.value ?? null;
    for (const block of reader.blocks('check')) {
      const mapped = mapCheck(ctx, block, reader.field('check'), servicePort);
      if (mapped) out.push({ ...mapped, task });
    }
  }
  return out;
}

function mapCheck(
  ctx: NomadContext,
  block: Block,
  fieldPrefix: string,
  servicePort: PortRead | undefined,
): Omit<PositionedCheck, 'task'> | undefined {
  const reader = BlockReader.ofBlock(ctx, block, 'check', fieldPrefix);
  const type = reader.string('type');
  if (!type) {
    reader.missing('type', 'http, tcp or grpc');
    return undefined;
  }
  if (!supportedTypes.includes(type.value)) {
    ctx.report('error', 'unsupported', type.span, type.field, `check type "${type.value}" is not supported`, 'deckhand runs http, tcp and grpc checks');
    return undefined;
  }
  const port = portOf(reader) ?? servicePort;
  if (!port) {
    ctx.error(block.typeSpan, reader.field('port'), `a ${type.value} check needs a port`, 'set port on the check or on its service');
    return undefined;
  }
  const timing = {
    name: reader.string('name')?.value ?? null,
    role: 'readiness' as const,
    intervalMs: reader.duration('interval')?.value ?? checkDefaults.nomad.intervalMs,
    timeoutMs: reader.duration('timeout')?.value ?? checkDefaults.nomad.timeoutMs,
    retries: Math.max(1, reader.number('failures_before_critical', { integer: true, min: 0 })?.value ?? checkDefaults.nomad.retries),
    startPeriodMs: checkDefaults.nomad.startPeriodMs,
  };
  const protocol = reader.oneOf('protocol', ['http', 'https']);
  if (protocol?.value === 'https') {
    ctx.report('error', 'unsupported', protocol.span, protocol.field, 'https checks are not supported', 'deckhand probes checks over plain http');
    return undefined;
  }
  let check: Check;
  if (type.value === 'http') {
    const path = reader.string('path');
    if (!path) {
      reader.missing('path', 'an http check needs the path to request, e.g. path = "/health"');
      return undefined;
    }
    const method = reader.string('method')?.value.toUpperCase() ?? 'GET';
    check = { type: 'http', port: port.value, path: path.value, method, ...timing };
  } else if (type.value === 'grpc') {
    const tls = reader.bool('grpc_use_tls');
    if (tls?.value === true) {
      ctx.report('error', 'unsupported', tls.span, tls.field, 'grpc checks over TLS are not supported', 'deckhand probes grpc checks over plain HTTP/2, as Kubernetes does: serve the health service without TLS on a port of its own, or use an http or tcp check');
      return undefined;
    }
    check = { type: 'grpc', port: port.value, service: reader.string('grpc_service')?.value ?? '', ...timing };
  } else {
    check = { type: 'tcp', port: port.value, ...timing };
  }
  return { check, span: block.typeSpan, field: reader.fieldPrefix, port: { span: port.span, field: port.field } };
}

interface PortRead {
  value: string | number;
  span: Span;
  field: string;
}

/** A port label (`port = "http"`) or a fixed number (`port = 8080`). */
function portOf(reader: BlockReader): PortRead | undefined {
  const read = reader.value('port');
  if (!read) return undefined;
  if (typeof read.value === 'number' && Number.isInteger(read.value)) return { value: read.value, span: read.span, field: read.field };
  if (typeof read.value === 'string') {
    const value = /^\d+$/.test(read.value) ? Number(read.value) : read.value;
    return { value, span: read.span, field: read.field };
  }
  reader.ctx.error(read.span, read.field, 'expected a port label such as "http" or a port number');
  return undefined;
}
