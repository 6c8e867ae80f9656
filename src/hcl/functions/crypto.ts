// Hashes of a string's UTF-8 bytes, in hexadecimal (Nomad's crypto/ pages), and
// uuidv5(), which is a SHA-1 hash too: all pure, unlike bcrypt() and uuidv4().
import { createHash } from 'node:crypto';
import type { Span } from '../ast.js';
import { EvalError } from '../value.js';
import type { FnSpec } from './args.js';
import { str } from './args.js';

const hash = (algorithm: string): FnSpec => ({ arity: [1, 1], fn: ([s], at) => createHash(algorithm).update(str(s!, at), 'utf8').digest('hex') });

/** RFC 4122's namespaces, by the names go-cty-funcs gives them. */
const namespaces: Record<string, string> = {
  dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
  oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
  x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
};

export const cryptoFunctions: Record<string, FnSpec> = {
  md5: hash('md5'),
  sha1: hash('sha1'),
  sha256: hash('sha256'),
  sha512: hash('sha512'),
  uuidv5: { arity: [2, 2], fn: ([namespace, name], at) => uuidV5(str(namespace!, at), str(name!, at), at) },
};

function uuidV5(namespace: string, name: string, at: Span): string {
  const id = namespaces[namespace] ?? namespace;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new EvalError(`uuidv5() does not know the namespace "${namespace}"`, at, 'use dns, url, oid, x500 or a UUID');
  }
  const digest = createHash('sha1').update(Buffer.from(id.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
