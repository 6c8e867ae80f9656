// The octokit client. In production octokit's throttling (GitHub's rate limits,
// including the secondary limits on writes) and retry plugins are on; tests turn
// them off, because the retry plugin spends 14 s on a single 502 and the delivery
// queue retries anyway, on a clock the tests control.
import { Octokit } from 'octokit';

export interface ClientOptions {
  apiUrl: string;
  token: string;
  throttleAndRetry: boolean;
  /** Each request (each retry too) gives up after this long. */
  requestTimeoutMs: number;
  warn(message: string): void;
}

/** How many times the throttling plugin waits out a rate limit for one request. */
const RATE_LIMIT_RETRIES = 1;

export function createClient(options: ClientOptions): Octokit {
  const limitHandler = (kind: string) => (retryAfterSeconds: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    options.warn(`GitHub ${kind} hit by ${request.method} ${request.url}; ${retryCount < RATE_LIMIT_RETRIES ? `retrying in ${retryAfterSeconds} s` : 'giving up'}`);
    return retryCount < RATE_LIMIT_RETRIES;
  };
  return new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'deckhand',
    // Octokit logs method and URL only; its debug chatter is dropped.
    log: { debug: () => {}, info: () => {}, warn: options.warn, error: options.warn },
    request: { fetch: fetchWithTimeout(options.requestTimeoutMs) },
    ...(options.throttleAndRetry
      ? { throttle: { onRateLimit: limitHandler('rate limit'), onSecondaryRateLimit: limitHandler('secondary rate limit') } }
      : { throttle: { enabled: false }, retry: { enabled: false } }),
  });
}

/** A fetch whose every call times out on its own, so each retry gets a fresh deadline. */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetch(input, { ...init, signal });
    } catch (error) {
      // Said plainly: octokit would report the abort as "Unknown Error" in some runtimes.
      if (timeout.aborted) throw new Error(`no answer within ${timeoutMs} ms`, { cause: error });
      throw error;
    }
  };
}
