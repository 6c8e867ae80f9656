// Repository URLs: credentials are taken out before a URL is stored, logged or
// compared, and a clone's folder name comes from the URL and branch.
import { createHash } from 'node:crypto';
import { isLoopbackHost } from '../util/index.js';

export interface SplitUrl {
  /** The URL without user info: safe to log and to write into .git/config. */
  url: string;
  username: string | null;
  password: string | null;
}

export function splitCredentials(url: string): SplitUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, username: null, password: null };
  }
  const username = parsed.username ? decodeURIComponent(parsed.username) : null;
  const password = parsed.password ? decodeURIComponent(parsed.password) : null;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, username, password };
}

/** `https://host/org/jobs.git` → `jobs`: a Compose file at the repository's root takes its job id from it. */
export function repositoryNameFromUrl(url: string): string {
  const path = (() => {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  })();
  const last = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return last.replace(/\.git$/, '') || 'repository';
}

/** A folder name per (URL, branch): readable, and distinct for distinct sources. */
export function cloneFolderName(url: string, branch: string): string {
  const digest = createHash('sha256').update(`${splitCredentials(url).url}#${branch}`).digest('hex').slice(0, 12);
  const readable = repositoryNameFromUrl(url).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  return `${readable}-${digest}`;
}

/**
 * Whether two URLs name the same repository, as a webhook's clone URL and the
 * configured one: scheme, credentials, case, a trailing `/` or `.git` do not matter.
 */
export function sameRepository(a: string, b: string): boolean {
  const key = (url: string) => {
    try {
      const parsed = new URL(url);
      return `${parsed.host}${parsed.pathname}`.toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
    } catch {
      return url.toLowerCase();
    }
  };
  return key(a) === key(b);
}

/**
 * Credentials that would cross the network unencrypted: a token (or the URL's own
 * user info) for an `http://` URL whose host is not this machine. null when none.
 */
export function cleartextCredentials(url: string, tokenConfigured: boolean): { what: string; host: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' || isLoopbackHost(parsed.hostname)) return null;
  const what = tokenConfigured ? 'the token' : parsed.password || parsed.username ? 'the credentials in the URL' : null;
  return what ? { what, host: parsed.host } : null;
}

