// Who may use the dashboard. With an API token, a person signs in by typing it;
// the agent answers with an HttpOnly, SameSite=Strict cookie holding it, which the
// API accepts for reads only (src/api/auth.ts). A button's form carries a second
// proof, a form token derived from a key the page's reader cannot see, so a page
// elsewhere cannot make the browser press it. Without an API token anyone who
// reaches the agent may use the API anyway, but a form token is still required:
// another site must not drive a local agent through the browser.
import { createHmac, randomBytes } from 'node:crypto';
import { cookieValue, sessionCookie, tokenMatches } from '../api/index.js';

export interface Session {
  /** Null: the agent has no API token, and no sign-in is needed. */
  readonly apiToken: string | null;
  /** Whether a request's cookie signs it in. */
  signedIn(cookieHeader: string | undefined): boolean;
  /** The form token of the dashboard's buttons. */
  readonly formToken: string;
  formTokenMatches(presented: unknown): boolean;
  /** The `Set-Cookie` value that signs a browser in, or out (`null`). */
  cookie(token: string | null): string;
}

export function newSession(apiToken: string | null): Session {
  // Keyed by the token when there is one, so a form token outlives restarts exactly as the token does.
  const key = apiToken ?? randomBytes(32).toString('hex');
  const formToken = createHmac('sha256', key).update('deckhand dashboard form').digest('base64url');
  return {
    apiToken,
    formToken,
    signedIn(cookieHeader) {
      if (apiToken === null) return true;
      const presented = cookieValue(cookieHeader, sessionCookie);
      return presented !== null && tokenMatches(presented, apiToken);
    },
    formTokenMatches: (presented) => typeof presented === 'string' && tokenMatches(presented, formToken),
    cookie(token) {
      const attributes = 'Path=/; HttpOnly; SameSite=Strict';
      return token === null ? `${sessionCookie}=; ${attributes}; Max-Age=0` : `${sessionCookie}=${encodeURIComponent(token)}; ${attributes}`;
    },
  };
}
