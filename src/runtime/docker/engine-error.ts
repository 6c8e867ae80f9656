// The engine's own words from a dockerode error: its JSON `message` when there is
// one (dockerode's `reason` is a guess from the status code, e.g. "no such
// container" for a missing image), else the body it appended to `message`.

export interface DockerApiError {
  statusCode?: number;
  json?: unknown;
  message?: string;
}

export function statusOf(error: unknown): number | undefined {
  return (error as DockerApiError | null)?.statusCode;
}

export function engineMessage(error: unknown): string {
  const { json, message } = (error ?? {}) as DockerApiError;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  const text = typeof message === 'string' ? message : String(error);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Errors of the connection itself: the engine is down, restarting, or its socket is gone; not an answer. */
const connectionErrorCodes = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export function isConnectionError(error: unknown): boolean {
  if (statusOf(error) !== undefined) return false;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && connectionErrorCodes.has(code)) || (typeof message === 'string' && /socket hang up/i.test(message));
}
