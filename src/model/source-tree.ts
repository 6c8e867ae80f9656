// A tree of files as sync hands it to render (a revision's job folder, a folder on
// disk), and the conventions both sides keep (docs/spec.md, "Which files are
// jobs"): which names may hold jobs, how large a job file may be, which folders
// are never read. Render decides what each file is; sync only needs to know what to read.

/** Files are bytes: decoding (and refusing what is not text) is render's job. */
export interface SourceTree {
  /** Name of the root folder; a Compose file at the root takes its job id from it. */
  rootName: string;
  /** Paths relative to the root, `/`-separated. */
  files: ReadonlyMap<string, Uint8Array>;
  /**
   * Files that are links leading outside the root, with the path they lead to:
   * never read, and an error wherever a job needs them. (A folder on disk; a Git
   * revision leaves such links out.)
   */
  refused?: ReadonlyMap<string, string>;
}

/** A job file may be at most this large. */
export const maxJobFileBytes = 1024 * 1024;

/** Folders that never hold job files and may be huge: never read, whatever a filter says. */
export const skippedFolders: readonly string[] = ['.git', 'node_modules'];

/** The repository's own settings file (include/exclude), never a job. */
export const settingsFileName = 'deckhand.yaml';

/** Whether a file's name allows it to hold jobs: Nomad files, and YAML (whose content decides). */
export function mayHoldJobs(path: string): boolean {
  if (path.endsWith('.nomad') || path.endsWith('.nomad.hcl')) return true;
  return (path.endsWith('.yaml') || path.endsWith('.yml')) && path !== settingsFileName;
}
