// The agent's way to the edge (src/edge): a process of its own, started on the
// first job with an endpoint and left running when the agent stops, so endpoints
// answer while the agent is stopped, restarted or killed.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EdgeClient } from '../edge/index.js';
import type { EdgePort, EndpointTable } from '../rollout/index.js';

export const edgeFolder = 'edge';

export function connectEdge(dataDir: string, logger: Logger): () => Promise<EdgePort> {
  return async () => {
    const client = new EdgeClient({ dataDir: join(dataDir, edgeFolder), log: (message) => logger.info(message) });
    await client.ensureRunning();
    const setTable = async (table: EndpointTable) => {
      const reply = await client.setTable(table);
      for (const failed of reply.errors) logger.warn({ port: failed.port }, `endpoint ${failed.address}:${failed.port} cannot listen: ${failed.message}`);
      return reply;
    };
    return {
      // An edge that went away (killed, the machine rebooted) is started again, with the table.
      setTable: (table) => setTable(table).catch(async () => {
        await client.ensureRunning();
        return setTable(table);
      }),
      drain: (ids, timeoutMs) => client.drain(ids, timeoutMs),
    };
  };
}
