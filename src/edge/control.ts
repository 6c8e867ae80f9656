// The control API on DIR/edge.sock: small JSON over HTTP (node:http, no
// framework: the edge stays small). Only the agent's user can reach the socket
// (0600 in a 0700 folder), so it has no token.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Edge } from './edge.js';
import type { EdgeLog } from './log.js';
import type { EdgeTable } from './types.js';
import { parseDrainRequest, parseTable, TableError } from './validate.js';

const maxBody = 4 * 1024 * 1024;

export interface ControlHooks {
  /** Called with each new table before it is applied (persists it). */
  onTable(table: EdgeTable): void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new HttpError(413, `the body is larger than ${maxBody} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createControlServer(edge: Edge, hooks: ControlHooks, log: EdgeLog): Server {
  const route = async (req: IncomingMessage): Promise<[number, unknown]> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/v1/table' && req.method === 'GET') return [200, edge.view()];
    if (path === '/v1/table' && req.method === 'PUT') {
      const table = parseTable(await readJson(req));
      hooks.onTable(table);
      return [200, await edge.apply(table)];
    }
    if (path === '/v1/drain' && req.method === 'POST') {
      const { ids, timeoutMs } = parseDrainRequest(await readJson(req));
      return [200, await edge.drain(ids, timeoutMs)];
    }
    if (path === '/v1/table' || path === '/v1/drain') throw new HttpError(405, `${req.method} is not allowed on ${path}`);
    throw new HttpError(404, `no such path: ${path} (the edge serves GET/PUT /v1/table and POST /v1/drain)`);
  };
  return createServer((req, res) => {
    route(req).then(
      ([status, body]) => send(res, status, body),
      (error: Error) => {
        const status = error instanceof HttpError ? error.status : error instanceof TableError ? 400 : 500;
        if (status === 500) log.error(`control ${req.method} ${req.url}: ${error.stack ?? error.message}`);
        send(res, status, { ok: false, error: error.message });
      },
    );
  });
}
