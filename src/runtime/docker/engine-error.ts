// The engine's own words from a dockerode error: its JSON `message` when there is
// one (dockerode's `reason` is a guess from the status code, e.g. "no such
// container" for a missing image), else the body it appended to `message`.

export interface EngineError {
  statusCode?: number;
  json?: unknown;
  message?: string;
}

export function statusOf(error: unknown): number | undefined {
  return (error as EngineError | null)?.statusCode;
}

export function engineMessage(error: unknown): string {
  const { json, message } = (error ?? {}) as EngineError;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  const text = typeof message === 'string' ? message : String(error);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}
