// `deckhand agent`: runs until SIGTERM or SIGINT, then stops cleanly (exit 0):
// no new work, state written, containers left running for the next start.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { createLogger, defaultDataDir, resolveAgentConfig, startAgent } from '../../agent/index.js';
import { formatDiagnostic, isError } from '../../model/index.js';
import type { CliIO } from '../io.js';
import { CliExit } from '../io.js';

const defaultConfigFile = 'deckhand.yaml';

export async function agentCommand(flags: Record<string, unknown>, io: CliIO): Promise<number> {
  const { config: configPath, ...settingFlags } = flags;
  const file = readConfigFile(typeof configPath === 'string' ? configPath : io.env.DECKHAND_CONFIG, io);
  // commander names options in camelCase; settings are named as their flags.
  const named = Object.fromEntries(Object.entries(settingFlags).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value]));
  const user = { root: process.getuid?.() === 0, home: homedir() };
  const { config, diagnostics } = resolveAgentConfig({ flags: named, env: io.env, file, defaultDataDir: defaultDataDir(user, io.env) });
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  if (diagnostics.some(isError)) return 1;
  config.dataDir = resolve(io.cwd, config.dataDir);

  const logger = createLogger(config.logLevel, io.isTTY);
  let agent;
  try {
    agent = await startAgent(config, { logger });
  } catch (error) {
    const hint = (error as { hint?: unknown }).hint;
    throw new CliExit(1, `Error starting the agent: ${(error as Error).message}${typeof hint === 'string' ? ` (${hint})` : ''}`);
  }
  const signal = await new Promise<string>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  logger.info(`${signal}: stopping`);
  // Every step is recorded before it acts, so stopping at any moment is safe: a
  // close held up by a Git server or forge that does not answer is cut short
  // rather than outliving Docker's stop grace (10 s) or a second Ctrl-C.
  const cutShort = () => {
    logger.warn('stopping took too long; exiting now. Containers keep running, and the next start resumes what was under way');
    logger.flush();
    process.exit(0);
  };
  const watchdog = setTimeout(cutShort, shutdownGraceMs);
  process.once('SIGTERM', cutShort);
  process.once('SIGINT', cutShort);
  await agent.close();
  clearTimeout(watchdog);
  logger.flush();
  // A request to an unresponsive server may still hold the event loop: it has nothing left to do.
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
  return 0;
}

/** Below Docker's default stop grace (10 s), after which it sends SIGKILL. */
const shutdownGraceMs = 8_000;

function readConfigFile(path: string | undefined, io: CliIO): { path: string; text: string } | null {
  const chosen = path ?? (existsSync(resolve(io.cwd, defaultConfigFile)) ? defaultConfigFile : null);
  if (!chosen) return null;
  try {
    return { path: chosen, text: readFileSync(resolve(io.cwd, chosen), 'utf8') };
  } catch (error) {
    throw new CliExit(1, `--config ${chosen}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}
