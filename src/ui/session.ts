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

/** What a button did, shown once on the page it leads back to. */
export interface Flash {
  kind: 'notice' | 'error';
  text: string;
}

const flashCookie = 'deckhand_flash';

/**
 * The `Set-Cookie` value carrying a button's outcome to the next page, or clearing it (`null`).
 * A cookie rather than the URL: a link made elsewhere cannot put words on a page.
 */
export function flashCookieValue(flash: Flash | null): string {
  const attributes = 'Path=/ui; HttpOnly; SameSite=Strict';
  return flash === null ? `${flashCookie}=; ${attributes}; Max-Age=0` : `${flashCookie}=${encodeURIComponent(JSON.stringify(flash))}; ${attributes}; Max-Age=60`;
}

export function flashOf(cookieHeader: string | undefined): Flash | null {
  const value = cookieValue(cookieHeader, flashCookie);
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<Flash>;
    return (parsed.kind === 'notice' || parsed.kind === 'error') && typeof parsed.text === 'string' ? { kind: parsed.kind, text: parsed.text } : null;
  } catch {
    return null;
  }
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
