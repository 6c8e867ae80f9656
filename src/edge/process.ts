// The edge process's start and stop: the data folder, the saved table served
// before anything else, then the control socket, then the pid file.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { makeDirectory, packageVersion } from '../util/index.js';
import { createControlServer } from './control.js';
import { defaultEdgeOptions, Edge } from './edge.js';
import type { EdgeOptions } from './edge.js';
import { createEdgeLog } from './log.js';
import type { EdgeLog, EdgeLogLevel } from './log.js';
import { loadTable, saveTable } from './table-file.js';

export const socketFileName = 'edge.sock';
export const pidFileName = 'edge.pid';

export class EdgeStartError extends Error {
  override readonly name = 'EdgeStartError';
}

export interface RunEdgeOptions {
  dataDir: string;
  logLevel?: EdgeLogLevel;
  log?: EdgeLog;
  /** Timings, for tests. */
  edge?: Partial<EdgeOptions>;
}

export interface RunningEdge {
  socketPath: string;
  close(): Promise<void>;
}

/** 'answering' when another edge serves the socket, 'stale' when a socket file is left by a dead one. */
function probeSocket(path: string): Promise<'answering' | 'stale' | 'none'> {
  return new Promise((done) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      done('answering');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ENOENT' ? 'none' : 'stale'));
  });
}

export async function runEdge(options: RunEdgeOptions): Promise<RunningEdge> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? createEdgeLog(options.logLevel ?? 'info');
  makeDirectory(dataDir, 0o700);
  // The socket, the table and the log are the agent user's alone.
  process.umask(0o077);
  const socketPath = join(dataDir, socketFileName);
  const state = await probeSocket(socketPath);
  if (state === 'answering') throw new EdgeStartError(`an edge already answers on ${socketPath}`);
  if (state === 'stale') rmSync(socketPath, { force: true });

  const edge = new Edge({ ...defaultEdgeOptions, version: packageVersion(), ...options.edge }, log);
  try {
    const table = loadTable(dataDir);
    const reply = await edge.apply(table);
    log.info(`edge ${packageVersion()} started with ${table.endpoints.length} saved endpoint(s), ${reply.errors.length} not listening`);
  } catch (error) {
    // A damaged file must not keep the edge from starting: the agent sends the table again.
    log.error(`${(error as Error).message}; starting with an empty table`);
  }
  const control = createControlServer(
    edge,
    {
      onTable: (table) => {
        try {
          saveTable(dataDir, table);
        } catch (error) {
          log.error(`cannot save the table in ${dataDir}: ${(error as Error).message}; it is served, but an edge started again will not have it`);
        }
      },
    },
    log,
  );
  await new Promise<void>((done, fail) => {
    control.once('error', (error) => fail(new EdgeStartError(`cannot listen on ${socketPath}: ${error.message}`, { cause: error })));
    control.listen(socketPath, () => done());
  }).catch((error: unknown) => {
    edge.close();
    throw error;
  });
  chmodSync(socketPath, 0o600);
  const pidPath = join(dataDir, pidFileName);
  writeFileSync(pidPath, `${process.pid}\n`, { mode: 0o600 });
  log.info(`control API on ${socketPath}`);
  return {
    socketPath,
    close: async () => {
      edge.close();
      control.closeAllConnections();
      await new Promise<void>((done) => control.close(() => done()));
      rmSync(pidPath, { force: true });
      log.info('edge stopped');
    },
  };
}
