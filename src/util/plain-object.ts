// Setting keys that come from job files on plain `{}` objects. util/own.ts's
// setOwn defines every key with Object.defineProperty: safe, but a runtime call
// each time, and objects built that way fall back to slow dictionary properties.
// On a plain object only `__proto__` needs defining (it is the one accessor
// Object.prototype has); every other key is an ordinary assignment, with the same
// result: an own, writable, enumerable data property.
import { setOwn } from './own.js';

/** Sets `key` as an own data property of a plain object (its prototype is Object.prototype or null). */
export function setPlainKey<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') setOwn(object, key, value);
  else object[key] = value;
}
