// Git objects never change (their id is their content's hash), so trees and blobs
// read for one revision can be reused for the next: a sync of a 10-file commit
// reads those 10 blobs and the trees above them, not all 5,000 files again.
// Two generations bound the memory: whatever the last read did not touch is dropped.

export class GenerationalMemo<T> {
  private current = new Map<string, T>();
  private previous = new Map<string, T>();

  get(oid: string): T | undefined {
    const hit = this.current.get(oid);
    if (hit !== undefined) return hit;
    const old = this.previous.get(oid);
    if (old !== undefined) this.current.set(oid, old);
    return old;
  }

  set(oid: string, value: T): void {
    this.current.set(oid, value);
  }

  /** Starts a new generation: entries not used since the last call are forgotten at the next one. */
  nextGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get size(): number {
    return new Set([...this.current.keys(), ...this.previous.keys()]).size;
  }
}
