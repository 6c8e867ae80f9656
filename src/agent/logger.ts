// Logs with pino: JSON lines by default (for journald, docker logs, a collector),
// readable lines when a person watches a terminal.
import { pino } from 'pino';
import type { Logger } from 'pino';
import pretty from 'pino-pretty';

export function createLogger(level: string, toTerminal: boolean, destination: NodeJS.WritableStream = process.stderr): Logger {
  // Tokens and secrets never reach a log line, even by accident in an error object.
  const redact = { paths: ['*.token', '*.secret', '*.authorization', 'headers.authorization', 'req.headers.authorization'], censor: '[redacted]' };
  if (toTerminal) {
    // pino-pretty as a stream in this thread: no worker, and lines appear in order with the CLI's own output.
    return pino({ level, redact }, pretty({ destination, colorize: true, ignore: 'pid,hostname,component', translateTime: 'HH:MM:ss' }));
  }
  return pino({ level, redact }, destination);
}
