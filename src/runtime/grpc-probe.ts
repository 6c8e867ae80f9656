// One gRPC health probe (grpc.health.v1.Health/Check, the protocol Kubernetes'
// `grpc` probes and Nomad's grpc checks speak), over plain HTTP/2 like theirs.
// The service definition comes from grpc-health-check, the client from grpc-js.
import { credentials, makeGenericClientConstructor, status as grpcStatus } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { GrpcCheck } from '../model/index.js';

type CheckCall = (request: { service: string }, options: { deadline: Date }, callback: (error: ServiceError | null, response?: { status?: string }) => void) => void;

const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

/** null when the server answered SERVING within the timeout, else why not. */
export function probeGrpc(check: GrpcCheck, host: string, port: number): Promise<string | null> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const target = `grpc ${address}${check.service ? ` service "${check.service}"` : ''}`;
  // One connection per probe, as Kubernetes does: a probe must not ride on a channel that hides a restarted server.
  // A generic client's methods are untyped: `check` is the one the service definition names.
  const client = new HealthClient(address, credentials.createInsecure(), { 'grpc.enable_retries': 0, 'grpc.primary_user_agent': 'deckhand', 'grpc.use_local_subchannel_pool': 1 }) as unknown as Client & { check: CheckCall };
  return new Promise<string | null>((resolve) => {
    client.check({ service: check.service }, { deadline: new Date(Date.now() + check.timeoutMs) }, (error, response) => {
      if (error) resolve(`${target}: ${error.code === grpcStatus.DEADLINE_EXCEEDED ? `timed out after ${check.timeoutMs}ms` : `${grpcStatus[error.code]}: ${error.details || error.message}`}`);
      else resolve(response?.status === 'SERVING' ? null : `${target}: ${response?.status ?? 'no status'}`);
    });
  }).finally(() => client.close());
}
