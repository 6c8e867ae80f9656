// Sync errors are values: a code the caller can branch on, a message that says
// what happened where, and a hint that says what to do. isomorphic-git and node
// errors are mapped here, in one place, and scrubbed of secrets.

export type SyncErrorCode =
  /** The server refused the credentials, or asked for some and none were given. */
  | 'auth-failed'
  /** The server could not be reached, dropped the connection, or answered with a server error. */
  | 'network'
  /** The URL or folder is not a Git repository. */
  | 'not-a-repository'
  /** The branch does not exist (or the repository has no commits). */
  | 'branch-not-found'
  /** The job folder (`path`) does not exist in the commit, or is not a folder. */
  | 'path-not-found'
  /** A commit asked for is not in the repository (never synced, or gone). */
  | 'unknown-commit'
  /** Objects are missing or damaged in the local copy. */
  | 'corrupt-objects'
  /** Anything else: a bug or an unexpected state; the message carries the original error. */
  | 'internal';

export class SyncError extends Error {
  override readonly name = 'SyncError';

  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** One line for logs and statuses: `message (hint)`. */
  describe(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export interface ErrorContext {
  /** What was being done, e.g. `fetching main from https://git.example.com/jobs.git`. */
  doing: string;
  branch: string;
  /** Secrets that must never appear in a message (tokens). */
  secrets: readonly string[];
}

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const corruptionCodes = new Set(['ObjectTypeError', 'InternalError', 'DecompressionError', 'ParseError', 'InvalidOidError', 'NotFoundError', 'CommitNotFetchedError']);

/** Maps whatever isomorphic-git or node threw into a SyncError. */
export function classifyGitError(error: unknown, context: ErrorContext): SyncError {
  if (error instanceof SyncError) return error;
  const code = errorCode(error);
  const original = redact(errorMessage(error), context.secrets);
  const make = (kind: SyncErrorCode, message: string, hint: string) => new SyncError(kind, redact(message, context.secrets), hint, { cause: error });

  const status = httpStatus(error);
  if (code === 'UserCanceledError' || (code === 'HttpError' && (status?.code === 401 || status?.code === 403))) {
    return make('auth-failed', `${context.doing}: the server refused the credentials`, 'check the token: it must be valid and allow reading the repository; without a token, only public repositories can be read');
  }
  if (code === 'HttpError') {
    const answer = `HTTP ${status?.code ?? '?'}${status?.message ? ` ${status.message}` : ''}`;
    if (status?.code === 404) return make('not-a-repository', `${context.doing}: no repository at this URL (${answer})`, 'check the repository URL; private repositories may also answer 404 without a token');
    return make('network', `${context.doing}: the server answered ${answer}`, 'the agent retries with backoff; what runs keeps running');
  }
  if (code === 'SmartHttpError') {
    return make('not-a-repository', `${context.doing}: the URL does not serve Git over smart HTTP`, 'check the repository URL (it usually ends in .git)');
  }
  if (code === 'EmptyServerResponseError' || networkCodes.has(code)) {
    return make('network', `${context.doing}: ${original}`, 'the agent retries with backoff; what runs keeps running');
  }
  if (code === 'NotFoundError' && isMissingRef(error, context.branch)) {
    return make('branch-not-found', `${context.doing}: branch '${context.branch}' does not exist`, 'check --branch');
  }
  if (corruptionCodes.has(code)) {
    return make('corrupt-objects', `${context.doing}: the repository's objects are missing or damaged (${original})`, 'the local clone is discarded and cloned again on the next sync');
  }
  return make('internal', `${context.doing}: ${original}`, '');
}

/** Replaces every secret (and its URL-encoded form) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}

function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // undici wraps the socket error in `cause`.
  return errorCode((error as { cause?: unknown }).cause);
}

/** The error's own words, without isomorphic-git's "please report this" preamble or a repeated `Error: `. */
function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  const marker = 'this error message: ';
  const own = text.includes(marker) ? text.slice(text.lastIndexOf(marker) + marker.length) : text;
  return own.replace(/^Error: /, '').trim();
}

function httpStatus(error: unknown): { code: number | undefined; message: string | undefined } | undefined {
  const data = (error as { data?: { statusCode?: number; statusMessage?: string } }).data;
  return data ? { code: data.statusCode, message: data.statusMessage } : undefined;
}

function isMissingRef(error: unknown, branch: string): boolean {
  const what = (error as { data?: { what?: unknown } }).data?.what;
  return typeof what === 'string' && (what === branch || what === `refs/heads/${branch}` || what.endsWith(`/${branch}`));
}
