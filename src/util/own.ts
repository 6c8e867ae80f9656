// Keys from job files are data: `__proto__`, `constructor` or `toString` must be
// plain keys, never reach Object.prototype.

export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Sets a key as an own data property, even `__proto__`. */
export function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
