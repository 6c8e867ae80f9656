// `deckhand edge`: the data path of the jobs' stable endpoints, a process apart
// from the agent (src/edge/README.md). The agent starts it; by hand it is for
// running it under a service manager of its own.
import { resolve } from 'node:path';
import { EdgeStartError, isEdgeLogLevel, runEdge } from '../../edge/index.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';

export interface EdgeFlags {
  dataDir: string;
  logLevel?: string;
}

export async function edgeCommand(flags: EdgeFlags, io: CliIO): Promise<number> {
  const level = flags.logLevel ?? 'info';
  if (!isEdgeLogLevel(level)) throw new CliExit(1, `Error: --log-level: ${JSON.stringify(level)} is not one of trace, debug, info, warn, error`);
  let edge: Awaited<ReturnType<typeof runEdge>>;
  try {
    edge = await runEdge({ dataDir: resolve(io.cwd, flags.dataDir), logLevel: level });
  } catch (error) {
    if (error instanceof EdgeStartError) throw new CliExit(1, `Error: ${error.message}`);
    throw new CliExit(1, `Error starting the edge: ${(error as Error).message}`);
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await edge.close();
  return 0;
}
