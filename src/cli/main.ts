// The `deckhand` binary.
import { processIO } from './io.js';
import { runCli } from './program.js';

export async function main(): Promise<void> {
  // `deckhand history web -o json | head`: the reader left, which ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await runCli(process.argv.slice(2), processIO());
}
