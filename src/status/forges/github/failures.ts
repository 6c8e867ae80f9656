// Which failures of a GitHub request are worth retrying, and how to describe one
// without leaking anything: only the status and GitHub's message, never headers.
import { RequestError } from 'octokit';
import { redact } from './text.js';

/** 5xx (which includes timeouts and connection errors), 408, 429, and 403 when it is a rate limit. */
export function isWorthRetrying(error: unknown): boolean {
  const status = statusOf(error);
  if (status === null) return isAbort(error);
  if (status >= 500 || status === 408 || status === 429) return true;
  return status === 403 && isRateLimit(error as RequestError);
}

export function describeFailure(error: unknown, token: string): string {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return redact(status === null ? message : `HTTP ${status}: ${message}`, token);
}

function statusOf(error: unknown): number | null {
  if (error instanceof RequestError) return error.status;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

function isRateLimit(error: RequestError): boolean {
  const headers = error.response?.headers ?? {};
  return headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(error.message);
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}
