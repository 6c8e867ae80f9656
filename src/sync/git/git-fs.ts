// The file system client handed to isomorphic-git. isomorphic-git wraps the client
// on every call and probes it by calling `readFile()` without arguments; with
// node's fs that probe throws a validation error whose stack trace is built each
// time, which was the largest single cost of reading 5,000 blobs. This client
// answers the probe with a plain rejected promise, and is otherwise node's fs.
import { promises as fsp } from 'node:fs';
import type { PromiseFsClient } from 'isomorphic-git';

const probeAnswer = Symbol('isomorphic-git fs probe');

function readFile(...args: Parameters<typeof fsp.readFile>): ReturnType<typeof fsp.readFile>;
function readFile(...args: unknown[]): Promise<unknown> {
  if (args.length === 0) return Promise.reject(probeAnswer);
  return (fsp.readFile as (...a: unknown[]) => Promise<unknown>)(...args);
}

export const gitFs: PromiseFsClient = {
  promises: {
    readFile,
    writeFile: fsp.writeFile,
    unlink: fsp.unlink,
    readdir: fsp.readdir,
    mkdir: fsp.mkdir,
    rmdir: fsp.rmdir,
    stat: fsp.stat,
    lstat: fsp.lstat,
    readlink: fsp.readlink,
    symlink: fsp.symlink,
    chmod: fsp.chmod,
    // Not in the type, but used when present (removing folders, copying).
    ...{ rm: fsp.rm, cp: fsp.cp },
  },
};
