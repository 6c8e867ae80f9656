// Starting the edge apart from the agent: its own session and process group
// (setsid), so the agent's SIGKILL, a Ctrl-C in the agent's terminal or the
// agent's exit do not reach it; output appended to DIR/edge.log.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectory, packageRoot } from '../util/index.js';

export const logFileName = 'edge.log';

export interface SpawnedEdge {
  pid: number | undefined;
  logPath: string;
  exited(): boolean;
  exitCode(): number | null;
  logTail(): string;
}

export function spawnEdge(dataDir: string): SpawnedEdge {
  const logPath = join(dataDir, logFileName);
  makeDirectory(dataDir, 0o700);
  const fd = openSync(logPath, 'a', 0o600);
  const bin = join(packageRoot(), 'bin', 'deckhand.js');
  // Not the agent's own Node flags (a debugger's, a test runner's) but the edge's:
  // V8 favouring memory, as bin/deckhand.js's #! line; measured on the edge under
  // load (docs/benchmarks.md) it keeps RSS near 80 MB instead of over 200 MB, no slower.
  const child = spawn(process.execPath, ['--optimize-for-size', bin, 'edge', '--data-dir', dataDir], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  let code: number | null = null;
  let gone = false;
  child.once('exit', (exitCode) => {
    gone = true;
    code = exitCode;
  });
  child.once('error', () => {
    gone = true;
  });
  child.unref();
  return {
    pid: child.pid,
    logPath,
    exited: () => gone,
    exitCode: () => code,
    logTail: () => {
      try {
        return readFileSync(logPath, 'utf8').split('\n').slice(-6).join('\n').trim();
      } catch {
        return `(no ${logPath})`;
      }
    },
  };
}
