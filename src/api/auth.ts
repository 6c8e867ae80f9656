// Bearer tokens for API calls, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

/** Hashing first gives both sides one length, so the comparison leaks neither the token nor its length. */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header; null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** The dashboard's login cookie: it holds the API token, HttpOnly and SameSite=Strict (src/ui/README.md). */
export const sessionCookie = 'deckhand_session';

/** The value of one cookie of a `Cookie` header; null when it is not there. */
export function cookieValue(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * The token a request presents: its bearer token, or for a read (GET, HEAD) the
 * dashboard's cookie. Never the cookie for a write: a browser sends cookies with
 * requests other sites make it send, so writes prove themselves otherwise.
 */
export function presentedToken(request: { method: string; headers: { authorization?: string | undefined; cookie?: string | undefined } }): string | null {
  const bearer = bearerToken(request.headers.authorization);
  if (bearer !== null) return bearer;
  return request.method === 'GET' || request.method === 'HEAD' ? cookieValue(request.headers.cookie, sessionCookie) : null;
}
