// What a command may touch, passed in so tests run the CLI in-process.
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (colour, progress redraws). */
  isTTY: boolean;
  /**
   * Ends a command that runs until stopped (`deckhand events`), which then exits 0.
   * Tests abort it; without it, Ctrl-C and SIGTERM do.
   */
  signal?: AbortSignal;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** Thrown by a command to end with a given exit code after printing its message. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}

/** What stops a command that runs until stopped: the IO's signal, or else Ctrl-C or SIGTERM, as `nomad monitor` stops. */
export function stopSignal(io: CliIO): AbortSignal {
  if (io.signal) return io.signal;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
