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
