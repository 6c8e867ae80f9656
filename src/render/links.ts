// Links that lead out of a job's folder are never read (a job file must not read
// /etc/passwd, or an agent's own disk): the tree says where each leads, and render
// turns that into an error at the place that wanted the file.

/** Why a file was not read, for a diagnostic. */
export function linkOutsideMessage(what: string, target: string): string {
  return `${what} is a link to ${target}, outside the job's folder: deckhand reads no file outside it`;
}
