// The edge's log: JSON lines on stderr (edge.log when the agent starts it),
// without a logging library, to keep the process small.
const levels = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type EdgeLogLevel = (typeof levels)[number];

export const isEdgeLogLevel = (value: string): value is EdgeLogLevel => (levels as readonly string[]).includes(value);

export interface EdgeLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createEdgeLog(level: EdgeLogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): EdgeLog {
  const floor = levels.indexOf(level);
  const at = (name: EdgeLogLevel) => (msg: string) => {
    if (levels.indexOf(name) >= floor) write(`${JSON.stringify({ time: new Date().toISOString(), level: name, pid: process.pid, msg })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
