// isomorphic-git's node HTTP client, with an idle timeout: without one, a server
// that stops answering would hold the repository's sync forever.
import type { HttpClient } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';

export const defaultIdleTimeoutMs = 60_000;

export function httpClientWithTimeout(idleTimeoutMs = defaultIdleTimeoutMs): HttpClient {
  return {
    request: async (request) => {
      try {
        // simple-get (under isomorphic-git's client) passes `timeout` to the socket: it fires after that long without data.
        return await nodeHttp.request({ ...request, fetchOptions: { timeout: idleTimeoutMs, ...request.fetchOptions } });
      } catch (error) {
        if (error instanceof Error && error.message === 'Request timed out') {
          throw Object.assign(new Error(`no answer for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        }
        throw error;
      }
    },
  };
}
