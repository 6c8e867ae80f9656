// Checks what arrives on the control API or from edge-table.json: a bad table is
// refused whole with the field that is wrong, and never half applied.
import { isIP } from 'node:net';
import type { EdgeBackend, EdgeEndpoint, EdgeTable } from './types.js';

export class TableError extends Error {
  override readonly name = 'TableError';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function port(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new TableError(`${field}: must be a port number from 1 to 65535 (got ${JSON.stringify(value)})`);
  }
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 255) throw new TableError(`${field}: must be a string of 1 to 255 characters (got ${JSON.stringify(value)})`);
  return value;
}

/** A host: an IP address or a DNS name (the edge never listens on a name, see `address`). */
function host(value: unknown, field: string): string {
  const name = text(value, field);
  if (!isIP(name) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) throw new TableError(`${field}: not an IP address or host name: ${JSON.stringify(name)}`);
  return name;
}

function backend(value: unknown, field: string): EdgeBackend {
  if (!isObject(value)) throw new TableError(`${field}: must be an object { id, host, port }`);
  return { id: text(value.id, `${field}.id`), host: host(value.host, `${field}.host`), port: port(value.port, `${field}.port`) };
}

function endpoint(value: unknown, field: string): EdgeEndpoint {
  if (!isObject(value)) throw new TableError(`${field}: must be an object { port, address, backends }`);
  const address = text(value.address, `${field}.address`);
  // An IP only: a name could resolve to another address each time the edge binds.
  if (!isIP(address)) throw new TableError(`${field}.address: must be an IP address to listen on, e.g. 127.0.0.1 (got ${JSON.stringify(address)})`);
  if (!Array.isArray(value.backends)) throw new TableError(`${field}.backends: must be a list`);
  const backends = value.backends.map((item, i) => backend(item, `${field}.backends[${i}]`));
  const seen = new Set<string>();
  for (const [i, item] of backends.entries()) {
    if (seen.has(item.id)) throw new TableError(`${field}.backends[${i}].id: ${JSON.stringify(item.id)} is listed twice`);
    seen.add(item.id);
  }
  return { port: port(value.port, `${field}.port`), address, backends };
}

export const endpointKey = (endpoint: { address: string; port: number }): string => `${endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address}:${endpoint.port}`;

/** The table in `value`, or a TableError naming the field (prefixed by `where`). */
export function parseTable(value: unknown, where = 'table'): EdgeTable {
  if (!isObject(value) || !Array.isArray(value.endpoints)) throw new TableError(`${where}: must be an object { endpoints: [...] }`);
  const endpoints = value.endpoints.map((item, i) => endpoint(item, `${where}.endpoints[${i}]`));
  const keys = new Map<number, string>();
  for (const [i, item] of endpoints.entries()) {
    // One port on two addresses would fight over it when one of them is a wildcard.
    const other = keys.get(item.port);
    if (other !== undefined) throw new TableError(`${where}.endpoints[${i}].port: ${item.port} is already listed (${other})`);
    keys.set(item.port, endpointKey(item));
  }
  return { endpoints };
}

export interface DrainRequest {
  ids: string[];
  timeoutMs: number;
}

export const maxDrainMs = 3_600_000;

export function parseDrainRequest(value: unknown): DrainRequest {
  if (!isObject(value) || !Array.isArray(value.ids)) throw new TableError('drain: must be an object { ids: [...], timeoutMs }');
  const ids = value.ids.map((id, i) => text(id, `drain.ids[${i}]`));
  const timeoutMs = value.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > maxDrainMs) {
    throw new TableError(`drain.timeoutMs: must be a whole number of milliseconds from 0 to ${maxDrainMs} (got ${JSON.stringify(timeoutMs)})`);
  }
  return { ids, timeoutMs };
}
