// Which files of a job folder sync hands to render, the same for a folder on disk
// and a tree in Git: job files always (cut after the renderer's size limit, so
// it can say "too large"), other files only when small (env and var files).
import { maxJobFileBytes, mayHoldJobs, skippedFolders } from '../model/index.js';

export { skippedFolders };

/** Files that are not job files are read only when small (env files, var files). */
export const maxOtherFileBytes = 256 * 1024;

/** Whether a file of this size is handed to render at all. */
export function isFileKept(path: string, size: number): boolean {
  return mayHoldJobs(path) || size <= maxOtherFileBytes;
}

/** How many bytes of a file render needs: one past its limit is enough to refuse it. */
export function keptBytes(size: number): number {
  return Math.min(size, maxJobFileBytes + 1);
}

export function isSkippedFolder(name: string): boolean {
  return skippedFolders.includes(name);
}
