// The `deckhand` binary.
import { processIO } from './io.js';
import { runCli } from './program.js';

export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), processIO());
}
